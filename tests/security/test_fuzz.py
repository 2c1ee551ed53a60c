"""Hostile bytes on the event stream: nothing escapes, memory stays bounded, the stream goes on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from coachtui.api.client import ApiClient
from coachtui.live.connection import SseConnection
from coachtui.live.events import KNOWN, LiveEvent, Malformed, Upsert, decode
from coachtui.live.framing import LineSplitter, iter_sse
from tests.live.helpers import Recorder

LIMIT = 4096
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
chunks = st.lists(st.binary(max_size=600), max_size=30)
sse_like = st.lists(
    st.sampled_from(
        [
            b"event: action_created\n",
            b"data: {\n",
            b"data: x\r\n",
            b"\r",
            b"\n",
            b":\n\n",
            b"retry: 9\n",
            b"id: \x00\n",
            b"\xff\xfe",
            "é☕".encode(),
            b"data: " + b"y" * 3000,
        ]
    ),
    max_size=40,
)


async def feed(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@settings(max_examples=300, deadline=None)
@given(st.one_of(chunks, sse_like))
async def test_framing_never_raises_and_stays_bounded(parts: list[bytes]) -> None:
    async for item in iter_sse(feed(parts), LIMIT):
        if hasattr(item, "data"):
            assert len(item.data) <= LIMIT + 64


@given(st.lists(st.text(max_size=200), max_size=20))
def test_line_buffer_is_bounded(texts: list[str]) -> None:
    splitter = LineSplitter(100)
    for text in texts:
        splitter.feed(text)
        assert splitter._size <= 100 and sum(map(len, splitter._pieces)) == splitter._size


@settings(max_examples=300, deadline=None)  # (no timing: a loaded machine is slow, not wrong)
@given(st.sampled_from([*sorted(KNOWN), "message", "other"]), json_values)
def test_decoding_any_json_never_raises(event: str, payload: object) -> None:
    for body in ({"type": event, "data": payload}, payload):
        result = decode(event, json.dumps(body))
        assert result is not None


@given(st.text(max_size=300))
def test_decoding_any_text_never_raises(data: str) -> None:
    assert decode("action_created", data) is not None


@settings(max_examples=60, deadline=None)
@given(chunks)
async def test_junk_then_a_good_event_is_still_delivered(parts: list[bytes]) -> None:
    good = (
        b'\n\nevent: action_created\ndata: {"type":"action_created","data":{"coaching_session_id":"s",'
        b'"action":{"id":"ok","coaching_session_id":"s","status":"Completed"}}}\n\n'
    )

    def handler(request: httpx.Request) -> httpx.Response:
        # junk, then a blank line to end whatever the junk started, then a real event
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=b"".join(parts).replace(b"\r", b"") + good,
        )

    api = ApiClient("http://fuzz", cookie="c" * 22, user_id="u", transport=httpx.MockTransport(handler))
    recorder = Recorder()
    events = recorder.events
    conn = SseConnection(api, recorder, max_event_bytes=1 << 20)
    async with api:
        response = await api._http.get("http://fuzz/sse")
        await conn._consume(response)
    assert any(isinstance(e, Upsert) and e.entity.id == "ok" for e in events)
    assert all(isinstance(e, LiveEvent.__args__) for e in events)
    assert not any(isinstance(e, Malformed) and e.type == "ok" for e in events)
