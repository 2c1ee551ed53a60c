"""This machine's addresses, one definition for the client, the credential store and the devserver."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def same_server(a: str, b: str) -> bool:
    """The same URL, counting `localhost`, `127.0.0.1` and `[::1]` as one host."""
    if a == b:
        return True
    pa, pb = urlsplit(a), urlsplit(b)
    return (
        is_loopback_host(pa.hostname or "")
        and is_loopback_host(pb.hostname or "")
        and (pa.scheme, pa.port, pa.path.rstrip("/")) == (pb.scheme, pb.port, pb.path.rstrip("/"))
    )
