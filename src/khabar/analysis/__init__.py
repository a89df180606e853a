"""Analysis: pure ``Document -> Document`` components and the language data they load (no I/O)."""
