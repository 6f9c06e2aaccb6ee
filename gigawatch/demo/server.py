"""Serve the demo news site: every outlet on its own port of 127.0.0.1 (standard library only).

    python -m gigawatch.demo.server [--port 8301]

Files come from ``site/<outlet>/``. URL paths map to files like a static host with pretty
URLs: ``/a/b`` -> ``a/b`` or ``a/b.html``; ``/a/b/`` -> ``a/b/index.html`` or ``a/b.html`` (the
trailing-slash variant of an article); ``/dir`` -> 301 to ``/dir/``; ``?page=N`` on a directory
-> ``index.page-N.html``; ``x.xml.gz`` -> ``x.xml`` gzip-compressed on the fly. Other query
strings (tracking parameters) are ignored. Names starting with ``_`` are never served.
``_routes.toml`` adds content types, forced statuses, generated pages and Last-Modified dates.

Text files may contain ``{{base}}`` (this outlet's base URL), ``{{base:OUTLET}}`` (another
outlet's) and ``{{alias}}`` (this outlet under the host name ``localhost``), substituted at
serve time. Every file gets ``ETag`` and ``Last-Modified``; conditional requests get 304.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import socket
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from gigawatch.demo import DEMO_PORT, OUTLETS, SITE_DIR

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
BINARY_TYPES = {
    ".pdf": "application/pdf",
    ".gz": "application/x-gzip",
    ".png": "image/png",
}
PLACEHOLDER_RE = re.compile(rb"\{\{(base|alias)(?::([a-z0-9_-]+))?\}\}")
HUGE_BYTES = 6 * 1024 * 1024


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    lastmod: datetime | None = None


@dataclass(frozen=True)
class RequestRecord:
    outlet: str
    method: str
    path: str  # the request target: path and query string
    host: str  # the Host header as sent
    status: int
    user_agent: str


def huge_page() -> bytes:
    """About 6 MB of valid, deterministic HTML: a market-data table nobody should store."""
    head = (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        b"<title>Market data archive | The Grid Ledger</title></head><body>\n"
        b"<h1>Market data archive</h1>\n<table>\n"
        b"<tr><th>Hour</th><th>Node</th><th>Price</th><th>Load</th></tr>\n"
    )
    rows = []
    size = len(head)
    i = 0
    while size < HUGE_BYTES:
        row = (
            f"<tr><td>h{i % 8760:04d}</td><td>NODE-{i % 997:03d}</td>"
            f"<td>{(i * 37) % 9000 / 100:.2f}</td><td>{(i * 53) % 100000}</td></tr>\n"
        ).encode()
        rows.append(row)
        size += len(row)
        i += 1
    return head + b"".join(rows) + b"</table>\n</body></html>\n"


def error_page(status: int, reason: str) -> bytes:
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>"
        f"<body><h1>{status} {reason}</h1></body></html>\n"
    ).encode()


class _Outlet:
    """One outlet's files and routes; resolves a request target to a Response."""

    def __init__(self, site: DemoSite, name: str, root: Path):
        self.site = site
        self.name = name
        self.root = root
        routes_file = root / "_routes.toml"
        data = tomllib.loads(routes_file.read_text()) if routes_file.exists() else {}
        self.routes = {r["path"]: r for r in data.get("route", [])}
        self.lastmod = {k: datetime.fromisoformat(v) for k, v in data.get("lastmod", {}).items()}
        self.default_lastmod = datetime.fromisoformat(
            data.get("default_lastmod", "2025-11-30T18:00:00+00:00")
        )
        self._cache: dict[tuple[str, bool], Response] = {}
        self._lock = threading.Lock()

    def substitute(self, body: bytes) -> bytes:
        def repl(m: re.Match[bytes]) -> bytes:
            kind, other = m.group(1), m.group(2)
            if kind == b"alias":
                return self.site.base_url(self.name).replace("127.0.0.1", "localhost").encode()
            outlet = other.decode() if other else self.name
            if outlet not in self.site.outlets:
                return m.group(0)
            return self.site.base_url(outlet).encode()

        return PLACEHOLDER_RE.sub(repl, body)

    def _file(self, rel: str) -> Path | None:
        if not rel or any(part.startswith(("_", ".")) or part == ".." for part in rel.split("/")):
            return None
        path = self.root / rel
        return path if path.is_file() else None

    def _serve_file(self, path: Path, route: dict, compress: bool) -> Response:
        key = (str(path), compress)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        rel = str(path.relative_to(self.root))
        body = path.read_bytes()
        content_type = TEXT_TYPES.get(path.suffix) or BINARY_TYPES.get(path.suffix)
        if path.suffix in TEXT_TYPES:
            body = self.substitute(body)
        if compress:
            body = gzip.compress(body, mtime=0)
            content_type = BINARY_TYPES[".gz"]
        elif route.get("content_type"):
            content_type = route["content_type"]
        response = Response(
            200,
            body,
            content_type or "application/octet-stream",
            lastmod=self.lastmod.get(rel, self.default_lastmod),
        )
        with self._lock:
            self._cache[key] = response
        return response

    def resolve(self, target: str) -> Response:
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        route = self.routes.get(path, {})
        if "status" in route:
            status = int(route["status"])
            return Response(
                status, error_page(status, "Internal Server Error" if status == 500 else "Error")
            )
        if route.get("generate") == "huge":
            with self._lock:
                cached = self._cache.get(("huge", False))
            if cached is None:
                cached = Response(
                    200, huge_page(), TEXT_TYPES[".html"], lastmod=self.default_lastmod
                )
                with self._lock:
                    self._cache[("huge", False)] = cached
            return cached
        rel = path.lstrip("/")
        candidates: list[tuple[str, bool]] = []
        if path.endswith("/"):
            page = parse_qs(parts.query).get("page", ["1"])[0]
            if page == "1":
                candidates.append((rel + "index.html", False))
            elif page.isdigit():
                candidates.append((rel + f"index.page-{page}.html", False))
            if rel:
                candidates.append((rel.rstrip("/") + ".html", False))
        else:
            candidates += [(rel, False), (rel + ".html", False)]
            if rel.endswith(".gz"):
                candidates.append((rel[:-3], True))
        for candidate, compress in candidates:
            file = self._file(candidate)
            if file is not None:
                return self._serve_file(file, route, compress)
        if not path.endswith("/") and self._file(rel + "/index.html"):
            location = path + "/" + (f"?{parts.query}" if parts.query else "")
            return Response(
                301, error_page(301, "Moved Permanently"), headers={"Location": location}
            )
        return Response(404, error_page(404, "Not Found"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gigawatch-demo/1.0"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        outlet = self.server.outlet
        response = outlet.resolve(self.path)
        headers = dict(response.headers)
        status = response.status
        body = response.body
        if status == 200 and response.lastmod is not None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            headers["ETag"] = etag
            headers["Last-Modified"] = format_datetime(
                response.lastmod.astimezone(UTC), usegmt=True
            )
            if _not_modified(self.headers, etag, response.lastmod):
                status, body = 304, b""
        self.server.site._record(
            RequestRecord(
                outlet.name,
                self.command,
                self.path,
                self.headers.get("Host", ""),
                status,
                self.headers.get("User-Agent", ""),
            )
        )
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)


def _not_modified(headers: Message, etag: str, lastmod: datetime) -> bool:
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            return False
        return lastmod.replace(microsecond=0) <= when
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: DemoSite, outlet: _Outlet):
        self.site = site
        self.outlet = outlet
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer (a crawler cancelling a huge download) is normal."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class DemoSite:
    """Serves every outlet of the demo site on its own port of 127.0.0.1."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        root: Path | None = None,
        ports: dict[str, int] | None = None,
        fallback: bool = False,
    ):
        self.host = host
        self.fallback = fallback
        self.moved: list[str] = []  # outlets served on another port than asked (fallback)
        self.root = Path(root) if root is not None else SITE_DIR
        self._ports = dict(ports or {})
        self._outlets = [o for o in OUTLETS if (self.root / o).is_dir()]
        self._outlets += sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and p.name not in self._outlets and not p.name.startswith(("_", "."))
        )
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._dead: socket.socket | None = None
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.request_log: list[RequestRecord] = []

    @property
    def outlets(self) -> list[str]:
        return list(self._outlets)

    def start(self) -> DemoSite:
        if self._servers:
            return self
        try:
            for name in self._outlets:
                outlet = _Outlet(self, name, self.root / name)
                server = self._bind(name, outlet)
                self._servers[name] = server
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"demo-{name}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def _bind(self, name: str, outlet: _Outlet) -> _Server:
        """The outlet's server on its port, or (with ``fallback``) any free port if it is busy."""
        port = self._ports.get(name, 0)
        try:
            return _Server((self.host, port), self, outlet)
        except OSError:
            if not port or not self.fallback:
                raise
            self.moved.append(name)
            return _Server((self.host, 0), self, outlet)

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        if self._dead is not None:
            self._dead.close()
            self._dead = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def port(self, outlet: str) -> int:
        try:
            return self._servers[outlet].server_address[1]
        except KeyError:
            raise KeyError(
                f"outlet {outlet!r} is not being served "
                f"(outlets: {', '.join(self._outlets)}; started: "
                f"{bool(self._servers)})"
            ) from None

    def base_url(self, outlet: str) -> str:
        return f"http://{self.host}:{self.port(outlet)}"

    def dead_url(self) -> str:
        """Base URL of a port on this host where nothing listens (connections are refused).

        The port stays bound (without listening) until stop(), so nobody else takes it.
        """
        with self._lock:
            if self._dead is None:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind((self.host, 0))
                self._dead = sock
            return f"http://{self.host}:{self._dead.getsockname()[1]}"

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append((record.outlet, record.path))
            self.request_log.append(record)

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.request_log.clear()


def stable_ports(first: int = DEMO_PORT) -> dict[str, int]:
    """Consecutive ports from ``first``, one per outlet: the same URLs on every demo run."""
    return {name: first + i for i, name in enumerate(OUTLETS)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the gigawatch demo news site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="first port; outlets get consecutive ports (default: ephemeral)",
    )
    args = parser.parse_args()
    ports = stable_ports(args.port) if args.port else None
    with DemoSite(args.host, ports=ports) as site:
        for name in site.outlets:
            print(f"{name:14} {site.base_url(name)}/", flush=True)
        print("Serving the demo site; Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
