"""Stand-ins for the seed's websites: a local HTTP server with per-site latency, size and faults.

The seed's crawler fetches baidu, qq, taobao, jd and python.org over the internet.  Here
each "site" is a path on one local server: ``srv.url("www.baidu.com")`` is
``http://127.0.0.1:PORT/www.baidu.com/``.  A request may also name its site in the
``Host`` header (as the seed's raw-socket client does), or ask ad hoc with
``/any/path?delay=0.2&size=1000``.

Faults a site can inject: ``"reset"`` (the connection is reset, no reply), ``"stall"``
(accepts, never answers until the server stops), ``"status"`` (replies with ``status``,
e.g. 503).  A malformed request (no request line, a request-target ``urlsplit`` rejects, a
header section over :data:`MAX_HEADER`) gets ``400 Bad Request``; a method other than GET
gets ``405 Method Not Allowed`` (a standard HTTP method) or ``501 Not Implemented``.  Each connection gets its own thread, so slow sites are served concurrently,
like real ones.  Every request is recorded in ``srv.requests`` (with ``perf_counter``
times) for timelines.

Used in: 01, 03, 04, 06, 08 (through helpers.servers).
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from helpers.servers.base import BackgroundServer

__all__ = ["BadRequest", "HTTP_METHODS", "MAX_HEADER", "READ_TIMEOUT", "REASONS", "SEED_SITES", "page_body", "RequestRecord", "Site",
           "slow_site_server", "SlowSiteServer"]

MAX_HEADER = 16 * 1024
READ_TIMEOUT = 5.0
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Unavailable"}
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}


class BadRequest(ValueError):
    """A request the server cannot route; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status


@dataclass(frozen=True)
class Site:
    """One simulated website: how long it thinks (*latency*, s), how big its page is, its fault."""

    latency: float = 0.1
    size: int = 1000
    fault: str | None = None  # None | "reset" | "stall" | "status"
    status: int = 200

    def __post_init__(self):
        if self.latency < 0:
            raise ValueError("latency must be >= 0")
        if self.size < 0:
            raise ValueError("size must be >= 0")
        if self.fault not in (None, "reset", "stall", "status"):
            raise ValueError(f"unknown fault {self.fault!r}: use None, 'reset', 'stall' or 'status'")


# The seed's five sites, with the page sizes its output printed; latencies chosen to be
# visibly different yet keep a chapter fast.
SEED_SITES: dict[str, Site] = {
    "www.baidu.com": Site(latency=0.30, size=2381),
    "www.qq.com": Site(latency=0.50, size=245600),
    "www.taobao.com": Site(latency=0.40, size=167440),
    "www.jd.com": Site(latency=0.20, size=113043),
    "www.python.org": Site(latency=0.35, size=49385),
}


def page_body(name: str, size: int) -> bytes:
    """The deterministic page a site serves: *size* bytes, starting with an HTML comment naming it."""
    head = f"<!-- {name} -->\n".encode()
    filler = (f"<p>{name}</p>\n".encode()) * (size // (len(name) + 8) + 1)
    return (head + filler)[:size]


@dataclass
class RequestRecord:
    """One request as the server saw it (times are ``time.perf_counter()`` values)."""

    site: str
    path: str
    start: float
    end: float
    status: int | None
    sent: int
    outcome: str  # "ok", "reset", "stall", "bad-request", "client-gone", ...


class SlowSiteServer(BackgroundServer):
    """The slow-site HTTP server (see module docstring)."""

    name = "slow-site-server"

    def __init__(self, sites: dict[str, Site] | None = None, backlog: int = 1024):
        sites = dict(SEED_SITES if sites is None else sites)
        for name, site in sites.items():  # validate before any socket is opened
            if not isinstance(site, Site):
                raise TypeError(f"site {name!r} must be a Site, not {type(site).__name__}")
            if "/" in name:
                raise ValueError(f"site name {name!r} must not contain '/'")
        super().__init__(backlog)
        self.sites = sites
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._active: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()

    def url(self, site: str, path: str = "/") -> str:
        """The local URL of *site* (a key of ``sites``), e.g. ``http://127.0.0.1:PORT/www.qq.com/``."""
        if site not in self.sites:
            raise KeyError(f"unknown site {site!r}; known: {', '.join(self.sites)}")
        return f"http://{self.address[0]}:{self.port}/{site}{path}"

    def urls(self) -> list[str]:
        """The URLs of all sites, in order."""
        return [self.url(name) for name in self.sites]

    def body(self, site: str) -> bytes:
        """The exact page *site* serves (to check what a client received)."""
        return page_body(site, self.sites[site].size)

    # serving --------------------------------------------------------------------------------
    def _wake(self) -> None:
        with self._lock:
            active = list(self._active)
        for sock in active:  # unblock workers stuck in recv()
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def serve(self) -> None:
        self.listener.settimeout(0.1)
        self.log.add(f"网站服务器已启动 {self.address[0]}:{self.port}，站点: {', '.join(self.sites)}")
        while not self._stop.is_set():
            try:
                sock, addr = self.listener.accept()
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                if self._stop.is_set():
                    break
                time.sleep(0.01)  # EMFILE etc.: do not spin
                continue
            worker = threading.Thread(target=self._handle, args=(sock,), daemon=True, name="slow-site-worker")
            with self._lock:
                self._active.add(sock)
                self._workers.add(worker)
            worker.start()
        self._wake()
        deadline = time.monotonic() + 1.0
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self.log.add(f"网站服务器已停止，共处理 {len(self.requests)} 个请求")

    def _handle(self, sock: socket.socket) -> None:
        start = time.perf_counter()
        record = RequestRecord(site="?", path="?", start=start, end=start, status=None, sent=0, outcome="client-gone")
        try:
            sock.settimeout(READ_TIMEOUT)
            head = self._read_head(sock)
            if head is None:
                record.outcome = "bad-request"
                self._reply(sock, 400, b"bad request\n", record)
                return
            try:
                record.path, site_name, site = self._route(head)
            except BadRequest as exc:
                record.outcome = "bad-request" if exc.status == 400 else "bad-method"
                self._reply(sock, exc.status, f"{exc}\n".encode(), record,
                            extra="Allow: GET\r\n" if exc.status == 405 else "")
                return
            record.site = site_name
            if site is None:
                record.outcome = "not-found"
                self._reply(sock, 404, b"no such site\n", record)
                return
            if self._stop.wait(site.latency):
                record.outcome = "server-stopped"
                return
            if site.fault == "reset":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                record.outcome = "reset"
                return
            if site.fault == "stall":
                record.outcome = "stall"
                self._stop.wait(3600)
                return
            status = site.status if site.fault == "status" else 200
            record.outcome = "ok" if status == 200 else f"status-{status}"
            self._reply(sock, status, page_body(site_name, site.size) if status == 200 else b"server error\n", record)
        except OSError:
            record.outcome = "client-gone"
        finally:
            record.end = time.perf_counter()
            with self._lock:
                self.requests.append(record)
                self._active.discard(sock)
                self._workers.discard(threading.current_thread())
            sock.close()
            self.log.add(f"{record.site}{record.path if record.site == '?' else ''} -> {record.status} {record.outcome}")

    @staticmethod
    def _read_head(sock: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data and b"\n\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            data += chunk
            if len(data) > MAX_HEADER:
                return None
        return data

    def _route(self, head: bytes) -> tuple[str, str, Site | None]:
        """(path, site name, Site or None); raises :class:`BadRequest` (400/405/501)."""
        lines = head.decode("latin-1").splitlines()
        parts = lines[0].split() if lines else []
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise BadRequest(400, "malformed request line")
        method = parts[0]
        if method != "GET":
            raise BadRequest(405 if method in HTTP_METHODS else 501, f"method {method[:20]!r} not supported")
        try:
            target = urlsplit(parts[1])
        except ValueError as exc:  # e.g. "http://[::1" : an invalid IPv6 URL
            raise BadRequest(400, f"bad request-target: {exc}") from None
        segments = [s for s in target.path.split("/") if s]
        if segments and segments[0] in self.sites:
            return target.path, segments[0], self.sites[segments[0]]
        host = ""
        for line in lines[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == "host":
                host = value.strip().split(":")[0]
        if host in self.sites:
            return target.path, host, self.sites[host]
        query = parse_qs(target.query)
        if "delay" in query or "size" in query:
            try:
                site = Site(latency=min(float(query.get("delay", ["0"])[0]), 30.0),
                            size=min(int(query.get("size", ["1000"])[0]), 64 * 1024 * 1024))
            except ValueError:
                return target.path, "?", None
            return target.path, segments[0] if segments else "adhoc", site
        return target.path, host or "?", None

    @staticmethod
    def _reply(sock: socket.socket, status: int, body: bytes, record: RequestRecord, extra: str = "") -> None:
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n{extra}"
                f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n").encode()
        record.status = status
        sock.sendall(head + body)
        record.sent = len(body)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def slow_site_server(sites: dict[str, Site] | None = None) -> SlowSiteServer:
    """A local HTTP server with the given *sites* (default: the seed's five, :data:`SEED_SITES`).

    Use it as ``with slow_site_server() as srv:``; ``srv.url("www.qq.com")`` is that site's
    URL, ``srv.requests`` what the server saw, ``srv.log.show()`` its log.
    """
    return SlowSiteServer(sites)
