"""Where requests go and how: base URLs, TLS contexts, transport failures in words, safe log shapes."""

from __future__ import annotations

import datetime as dt
import functools
import os
import ssl
from urllib.parse import quote, urlsplit

import httpx

from coachtui.api.errors import NetworkError


def normalize_base_url(url: str) -> str:
    """`localhost:4000` → `http://localhost:4000`; trailing slashes go (paths are appended)."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) server URL: {url!r}")
    return url.rstrip("/")


def tls_context(verify: bool | str) -> bool | ssl.SSLContext:
    """True: system CAs (or SSL_CERT_FILE/SSL_CERT_DIR); a path: trust that CA bundle instead.

    Contexts are shared: building one reads a whole CA bundle (~40 ms), and httpx would build a
    new one for every client (the CLI makes two or three before the first screen)."""
    if verify is False:
        return False
    return _shared_context(verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _shared_context(verify: bool | str, _cert_file: str | None, _cert_dir: str | None) -> ssl.SSLContext:
    if isinstance(verify, bool):
        return httpx.create_ssl_context()  # certifi, or SSL_CERT_FILE/SSL_CERT_DIR when set
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError):
        raise NetworkError(f"Cannot use the CA bundle {verify} (missing, unreadable, or not PEM).") from None


def transport_reason(exc: httpx.TransportError) -> str:
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 8:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectError):
        if (
            any(isinstance(e, ConnectionRefusedError) for e in chain)
            or "refused" in text
            or ("all connection attempts failed" in text)
        ):
            return "connection refused (is the server running?)"
        if "certificate" in text or "ssl" in text:
            return "TLS certificate not trusted (see --ca-bundle)"
        if "name or service" in text or "nodename" in text:
            return "unknown host name"
        return "could not connect"
    return type(exc).__name__


def api_path(*segments: str) -> str:
    """`/coaching_sessions/<id>/goals` from its segments, each percent-encoded whole. Ids come
    from the server: one holding `/`, `?`, `#`, `..`, controls or lone surrogates stays one segment of
    the path it was meant for, never another endpoint of the server, never an invalid URL."""
    return "".join("/" + _segment(s) for s in segments)


def _segment(segment: str) -> str:
    if segment.strip(".") == "":  # "." and ".." would be taken as "here" and "up one"
        return segment.replace(".", "%2E")
    return quote(segment, safe="", errors="surrogatepass")  # (JSON can hold a lone surrogate)


def route_shape(path: str) -> str:
    """The path with ids blanked, safe for logs."""
    return "/".join("{id}" if len(part) >= 16 else part for part in path.split("/"))


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()
