"""A block the other participant deletes stays safe to hold: reading it later never crashes the
process, and it is written again as it was (a heading its level, a task its tick)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a child process: what this guards against is a segfault (pycrdt reading freed memory
# through the handle of an element deleted elsewhere), which would take the test run with it.
SCENARIO = textwrap.dedent(
    """
    from pycrdt import Doc, XmlElement, XmlFragment, XmlText

    from coachtui.live.notes.blocks import blocks, notes_doc
    from coachtui.live.notes.compose import like

    for n in range(300):  # (freed memory is reused within a few rounds: a crash comes early)
        ours = notes_doc()
        fragment = ours.get("default", type=XmlFragment)
        heading = XmlElement("heading", {"level": 3.0}, [XmlText(f"Goals {n}")])
        fragment.children.append(heading)
        task_list = fragment.children.append(XmlElement("taskList"))
        item = task_list.children.append(XmlElement("taskItem", {"checked": True}))
        item.children.append(XmlElement("paragraph", {}, [XmlText("call the vendor")]))
        held = blocks(fragment)  # what the composer and the cursor hold
        theirs = Doc()
        theirs.apply_update(ours.get_update())
        their_fragment = theirs.get("default", type=XmlFragment)
        with theirs.transaction():
            del their_fragment.children[0]
            del their_fragment.children[0]
        ours.apply_update(theirs.get_update(ours.get_state()))
        for i in range(20):  # new content, where the deleted elements' memory was
            fragment.children.append(XmlElement("paragraph", {"n": i}, [XmlText("x" * 50)]))
        assert [(d.kind, d.level, d.checked) for d in (like(b, "again") for b in held)] == [
            ("heading", 3, False),
            ("task", 0, True),
        ]
        for block in held:
            block.text()  # (the deleted text: safe to read, whatever it says)
        now = blocks(fragment)
        assert not any(b.element == h.element for b in now for h in held)
    print("ok")
    """
)


def test_blocks_deleted_elsewhere_stay_safe_to_read_and_are_written_again_as_they_were() -> None:
    done = subprocess.run([sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:] or done.returncode
