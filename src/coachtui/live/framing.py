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
    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._buf = ""
        self._skip_lf = False  # the last chunk ended in CR: a leading LF belongs to it
        self._overflow = False  # inside a line that is too long; discard until its end

    def feed(self, text: str) -> list[str | None]:
        """Complete lines; `None` stands for a line dropped for its size."""
        if self._skip_lf and text.startswith("\n"):
            text = text[1:]
        self._skip_lf = False
        self._buf += text
        out: list[str | None] = []
        pos = 0
        for match in _EOL.finditer(self._buf):
            line = self._buf[pos : match.start()]
            pos = match.end()
            if self._overflow:
                self._overflow = False
                out.append(None)
            else:
                out.append(line)
            if match.group() == "\r" and pos == len(self._buf):
                self._skip_lf = True
        self._buf = self._buf[pos:]
        if len(self._buf) > self.max_line:
            self._buf = ""
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
