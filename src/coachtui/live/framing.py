"""Bytes → server-sent events, bounded in memory.

Lines may end in CRLF, CR or LF and split anywhere across chunks, a multi-byte character
included. One line or one event's data above `max_event_bytes` is dropped (and reported as
`Oversized`, so its pane can reload) instead of growing without limit. Field parsing is
httpx-sse's `SSEDecoder`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from httpx_sse import ServerSentEvent
from httpx_sse._decoders import SSEDecoder

MAX_EVENT_BYTES = 1024 * 1024
_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Oversized:
    event: str | None


class LineSplitter:
    """Splits text into lines in time linear in the text fed: each chunk is scanned once, and
    the unfinished line is kept as a list of pieces, joined once when it ends (a 1 MB line
    arriving 64 bytes at a time costs what the 1 MB costs, not 16,000 rescans of it)."""

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._pieces: list[str] = []  # the unfinished line
        self._size = 0
        self._skip_lf = False  # the last chunk ended in CR: a leading LF belongs to it
        self._overflow = False  # inside a line that is too long; discard until its end

    def feed(self, text: str) -> list[str | None]:
        """Complete lines; `None` stands for a line dropped for its size."""
        if self._skip_lf and text.startswith("\n"):
            text = text[1:]
        self._skip_lf = False
        out: list[str | None] = []
        pos = 0
        for match in _EOL.finditer(text):
            if self._overflow:
                self._overflow = False
                out.append(None)
            else:
                self._pieces.append(text[pos : match.start()])
                out.append("".join(self._pieces))
            self._pieces, self._size = [], 0
            pos = match.end()
            if match.group() == "\r" and pos == len(text):
                self._skip_lf = True
        if self._overflow or pos == len(text):
            return out
        self._pieces.append(text[pos:])
        self._size += len(text) - pos
        if self._size > self.max_line:
            self._pieces, self._size = [], 0
            self._overflow = True
        return out


async def iter_sse(
    chunks: AsyncIterator[bytes], max_event_bytes: int = MAX_EVENT_BYTES
) -> AsyncIterator[ServerSentEvent | Oversized]:
    text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = LineSplitter(max_event_bytes)
    decoder = SSEDecoder()
    data_size = 0
    dropped = False
    event_name: str | None = None
    first = True
    async for chunk in chunks:
        text = text_decoder.decode(chunk)
        if first and text:
            text = text.removeprefix("\ufeff")
            first = False
        for line in lines.feed(text):
            if line is None:
                dropped = True
                continue
            if line == "":
                if dropped:
                    decoder = SSEDecoder()
                    yield Oversized(event_name)
                else:
                    sse = decoder.decode("")
                    if sse is not None and (sse.data or sse.retry is not None):
                        yield sse
                data_size, dropped, event_name = 0, False, None
                continue
            if line.startswith("event:"):
                event_name = line[6:].removeprefix(" ")
            if line.startswith("data"):
                data_size += len(line)
                if data_size > max_event_bytes:
                    dropped = True
                    continue
            if not dropped:
                decoder.decode(line)
