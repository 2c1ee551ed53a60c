"""Property: any sequence of our notes actions, interleaved with a participant's typing and with
messages delivered late, lost and resent on reconnect, keeps both copies valid under the web
app's schema at every step and ends with the same document on both sides.

Pure pycrdt for speed (the schema as `schema.problems` mirrors it); a few seeded runs are then
loaded by the web app's own editor stack in Node (`initProseMirrorDoc` + `check()`)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from coachtui.live.notes.blocks import blocks, find, notes_doc
from coachtui.live.notes.compose import parse
from coachtui.live.notes.document import render
from coachtui.live.notes.schema import problems
from coachtui.live.notes.writes import NotesWriter
from tests.live.notes.test_conformance import COLLAB, _node_ready, node

START = (Path(__file__).parent / "fixtures" / "webapp-everything.bin").read_bytes()
ALPHABET = "ab é😀\n"
PREFIXES = ["", "", "[ ] ", "[x] ", "- ", "1. ", "## "]


@dataclass
class World:
    ours: Doc[Any]
    theirs: Doc[Any]
    writer: NotesWriter
    to_them: list[bytes] = field(default_factory=list)
    to_us: list[bytes] = field(default_factory=list)
    # One ordered connection, as a WebSocket is: once a message is lost the connection is gone,
    # and nothing more goes either way until the reconnect's Step1/Step2 exchange.
    connected: bool = True

    @classmethod
    def new(cls) -> World:
        ours = notes_doc()  # (as the client holds it)
        theirs: Doc[Any] = Doc()
        ours.apply_update(START)
        theirs.apply_update(START)
        world = cls(ours, theirs, NotesWriter(ours, ours.get("default", type=XmlFragment)))
        world.writer.on_change = world.send
        return world

    def send(self, update: bytes) -> None:
        if self.connected:  # else the reconnect's Step2 carries it (NotesConnection does so)
            self.to_them.append(update)

    @property
    def their_fragment(self) -> XmlFragment:
        fragment: XmlFragment = self.theirs.get("default", type=XmlFragment)
        return fragment

    def step(self, action: tuple[Any, ...]) -> None:
        kind, pick, a, b, text = action
        found = blocks(self.writer.fragment)
        if kind == "insert":
            after = found[pick % len(found)] if found and pick % 5 else None
            self.writer.insert_after(after, parse(text))
        elif kind == "edit":
            editable = [x for x in found if x.editable]
            if editable:
                target = editable[pick % len(editable)]
                old = target.text()
                low, high = sorted((a % (len(old) + 1), b % (len(old) + 1)))
                self.writer.edit(target, old[:low] + text + old[high:])
        elif kind == "compose":  # the composer opens, the coachee's typing arrives, then ctrl+s
            editable = [x for x in found if x.editable]
            if editable:
                target = editable[pick % len(editable)]
                base = target.text()
                self.deliver()
                low, high = sorted((a % (len(base) + 1), b % (len(base) + 1)))
                if find(self.writer.fragment, target.element) is not None:
                    self.writer.edit(target, base[:low] + text + base[high:], base=base)
        elif kind == "tick":
            tasks = [x for x in found if x.kind == "task"]
            if tasks:
                self.writer.tick(tasks[pick % len(tasks)])
        elif kind == "delete":
            if found:
                self.writer.delete(found[pick % len(found)])
        elif kind == "undo":
            self.writer.undo()
        elif kind in ("type", "erase"):
            texts = _texts(self.their_fragment)
            if texts:
                target = texts[pick % len(texts)]
                old = "".join(str(chunk) for chunk, _ in target.diff())  # str() shows marks as tags
                before = self.theirs.get_state()
                low, high = sorted((a % (len(old) + 1), b % (len(old) + 1)))
                with self.theirs.transaction():
                    if kind == "type":
                        target.insert(_utf8(old, low), text.replace("\n", " "))
                    elif high > low:
                        del target[_utf8(old, low) : _utf8(old, high)]
                self.receive(self.theirs.get_update(before))
        elif kind == "append":
            before = self.theirs.get_state()
            with self.theirs.transaction():
                self.their_fragment.children.append(XmlElement("paragraph", None, [XmlText(text or "x")]))
            self.receive(self.theirs.get_update(before))
        elif kind == "deliver":
            self.deliver()
        elif kind == "drop":  # the connection goes: what was on the wire is lost
            self.to_them.clear()
            self.to_us.clear()
            self.connected = False
        elif kind == "reconnect":  # Step1/Step2 both ways: what the other lacks
            self.resync()

    def receive(self, update: bytes) -> None:
        if self.connected:
            self.to_us.append(update)

    def deliver(self) -> None:
        for update in self.to_them:
            self.theirs.apply_update(update)
        for update in self.to_us:
            self.ours.apply_update(update)
        self.to_them.clear()
        self.to_us.clear()

    def resync(self) -> None:
        self.theirs.apply_update(self.ours.get_update(self.theirs.get_state()))
        self.ours.apply_update(self.theirs.get_update(self.ours.get_state()))
        self.to_them.clear()
        self.to_us.clear()
        self.connected = True

    def check(self) -> None:
        assert problems(self.writer.fragment) == []
        assert problems(self.their_fragment) == []


def _texts(fragment: XmlFragment) -> list[XmlText]:
    out: list[XmlText] = []

    def walk(node: Any) -> None:
        for child in node.children:
            if isinstance(child, XmlText):
                out.append(child)
            elif isinstance(child, XmlElement):
                walk(child)

    walk(fragment)
    return out


def _utf8(text: str, at: int) -> int:
    return len(text[:at].encode("utf-8"))


KINDS = [
    "insert",
    "edit",
    "compose",
    "tick",
    "delete",
    "undo",
    "type",
    "erase",
    "append",
    "deliver",
    "drop",
    "reconnect",
]
texts = st.text(alphabet=ALPHABET, max_size=6)
actions = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 60),
    st.integers(0, 40),
    st.integers(0, 40),
    st.builds(lambda prefix, body: prefix + body, st.sampled_from(PREFIXES), texts),
)


def play(steps: list[tuple[Any, ...]]) -> World:
    world = World.new()
    for action in steps:
        world.step(action)
        world.check()
    world.resync()
    world.check()
    return world


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=25))
def test_any_interleaving_stays_valid_and_converges(steps: list[tuple[Any, ...]]) -> None:
    world = play(steps)
    ours, theirs = world.writer.fragment, world.their_fragment
    assert [line.plain for line in render(ours)] == [line.plain for line in render(theirs)]
    assert tree(ours) == tree(theirs)


def tree(node: Any) -> Any:
    """A node as comparable data: tags, attributes, text runs with their marks."""
    if isinstance(node, XmlText):
        return [(str(text), json.dumps(attrs, sort_keys=True)) for text, attrs in node.diff()]
    attrs = {} if isinstance(node, XmlFragment) else dict(node.attributes)
    return (getattr(node, "tag", None), sorted(attrs.items()), [tree(child) for child in node.children])


def seeded(seed: int, length: int = 40) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    return [
        (
            rng.choice(KINDS),
            rng.randrange(61),
            rng.randrange(41),
            rng.randrange(41),
            rng.choice(PREFIXES) + "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(7))),
        )
        for _ in range(length)
    ]


async def test_seeded_runs_load_intact_in_the_web_apps_editor() -> None:
    _node_ready()
    documents = []
    for seed in range(6):
        world = play(seeded(seed))
        documents.append(base64.b64encode(world.ours.get_update()).decode())
    async with node("check.mjs") as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(("\n".join(documents) + "\n").encode())
        await process.stdin.drain()
        process.stdin.close()
        for _ in documents:
            answer = json.loads(await asyncio.wait_for(process.stdout.readline(), 15))
            assert answer == {"error": None, "deleted": False}, answer
    assert (COLLAB / "check.mjs").is_file()
