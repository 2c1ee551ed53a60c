"""Every place that emits text to a person or a pipe goes through `coachtui.text`.

This walks the source: each call that writes to a terminal, a toast, the clipboard, a widget
label, JSON output or the log is found, and each value it is given must be a constant, a call to
one of `coachtui.text`'s functions, or an expression reviewed below as holding only coachtui's
own words. A new call with server text in it fails here until it is made safe (or reviewed).
What these calls cannot show (a widget built from a `Text` of inert parts) the rendering tests
check on screen (test_hostile_text.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import coachtui

SRC = Path(coachtui.__file__).parent
STR_METHODS = {"join", "strip", "rstrip", "ljust", "rjust", "lower", "upper"}
SAFE_CALLS = {"inert", "label", "notice", "printable", "clipboard", "json_line", "log_value", "Text", "len"}

# Where text leaves: a terminal line, a toast, the clipboard, a widget label, the log.
TERMINAL = {"print", "write"}
TOAST = {"notify"}
CLIPBOARD = {"copy_to_clipboard"}
LABELS = {"Select", "Checkbox", "WordCheckbox", "RadioButton", "Option", "Button", "Label"}
LOG = {"debug", "info", "warning", "error", "exception", "critical"}
SINKS = TERMINAL | TOAST | CLIPBOARD | LABELS | LOG

# Values reviewed as coachtui's own words (or the user's own input), never the server's; a key
# "module:expression" allows a generic expression in that module only.
REVIEWED = {
    # the user's own command line and configuration
    "server": "the server URL the user gave",
    "url": "the devserver's own URL",
    "url.replace('http://', 'ws://')": "the devserver's own URL",
    "args.profile": "a command-line choice",
    "args.db": "a command-line path",
    "args.kind": "a command-line choice",
    "start": "a date the user gave",
    "end": "a date the user gave",
    "log_path": "our log file's path",
    "path": "our screenshot's path",
    "directory": "our screenshot directory",
    "INSTALL_HINT": "a constant",
    "server_missing_message([top])": "an install hint of ours",
    "cli.py:exc": "only ServerExtraMissing there: an install hint of ours",
    "version_text()": "version numbers",
    "shellcode(['coachtui'], shell=args.shell)": "our shell completion script",
    "email": "the devserver's demo logins (constants)",
    "password": "the devserver's demo logins (constants)",
    "server.demo.today_session_id": "the devserver's own id",
    "note": "a constant chosen in cmd_logout",
    "self.api.host": "the server URL the user gave",
    # built from inert parts where they are made
    "show_text(header, goals, actions, agreements, width)": "show_text writes inert lines",
    "text": "a change summary (changes.py, inert) or our own words",
    "copied": "our words, a noun and a number",
    "at": "a local time we format",
    "counts": "numbers and nouns",
    "what": "a noun of ours (forms.noun)",
    "names": "our pane names",
    "what.lower()": "a noun of ours",
    "options": "editor choices: (Text(label), value) pairs, labels made with text.label in forms.py",
    "entry(report, width)": "a history entry: a Text of inert parts (history.py)",
    "label": "a constant button label of a dialog",
    "v in chosen": "a bool",
    "sequence": "our own terminal sequences (bell, desktop notification made by attention.py)",
    "desktop_sequence('coachtui', body)": "attention.py: title and body inert, ';' replaced",
    # numbers, names of types and enums, shapes
    "method": "an HTTP method",
    "route_shape(path)": "a route with its ids replaced",
    "response.status_code": "a number",
    "attempt": "a number",
    "delay": "a number",
    "pane.value": "an enum value",
    "rows.unreadable": "a number",
    "state.unreadable": "a number",
    "commands.py:verb": "'is' or 'are'",
    "frame.kind": "a number",
    "worker.name": "our worker's name",
    "where": "our worker's name",
    "type(exc).__name__": "an exception class name",
    "type(error).__name__": "an exception class name",
    "exc.strerror or type(exc).__name__": "the OS's words for a local file error",
}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _unsafe_parts(expr: ast.expr) -> Iterator[str]:
    """The parts of `expr` that are neither constants nor made safe by a call."""
    if isinstance(expr, ast.Constant):
        return
    if isinstance(expr, ast.JoinedStr):
        for value in expr.values:
            if isinstance(value, ast.FormattedValue):
                yield from _unsafe_parts(value.value)
        return
    if isinstance(expr, ast.Call) and _name(expr.func) in SAFE_CALLS:
        return
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in STR_METHODS:
        yield from _unsafe_parts(expr.func.value)  # "…".join(parts), text.rstrip(), text.ljust(width)
        if expr.func.attr == "join":
            yield from _unsafe_parts(expr.args[0])
        return
    if isinstance(expr, ast.GeneratorExp | ast.ListComp):
        yield from _unsafe_parts(expr.elt)
        return
    if isinstance(expr, ast.BinOp):
        yield from _unsafe_parts(expr.left)
        yield from _unsafe_parts(expr.right)
        return
    if isinstance(expr, ast.IfExp):
        yield from _unsafe_parts(expr.body)
        yield from _unsafe_parts(expr.orelse)
        return
    if isinstance(expr, ast.List | ast.Tuple):
        for element in expr.elts:
            yield from _unsafe_parts(element)
        return
    yield ast.unparse(expr)


def _calls() -> Iterator[tuple[str, ast.Call, str]]:
    for path in sorted(SRC.rglob("*.py")):
        module = str(path.relative_to(SRC))
        if module.startswith(("devserver/", "demo/")):  # a server, and a client that shows nothing
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in SINKS:
                yield module, node, _name(node.func) or ""


def _is_logger_call(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and _name(call.func.value) in ("log", "logging", "root")


def test_every_sink_gets_safe_text() -> None:
    unsafe = []
    for module, call, sink in _calls():
        if sink in LOG and not _is_logger_call(call):
            continue
        if sink == "write" and module == "private_files.py":  # a file of ours, not a terminal
            continue
        args = call.args[1:] if sink in LOG else call.args  # (a log's format is a constant)
        for arg in args:
            unsafe += [
                f"{module}:{call.lineno} {sink}({part})"
                for part in _unsafe_parts(arg)
                if part not in REVIEWED and f"{module}:{part}" not in REVIEWED
            ]
    assert unsafe == [], "server text may reach these unmade-safe (use coachtui.text):\n" + "\n".join(unsafe)


def test_sinks_exist_where_expected() -> None:
    # The walk finds what it is meant to find (a test that sees nothing would pass anything).
    found = {(module, sink) for module, _, sink in _calls()}
    assert {("tui/app.py", "notify"), ("tui/app.py", "copy_to_clipboard"), ("scripting.py", "print")} <= found
    assert ("tui/screens/editor.py", "Select") in found and ("tui/screens/editor.py", "WordCheckbox") in found


def test_a_toast_never_parses_markup() -> None:
    # Toasts with anything but a constant pass markup=False: a name like [/oops] is text.
    bad = []
    for module, call, sink in _calls():
        if sink != "notify" or all(isinstance(a, ast.Constant) for a in call.args):
            continue
        markup = next((k.value for k in call.keywords if k.arg == "markup"), None)
        if not (isinstance(markup, ast.Constant) and markup.value is False):
            bad.append(f"{module}:{call.lineno}")
    assert bad == []


def test_clipboard_gets_only_clipboard_text() -> None:
    calls = [(m, c) for m, c, sink in _calls() if sink in CLIPBOARD]
    assert calls
    for module, call in calls:
        (arg,) = call.args
        made_safe = isinstance(arg, ast.Call) and _name(arg.func) == "clipboard"
        if not made_safe:  # a name: assigned from clipboard(...) in the same function
            assert isinstance(arg, ast.Name), f"{module}:{call.lineno}"
            source = (SRC / module).read_text(encoding="utf-8")
            assert f"{arg.id} = clipboard(" in source, f"{module}:{call.lineno} copies unfiltered text"


def test_json_output_goes_through_json_line() -> None:
    # json.dumps leaves C1 controls and bidi overrides raw: output uses text.json_line. The
    # modules allowed json.dumps write files of ours or frames to the server, not a terminal.
    allowed = {"text.py", "drafts.py", "credentials.py", "live/notes/client.py"}
    users = {
        module
        for module, node in (
            (str(p.relative_to(SRC)), n)
            for p in SRC.rglob("*.py")
            for n in ast.walk(ast.parse(p.read_text()))
        )
        if isinstance(node, ast.Attribute)
        and node.attr == "dumps"
        and isinstance(node.value, ast.Name)
        and node.value.id == "json"
        and not module.startswith("devserver/")
    }
    assert users <= allowed, users - allowed
