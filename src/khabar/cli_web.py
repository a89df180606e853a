"""``khabar serve``: the REST API and web UI on the embedded store (HTTP lives in khabar.api)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option("--db", "db_path", default="khabar.db", show_default=True, metavar="PATH",
              help="SQLite store to serve (made with 'khabar ingest'); created empty if missing.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. The default serves this machine only; 0.0.0.0 exposes it to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--token", envvar="KHABAR_API_TOKEN", metavar="TOKEN",
              help="Require this token for writes (POST /v1/articles). [env: KHABAR_API_TOKEN]")
def serve(db_path: str, host: str, port: int, token: str | None) -> None:
    """Serve the REST API (/v1, docs at /docs) and the Arabic web UI for a store.

    Open http://HOST:PORT/ in a browser. Writes need the token when one is set.
    """
    from .cli import fail

    try:
        import uvicorn

        from .api import create_app
    except ImportError as exc:
        fail(f"'khabar serve' needs the web extra ({exc.name} is missing): pip install 'khabar[web]'")
    parent = Path(db_path).expanduser().resolve().parent
    if not parent.is_dir():
        fail(f"{db_path}: folder {parent} does not exist")
    try:
        app = create_app(db_path, token=token or None)
    except (RuntimeError, OSError, ValueError) as exc:  # an unreadable or foreign database file
        fail(f"{db_path}: cannot open the store ({exc})")
    click.echo(f"khabar: serving {db_path} on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops",
               err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port} ({exc.strerror or exc})")
