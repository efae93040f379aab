"""Loopback only: an audit hook that refuses any socket address that is not this machine.

The course never talks to the internet.  During tests :mod:`helpers.testing.leakguard` installs
:func:`install` in the pytest process and, through a generated ``sitecustomize.py`` on
``PYTHONPATH``, in every notebook kernel and every child interpreter
(``helpers.runner``, ``program_server``).  The hook (PEP 578, ``sys.addaudithook``) sees
``socket.connect`` / ``connect_ex``, ``socket.bind``, ``socket.sendto`` / ``sendmsg`` and name
look-ups (``socket.getaddrinfo``, ``gethostbyname``, ``gethostbyaddr``, ``getnameinfo``).
For an address that is not loopback (127.0.0.0/8, ::1, ``localhost``) — including the
wildcard ``""`` / ``0.0.0.0`` for ``bind`` and any host name other than ``localhost`` — it
records an incident (:mod:`helpers.testing.incidents`) and raises :class:`LoopbackViolation`
*before* the system call, so no packet is ever sent.

``LoopbackViolation`` is a ``RuntimeError`` (not an ``OSError``), so code that retries on
``OSError`` cannot swallow it; the recorded incident fails the test even if something does.
Unix-domain and netlink addresses are allowed.  C extensions that open sockets without
going through Python's ``socket`` module (zmq, c-ares) are not seen.
"""
from __future__ import annotations

import sys
import traceback

from helpers.testing import incidents

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

_installed = False


class LoopbackViolation(RuntimeError):
    """A socket operation named a non-loopback address while the loopback guard was on."""


def is_loopback_host(host) -> bool:
    """True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and the name ``localhost``; False for all else."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().lower().rstrip(".").split("%", 1)[0]
    if name in LOOPBACK_NAMES:
        return True
    import ipaddress  # only on the rare socket event: keeps interpreter start-up cheap

    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def address_allowed(address) -> bool:
    """Is a socket address (as passed to connect/bind/sendto) allowed?

    Tuples whose first item is a host (AF_INET/AF_INET6, also AF_PACKET interface names)
    must be loopback; str/bytes (AF_UNIX paths) and integer tuples (AF_NETLINK) are local.
    """
    if address is None or isinstance(address, (str, bytes, bytearray)):
        return True
    if isinstance(address, tuple) and address:
        head = address[0]
        if isinstance(head, (str, bytes, bytearray)):
            return is_loopback_host(head)
        return all(isinstance(x, int) for x in address)
    return False


def _refuse(event: str, what) -> None:
    stack = "".join(traceback.format_stack(limit=12)[:-2])
    message = f"{event} to {what!r} refused: the course talks to loopback (127.0.0.1) only"
    incidents.record("network", f"{message}\n{stack}")
    raise LoopbackViolation(message)


def _hook(event: str, args) -> None:
    if not event.startswith("socket."):
        return
    if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
        if not address_allowed(args[1]):
            _refuse(event, args[1])
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is not None and not is_loopback_host(host):
            _refuse(event, host)
    elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
        if not is_loopback_host(args[0]):
            _refuse(event, args[0])
    elif event == "socket.getnameinfo":
        if not address_allowed(args[0]):
            _refuse(event, args[0])


def install() -> None:
    """Install the hook in this interpreter (once; audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def installed() -> bool:
    """Whether this interpreter has the hook."""
    return _installed
