"""Packaged language data and models (read with importlib.resources)."""
