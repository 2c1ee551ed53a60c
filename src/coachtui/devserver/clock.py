"""Timestamps shaped like the real backend's (chrono RFC 3339, `Z`, 0/3/6 fraction digits)."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ts(value: dt.datetime, digits: int = 6) -> str:
    """Offset timestamp as chrono prints it: fraction omitted when zero, else `digits` long."""
    value = value.astimezone(dt.UTC)
    base = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond and digits:
        frac = f"{value.microsecond:06d}"
        frac = (frac + "000")[:digits] if digits != 6 else frac
        base += "." + frac
    return base + "Z"


def naive(value: dt.datetime) -> str:
    """Naive timestamp (coaching_sessions.date): UTC wall time, no offset."""
    value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text
