"""``khabar serve``: the REST API and web UI on the embedded store (HTTP lives in khabar.web.api)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click

from ..errors import ListenError, StoreError
from ..service import default_workers


def check_port(host: str, port: int) -> None:
    """Bind and release ``host:port`` the way uvicorn will, so a busy port fails before we
    announce anything (OSError on failure)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is no conflict
        sock.bind((host, port))


@click.command("serve")
@click.option("--db", "db_path", default="khabar.db", show_default=True, metavar="PATH",
              help="SQLite store to serve (made with 'khabar ingest'); it must exist unless --create.")
@click.option("--create", is_flag=True, help="Create an empty store when --db does not exist.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. The default serves this machine only; another address (0.0.0.0: "
                   "the network) needs --token, or --insecure.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the CPUs this process may use).")
@click.option("--token", envvar="KHABAR_API_TOKEN", metavar="TOKEN",
              help="Require this token for writes (POST /v1/articles). [env: KHABAR_API_TOKEN]")
@click.option("--allowed-host", "extra_hosts", multiple=True, metavar="NAME",
              help="Also accept requests whose Host header is NAME (repeatable; loopback names and "
                   "--host are always accepted; '*' accepts any).")
@click.option("--insecure", is_flag=True,
              help="Serve a network address without a token (reads only: writes are refused).")
def serve(db_path: str, create: bool, host: str, port: int, workers: int | None, token: str | None,
          extra_hosts: tuple[str, ...], insecure: bool) -> None:
    """Serve the REST API (/v1, docs at /docs) and the Arabic web UI for a store.

    Open http://HOST:PORT/ in a browser. Without a token, writes are open on a loopback address
    (local use) and refused on any other.
    """
    from khabar.cli import fail

    try:
        import uvicorn

        from ..web import api
    except ImportError as exc:
        fail(f"'khabar serve' needs the web extra ({exc.name} is missing): pip install 'khabar[web]'")
    token = token or None
    local = api.is_loopback(host)
    if not local and token is None and not insecure:
        fail(f"refusing to serve {host} (not a loopback address) without a token: pass --token or set "
             f"{api.TOKEN_ENV} (or --insecure to serve reads to the network without one)")
    path = Path(db_path).expanduser()
    if not path.exists() and not create:
        fail(f"{db_path} does not exist (make it with 'khabar ingest ... --db {db_path}', "
             "or pass --create to serve a new empty store)", error=StoreError)
    if not path.resolve().parent.is_dir():
        fail(f"{db_path}: folder {path.resolve().parent} does not exist", error=StoreError)
    hosts = api.allowed_hosts(host, extra_hosts)
    try:  # opens (creates with --create) and migrates the store once, before any worker starts
        app = api.create_app(path, token=token, allowed_hosts=hosts, anonymous_writes=local)
    except (RuntimeError, OSError, ValueError) as exc:  # an unreadable or foreign database file
        fail(f"{db_path}: cannot open the store ({exc})", error=StoreError)
    try:
        check_port(host, port)
    except OSError as exc:
        fail(listen_failure(host, port, exc), error=ListenError)
    workers = workers or default_workers()
    if not local and token is None:
        click.echo(f"khabar: warning: serving {host} without a token (--insecure): anyone who can reach "
                   "it reads the store; writes are refused", err=True)
    if _host_is_wildcard(host) and "*" not in extra_hosts:
        click.echo("khabar: note: requests must name this server by a loopback name or an --allowed-host "
                   "(others get 400)", err=True)
    click.echo(f"khabar: serving {db_path} on http://{host}:{port}/ (API docs at /docs) with {workers} "
               f"worker{'s' if workers > 1 else ''}; Ctrl-C stops", err=True)
    if workers == 1:
        target: object = app
        factory = False
    else:  # each worker process builds its own app (and SQLite connections) from the environment
        app.state.corpus.close()
        os.environ.update({api.DB_ENV: str(path.resolve()), api.ALLOWED_HOSTS_ENV: ",".join(hosts),
                           api.ANONYMOUS_WRITES_ENV: "1" if local else "0"})
        if token is not None:
            os.environ[api.TOKEN_ENV] = token
        else:
            os.environ.pop(api.TOKEN_ENV, None)
        target, factory = "khabar.web.api:app_from_env", True
    try:
        uvicorn.run(target, host=host, port=port, workers=workers, factory=factory, log_level="warning",
                    server_header=False)
    except OSError as exc:
        fail(listen_failure(host, port, exc), error=ListenError)


def listen_failure(host: str, port: int, exc: OSError) -> str:
    """One line naming host:port and why it cannot be listened on, with what to do about it."""
    why = {errno.EADDRINUSE: "the port is in use (another server?): choose another --port",
           errno.EACCES: "no permission (ports below 1024 need privileges): choose another --port",
           errno.EADDRNOTAVAIL: "not an address of this machine: choose another --host"}.get(exc.errno or 0)
    detail = " ".join(str(exc.strerror or exc).split())
    return f"cannot listen on {host}:{port}: {why} ({detail})" if why else f"cannot listen on {host}:{port} ({detail})"


def _host_is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")
