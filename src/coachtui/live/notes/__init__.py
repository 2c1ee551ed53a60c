"""The session's shared notes and who is here: a read-only Hocuspocus client (lib0 framing, Yjs
sync through pycrdt, awareness), the document rendered as terminal-neutral lines, and presence.
No Textual: the TUI turns the lines into styled text."""
