"""Frozen records read from the wire, and the decoder that checks what the server sent.

What pydantic did for the wire models, in plain Python: pydantic and its schemas cost ~70 ms of
CPU before the first screen could be painted (its import ~45, a dozen schemas ~20), about a
third of a bare Textual app's whole start-up. A record is a frozen keyword-only dataclass; its
fields' annotations say what each accepts (a string, a number, a timestamp, a status, a list,
another record, or None where optional), and `model_validate` refuses anything else with
`Invalid`, which the client turns into one sentence. Unknown keys are ignored (the backend adds
fields); a key left out takes the field's default, or is refused when it has none. Timestamps
are the ISO 8601 strings of the contract (`datetime.fromisoformat`), a naive one read as UTC,
none within two days of datetime's limits; pydantic also read a number as a Unix time, which no
backend sends: refused.

The methods keep pydantic's names (`model_validate`, `model_copy`, `model_dump`), so the code
that reads, copies and writes the models is the same as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

R = TypeVar("R", bound="Record")
_MISSING: Any = dataclasses.MISSING
Decoder = Callable[[Any], Any]

UTC_IF_NAIVE = "utc-if-naive"  # Annotated[dt.datetime, UTC_IF_NAIVE]: a naive time is UTC
NONE_IS_EMPTY = "none-is-empty"  # Annotated[list[...], NONE_IS_EMPTY]: null reads as []


class Invalid(ValueError):
    """The data does not fit the record (its message names the field, never the value)."""


class SecretStr:
    """A secret (the session cookie, the notes token) that never shows in a repr, a log or a
    traceback's locals; `get_secret_value()` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


class Record:
    """The base of every wire record (subclasses are `@dataclasses.dataclass(frozen=True,
    kw_only=True)`)."""

    # Per class, built on its first decode: each field's name, decoder, default and factory,
    # and the set of the names.
    __spec: tuple[tuple[tuple[str, Decoder, Any, Any], ...], frozenset[str]] | None = None

    @classmethod
    def model_validate(cls: type[R], data: Any) -> R:
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise Invalid(f"a {cls.__name__} must be an object")
        fields, names = cls.__dict__.get("_Record__spec") or cls._build_spec()
        # Filled in directly, as a dataclass's __init__ would (and as fast as pydantic's core
        # for a 5,000-row pane): nothing of it has a __post_init__.
        record = object.__new__(cls)
        values = record.__dict__
        name = ""
        try:
            for name, decode, default, factory in fields:
                if name in data:
                    values[name] = decode(data[name])
                elif default is not _MISSING:
                    values[name] = default
                elif factory is not _MISSING:
                    values[name] = factory()
                else:
                    raise Invalid("is missing")
        except Invalid as exc:
            raise Invalid(f"{cls.__name__}.{name} {exc}") from None
        except (TypeError, ValueError, OverflowError, RecursionError):
            raise Invalid(f"{cls.__name__}.{name} is not valid") from None
        values["_fields_set"] = names & data.keys()
        return record

    @classmethod
    def _build_spec(cls) -> tuple[tuple[tuple[str, Decoder, Any, Any], ...], frozenset[str]]:
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = tuple(
            (f.name, _decoder(hints[f.name]), f.default, f.default_factory)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
        spec = (fields, frozenset(f[0] for f in fields))
        cls.__spec = spec
        return spec

    @property
    def model_fields_set(self) -> frozenset[str]:
        """The fields the data had (built in code: all of them)."""
        got: frozenset[str] | None = self.__dict__.get("_fields_set")
        return got if got is not None else frozenset(f.name for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def model_copy(self: R, *, update: Mapping[str, Any] | None = None) -> R:
        """A copy with `update`'s fields replaced (taken as they are, as pydantic did)."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    def model_dump(
        self, *, exclude_unset: bool = False, exclude: set[str] | None = None, mode: str = "python"
    ) -> dict[str, Any]:
        """The fields as a dict (records within as dicts too); `mode="json"`: as JSON values."""
        keep = self.model_fields_set if exclude_unset else None
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if (keep is not None and f.name not in keep) or (exclude and f.name in exclude):
                continue
            out[f.name] = _dump(getattr(self, f.name), mode)
        return out


def _dump(value: Any, mode: str) -> Any:
    if isinstance(value, Record):
        return value.model_dump(mode=mode)
    if isinstance(value, list):
        return [_dump(v, mode) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, mode) for k, v in value.items()}
    if mode == "json":
        if isinstance(value, dt.date):  # (datetimes too)
            return value.isoformat()
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, SecretStr):
            return str(value)
    return value


# -- one decoder per annotation ------------------------------------------------------------------


def _decoder(hint: Any) -> Decoder:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        inner = _decoder(args[0])
        if UTC_IF_NAIVE in args[1:]:
            return lambda v: _utc_if_naive(inner(v))
        if NONE_IS_EMPTY in args[1:]:
            return lambda v: [] if v is None else inner(v)
        return inner
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"no decoder for {hint!r}")
        if options[0] in _OPTIONAL:  # (most fields: one call each, not two)
            return _OPTIONAL[options[0]]
        inner = _decoder(options[0])
        return lambda v: None if v is None else inner(v)
    if origin is list:
        item = _decoder(args[0])
        return lambda v: [item(x) for x in _sequence(v)]
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda v: {key(k): value(x) for k, x in _mapping(v).items()}
    if isinstance(hint, type):
        if issubclass(hint, Record):
            return hint.model_validate
        if issubclass(hint, enum.Enum):
            return lambda v: _member(hint, v)
        simple = _SIMPLE.get(hint)
        if simple is not None:
            return simple
    raise TypeError(f"no decoder for {hint!r}")


def _string(v: Any) -> str:
    if type(v) is str:
        return v
    if isinstance(v, str) and not isinstance(v, enum.Enum):
        return str(v)
    raise Invalid("is not a string")


def _optional_string(v: Any) -> str | None:
    return v if v is None or type(v) is str else _string(v)


def _optional_datetime(v: Any) -> dt.datetime | None:
    return None if v is None else _datetime(v)


def _integer(v: Any) -> int:
    if isinstance(v, bool):
        raise Invalid("is not an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().lstrip("+-").isdigit() and len(v) < 40:
        return int(v)
    raise Invalid("is not an integer")


def _datetime(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and 0 < len(v) < 64:
        value = dt.datetime.fromisoformat(v)  # (3.11: offsets, "Z" and any fraction digits)
        # Naive or aware, never a mix: comparing the two raises (a naive updated_at in one
        # event stopped the live engine). The contract's naive times are UTC, so is this one.
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        # Shown in the local time zone, or a day added to it, a time within a day of datetime's
        # limits overflows: refused (a backend stores any year; a whole year 9999 still reads).
        if not _EARLIEST <= value <= _LATEST:
            raise Invalid("is out of range")
        return value
    raise Invalid("is not a timestamp")


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=2)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=2)


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        if v.time() != dt.time():
            raise Invalid("is not a date")
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and 0 < len(v) < 32:
        return dt.date.fromisoformat(v)
    raise Invalid("is not a date")


def _secret(v: Any) -> SecretStr:
    if isinstance(v, SecretStr):
        return v
    if isinstance(v, str):
        return SecretStr(v)
    reveal = getattr(v, "get_secret_value", None)  # another library's secret string
    if callable(reveal) and isinstance(value := reveal(), str):
        return SecretStr(value)
    raise Invalid("is not a string")


def _utc_if_naive(value: dt.datetime) -> dt.datetime:
    """Naive timestamps (coaching_sessions.date) are UTC on the wire; make them aware."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _member(kind: type[enum.Enum], v: Any) -> Any:
    if isinstance(v, kind):
        return v
    if isinstance(v, str):
        try:
            return kind(v)
        except ValueError:
            pass
    raise Invalid(f"is not one of {', '.join(str(m.value) for m in kind)}")


def _sequence(v: Any) -> list[Any] | tuple[Any, ...]:
    if isinstance(v, list | tuple):
        return v
    raise Invalid("is not a list")


def _mapping(v: Any) -> Mapping[Any, Any]:
    if isinstance(v, Mapping):
        return v
    raise Invalid("is not an object")


_SIMPLE: dict[type, Decoder] = {
    str: _string,
    int: _integer,
    dt.datetime: _datetime,
    dt.date: _date,
    SecretStr: _secret,
}
_OPTIONAL: dict[type, Decoder] = {str: _optional_string, dt.datetime: _optional_datetime}
