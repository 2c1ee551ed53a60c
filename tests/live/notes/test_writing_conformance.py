"""Our writes against the web app's real notes stack: the real @hocuspocus/server (2.15.3 and
4.7.0) and a participant using the web app's provider and @tiptap/y-tiptap (tests/collab). After
every action the participant loads the document as the web app's editor does — y-tiptap's
`initProseMirrorDoc`, which deletes what the schema rejects, on a copy — and checks it with the
web app's schema; the action must show there as the expected ProseMirror JSON, with nothing
deleted. Skipped (loudly) without Node, as the other conformance tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.notes.blocks import Block, blocks
from coachtui.live.notes.client import NotesConnection
from coachtui.live.notes.compose import parse
from coachtui.live.notes.document import render
from coachtui.live.notes.reports import Me
from coachtui.live.status import ConnState
from tests.live.notes.test_client import Seen, notes
from tests.live.notes.test_conformance import Node, _node_ready, hocuspocus, web_app
from tests.live.notes.test_document import WEBAPP_EVERYTHING
from tests.waiting import HANG, wait_for

Json = dict[str, Any]


def text_of(node: Json) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    return "".join(text_of(child) for child in node.get("content", []))


def find(view: Json, text: str) -> Json:
    """The outermost node of the web app's document whose text contains `text`."""
    return next(node for node in view["content"] if text in text_of(node))


async def seen_by_web_app(browser: Node, condition: Callable[[Json], bool], timeout: float = HANG) -> Json:
    """The web app's view once `condition` holds; each view must load intact and pass the schema."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await browser.send("view")
        answer = await browser.until("view")
        assert answer["error"] is None, answer["error"]
        assert answer["deleted"] is False, "the web app's editor would delete part of it"
        view: Json = answer["view"]
        if condition(view):
            return view
        assert loop.time() < deadline, f"the web app never saw it: {view}"
        await asyncio.sleep(0.05)  # a poll interval between asking the participant again


def at(connection: NotesConnection, text: str) -> Block:
    return next(b for b in blocks(connection.fragment) if text in "".join(x.plain for x in b.lines))


@pytest.mark.parametrize("generation", ["v2", "v4"])
async def test_each_action_reaches_the_web_app_as_its_editor_writes_it(
    head_server: DevServer, generation: str
) -> None:
    _node_ready()
    async with hocuspocus(head_server, generation) as url, web_app(head_server, url) as browser:
        async with notes(head_server, url=url) as (connection, _):
            await wait_for(lambda: connection.status.state is ConnState.CONNECTED)
            await wait_for(lambda: [line.plain for line in render(connection.fragment)] == WEBAPP_EVERYTHING)
            notes_ = connection.writer

            notes_.insert_after(blocks(connection.fragment)[-1], parse("[ ] Call Jordan"))
            view = await seen_by_web_app(browser, lambda v: "Call Jordan" in text_of(v["content"][-1]))
            assert view["content"][-1] == {
                "type": "taskList",
                "content": [
                    {
                        "type": "taskItem",
                        "attrs": {"checked": False},
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "Call Jordan"}]}
                        ],
                    }
                ],
            }

            notes_.insert_after(at(connection, "• two"), parse("joins the bullets"))
            view = await seen_by_web_app(browser, lambda v: "joins the bullets" in text_of(v))
            bullets = find(view, "joins the bullets")
            assert bullets["type"] == "bulletList" and len(bullets["content"]) == 3

            notes_.insert_after(at(connection, "Lists"), parse("## Next steps"))
            view = await seen_by_web_app(browser, lambda v: "Next steps" in text_of(v))
            heading = find(view, "Next steps")
            assert heading["type"] == "heading" and heading["attrs"]["level"] == 2

            notes_.insert_after(at(connection, "Jordan │"), parse("3. after the table"))
            view = await seen_by_web_app(browser, lambda v: "after the table" in text_of(v))
            numbered = find(view, "after the table")
            assert numbered["type"] == "orderedList" and numbered["attrs"]["start"] == 3
            kinds = [node["type"] for node in view["content"]]
            assert kinds.index("orderedList", kinds.index("table")) == kinds.index("table") + 1

            notes_.edit(at(connection, "b i s u"), "bold i s u c h site, see")
            view = await seen_by_web_app(browser, lambda v: ", see" in text_of(v))
            runs = find(view, ", see")["content"]
            assert runs[0] == {"type": "text", "text": "bold", "marks": [{"type": "bold"}]}
            link = next(run for run in runs if run["text"] == " site")
            assert link["marks"][0]["type"] == "link"
            assert link["marks"][0]["attrs"]["href"] == "https://example.com/x"
            assert runs[-1] == {"type": "text", "text": ", see"}

            notes_.tick(at(connection, "open"))
            view = await seen_by_web_app(browser, lambda v: find(v, "open")["content"][0]["attrs"]["checked"])

            notes_.delete(at(connection, "quoted"))
            await seen_by_web_app(browser, lambda v: all(n["type"] != "blockquote" for n in v["content"]))
            assert notes_.undo()
            await seen_by_web_app(browser, lambda v: any(n["type"] == "blockquote" for n in v["content"]))

            # Typing in the same paragraph at the same time: both texts, the same on both sides.
            await browser.send('type ["Zoë", " (coachee)"]')
            notes_.edit(at(connection, "Zoë"), "Zoë écrit 😀 — coach")
            await browser.until("typed")
            expected = "Zoë (coachee) écrit 😀 — coach"
            await seen_by_web_app(browser, lambda v: text_of(find(v, "Zoë")) == expected)
            await wait_for(lambda: expected in [line.plain for line in render(connection.fragment)])
            await wait_for(lambda: connection.unsent == 0)


async def test_changes_made_offline_reach_the_web_app_after_the_reconnect(head_server: DevServer) -> None:
    _node_ready()
    demo = head_server.demo
    assert demo is not None
    async with hocuspocus(head_server) as url, web_app(head_server, url) as browser:
        api = ApiClient(head_server.url)
        await api.login(demo.coach.email, demo.coach.password)
        connection = NotesConnection(
            api,
            demo.today_session_id,
            Seen(),
            me=lambda: Me(demo.coach.user_id, demo.coach.name, "Coach"),
            url=url,
            backoff=Backoff(base=0.05, cap=0.2),
        )
        task = asyncio.ensure_future(connection.run())
        try:
            await wait_for(lambda: connection.status.state is ConnState.CONNECTED)
            task.cancel()  # the connection goes away; the document stays
            await asyncio.gather(task, return_exceptions=True)
            connection.writer.insert_after(blocks(connection.fragment)[-1], parse("[ ] Written offline"))
            connection.writer.tick(at(connection, "Written offline"))
            assert connection.unsent == 2
            await browser.send('type ["Zoë", " meanwhile"]')
            await browser.until("typed")
            task = asyncio.ensure_future(connection.run())  # back, with the same Doc
            view = await seen_by_web_app(browser, lambda v: "Written offline" in text_of(v["content"][-1]))
            assert view["content"][-1]["content"][0]["attrs"]["checked"] is True
            await wait_for(lambda: connection.unsent == 0)
            await wait_for(
                lambda: "Zoë meanwhile écrit 😀" in [line.plain for line in render(connection.fragment)]
            )
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await api.aclose()
