"""Web UI of khabar: server-rendered pages, templates and static files (see :mod:`khabar.web.api`)."""
