"""The corpus: SQLite store, ingest, read-only views and exports."""
