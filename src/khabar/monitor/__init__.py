"""Monitoring: feeds polled into the corpus (watch) and alert rules over it."""
