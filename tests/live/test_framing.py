from __future__ import annotations

import json
from collections.abc import AsyncIterator

from httpx_sse import ServerSentEvent

from coachtui.live.events import Delete, Malformed, NotShown, Pane, Unknown, Upsert, decode
from coachtui.live.framing import Oversized, iter_sse


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def collect(*parts: bytes, limit: int = 1024 * 1024) -> list[ServerSentEvent | Oversized]:
    return [e async for e in iter_sse(chunks_of(*parts), limit)]


async def test_line_endings_and_splits() -> None:
    body = 'event: x\ndata: {"k":"é"}\n\n'.encode()
    for eol in (b"\n", b"\r\n", b"\r"):
        raw = body.replace(b"\n", eol)
        for cut in range(1, len(raw)):
            events = await collect(raw[:cut], raw[cut:])
            assert [(e.event, e.data) for e in events if isinstance(e, ServerSentEvent)] == [
                ("x", '{"k":"é"}')
            ], (eol, cut)


async def test_multibyte_split_across_chunks_and_bom() -> None:
    raw = "\ufeffdata: ☕\n\n".encode()
    events = await collect(*[raw[i : i + 1] for i in range(len(raw))])
    assert [e.data for e in events if isinstance(e, ServerSentEvent)] == ["☕"]


async def test_comments_empty_frames_and_retry() -> None:
    events = await collect(b":\n\n: ping\n\nevent: lonely\n\nretry: 5000\n\ndata: a\ndata: b\n\n")
    sse = [e for e in events if isinstance(e, ServerSentEvent)]
    assert [(e.data, e.retry) for e in sse] == [("", 5000), ("a\nb", None)]


async def test_oversized_event_is_dropped_and_reported() -> None:
    big = b"event: action_created\ndata: " + b"x" * 5000 + b"\n\ndata: ok\n\n"
    events = await collect(big[:100], big[100:], limit=1000)
    assert isinstance(events[0], Oversized) and events[0].event == "action_created"
    assert isinstance(events[1], ServerSentEvent) and events[1].data == "ok"


def test_decode_routes_and_never_raises() -> None:
    action = {"id": "a1", "coaching_session_id": "s1", "status": "OnHold", "assignee_ids": []}
    e = decode(
        "action_created",
        json.dumps({"type": "action_created", "data": {"coaching_session_id": "s1", "action": action}}),
    )
    assert isinstance(e, Upsert) and e.pane is Pane.ACTIONS and e.session_id == "s1"
    e = decode(
        "agreement_deleted",
        '{"type":"agreement_deleted","data":{"coaching_session_id":"s1","agreement_id":"x"}}',
    )
    assert isinstance(e, Delete) and e.pane is Pane.AGREEMENTS
    seed = (
        '{"type":"overarching_goal_updated","data":{"coaching_relationship_id":"r1","overarching_goal":'
        '{"id":"g","coaching_session_id":"s9","status":"InProgress"}}}'
    )
    e = decode("overarching_goal_updated", seed)
    assert isinstance(e, Upsert) and e.session_id == "s9" and e.relationship_id == "r1"
    assert isinstance(
        decode("topics_changed", '{"type":"topics_changed","data":{"coaching_session_id":"s"}}'), NotShown
    )
    assert isinstance(decode("made_up", '{"type":"made_up","data":{}}'), Unknown)
    assert decode("action_created", "{not json") == Malformed("action_created", Pane.ACTIONS)
    assert decode("action_updated", '{"type":"action_updated","data":{"action":{"id":1}}}') == Malformed(
        "action_updated", Pane.ACTIONS
    )
    assert isinstance(decode("x", "[1,2]"), Unknown)
