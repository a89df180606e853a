"""Evaluation: the scorers behind ``khabar eval`` (gold data in, figures out; no CLI)."""
