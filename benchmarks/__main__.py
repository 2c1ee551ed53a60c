"""Run every benchmark, print one table, write benchmarks/RESULTS.md.

`python -m benchmarks` runs the full sizes (a few minutes); `--tiny` runs each once, small, which
is what the test suite does so that no benchmark rots. Targets are checked here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import editing, headless, latency, notes, screen, watch
from benchmarks.common import median, pct


@dataclass(frozen=True)
class Sizes:
    events: int = 500
    rate: float = 20.0
    rounds: int = 3  # latency runs per network; medians of the per-run percentiles are quoted
    slow_events: int = 100  # the 50 ms RTT run at 5 events/s
    per_kind: int = 20
    coarse_burst: int = 200
    entity_burst: int = 1000
    presses: int = 40
    key_rounds: int = 10
    large: tuple[int, ...] = (50, 500, 5000)
    updates: int = 50
    launches: int = 3  # first-paint launches per size; the median is quoted
    startup_runs: int = 15
    memory_events: int = 10_000
    memory_warmup: int = 5_000  # Textual's render caches (bounded LRUs) fill during the first ~4,000
    settle: float = 1.0  # seconds a measurement waits for the app to settle (RSS, GC)
    notes_edits: int = 100
    notes_rate: float = 10.0
    notes_paragraphs: int = 2000
    text_keys: int = 10  # keys typed in each large text

    @classmethod
    def tiny(cls) -> Sizes:
        return cls(
            events=10,
            rounds=1,
            slow_events=5,
            per_kind=2,
            coarse_burst=20,
            entity_burst=50,
            presses=3,
            key_rounds=1,
            large=(10,),
            updates=5,
            launches=1,
            startup_runs=1,
            memory_events=100,
            memory_warmup=50,
            settle=0.1,
            notes_edits=5,
            notes_paragraphs=50,
            text_keys=2,
        )


@dataclass
class Row:
    metric: str
    coachtui: float | str
    other: float | str = ""
    ratio: float | str = ""
    target: str = ""
    met: bool | None = None


def fmt(value: float | str, digits: int = 1) -> str:
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "n/a"
    return f"{value:.{digits}f}"


def _latency(sizes: Sizes, label: str, one_way: float, events: int, rate: float) -> list[Row]:
    rows: list[Row] = []
    runs = [latency.run(events, rate, one_way) for _ in range(sizes.rounds)]
    app = {q: median([pct(r.app, q) for r in runs]) for q in (50, 95, 99)}
    floor = {q: median([pct(r.floor, q) for r in runs]) for q in (50, 99)}
    peer = {q: median([pct(r.peer, q) for r in runs]) for q in (50, 99)}
    worst = max(max(r.app, default=math.nan) for r in runs)
    rows.append(
        Row(
            f"{label}: event→screen p50 (ms) vs floor",
            app[50],
            floor[50],
            app[50] - floor[50],
            "p50 ≤ 30; coachtui−floor ≤ 33 (2 frames)" if not one_way else "",
            (app[50] <= 30 and app[50] - floor[50] <= 33.4) if not one_way else None,
        )
    )
    rows.append(
        Row(
            f"{label}: event→screen p95 / p99 / max (ms)",
            f"{fmt(app[95])} / {fmt(app[99])} / {fmt(worst)}",
            f"floor p99 {fmt(floor[99])}",
            "",
            "p99 ≤ 80" if not one_way else "",
            app[99] <= 80 if not one_way else None,
        )
    )
    rows.append(
        Row(
            f"{label}: coachtui vs web-app peer p50 (ms)",
            app[50],
            peer[50],
            app[50] / peer[50],
            "ratio ≤ 0.7" if one_way else "",
            app[50] / peer[50] <= 0.7 if one_way else None,
        )
    )
    app_req = median([r.app_requests_per_event for r in runs])
    peer_req = median([r.peer_requests_per_event for r in runs])
    rows.append(
        Row(
            f"{label}: REST requests per entity event (peer: per event it received)",
            app_req,
            peer_req,
            "",
            "= 0 (the peer refetches: 1)",
            app_req == 0,
        )
    )
    return rows


def _watch(sizes: Sizes) -> list[Row]:
    runs = [watch.run(sizes.events, sizes.rate) for _ in range(sizes.rounds)]
    mine = {q: median([pct(r.watch, q) for r in runs]) for q in (50, 99)}
    floor = {q: median([pct(r.floor, q) for r in runs]) for q in (50, 99)}
    return [
        Row(
            "`coachtui watch --json`: event→line p50 (ms) vs bare httpx-sse floor",
            mine[50],
            floor[50],
            mine[50] - floor[50],
            "watch−floor ≤ 2 at p50",
            mine[50] - floor[50] <= 2,
        ),
        Row(
            "`coachtui watch --json`: event→line p99 (ms) vs floor",
            mine[99],
            floor[99],
            mine[99] - floor[99],
        ),
    ]


def _notes(sizes: Sizes) -> list[Row]:
    result = notes.run(sizes.notes_edits, sizes.notes_rate, sizes.notes_paragraphs)
    app = {q: pct(result.app_ms, q) for q in (50, 99)}
    floor = {q: pct(result.floor_ms, q) for q in (50, 99)}
    return [
        Row(
            f"notes: edit → screen p50 (ms) vs a bare pycrdt client, {len(result.app_ms)} edits at "
            f"{fmt(sizes.notes_rate, 0)}/s",
            app[50],
            floor[50],
            app[50] - floor[50],
            "coachtui−floor ≤ 33 (2 frames)",
            app[50] - floor[50] <= 33.4,
        ),
        Row("notes: edit → screen p99 (ms) vs floor", app[99], floor[99], app[99] - floor[99]),
        Row(
            f"notes: {result.paragraphs} paragraphs, launch → first paint (s) vs the bare client's sync",
            result.first_paint_s,
            result.floor_sync_s,
            "",
            "≤ 1.0 s",
            result.first_paint_s <= 1.0,
        ),
        Row(
            f"notes: RSS with {result.paragraphs} paragraphs open (MB) vs the demo's notes",
            result.rss_mb,
            result.rss_empty_mb,
            result.rss_mb - result.rss_empty_mb,
        ),
    ]


def _requests(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    per_event = headless.requests_per_event(sizes.per_kind)
    for kind, value in per_event.by_kind.items():
        expected = 1 if kind.startswith("coarse") else 0
        rows.append(Row(f"requests per event: {kind}", value, "", "", f"= {expected}", value == expected))
    rows.append(
        Row(
            "repaints for other-session events",
            float(per_event.repaints_other_session),
            "",
            "",
            "= 0",
            per_event.repaints_other_session == 0,
        )
    )
    return rows


def _burst(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    burst = headless.coarse_burst(sizes.coarse_burst)
    # A machine too busy to send the burst within a second measures another burst: no verdict.
    within = "in <1 s" if burst.sent_in < 1 else f"sent in {burst.sent_in:.1f} s, not <1 s"
    rows.append(
        Row(
            f"coarse burst of {burst.coarse_events} {within} → REST reloads",
            float(burst.reloads),
            "",
            "",
            "≤ 2",
            burst.reloads <= 2 if burst.sent_in < 1 else None,
        )
    )
    return rows


def _keys(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    keys = screen.key_press_under_load(sizes.entity_burst, 1.0, sizes.presses, sizes.key_rounds)
    rows.append(
        Row(
            f"key → screen (`?` opens the help) during {keys.events} events in 1 s, each marked and "
            f"noticed: "
            f"p50 / p99 (ms), {len(keys.samples_ms)} presses",
            f"{fmt(pct(keys.samples_ms, 50))} / {fmt(pct(keys.samples_ms, 99))}",
            "",
            "",
            "p99 ≤ 100",
            pct(keys.samples_ms, 99) <= 100,
        )
    )
    return rows


def _editing(sizes: Sizes) -> list[Row]:
    measured = editing.run(sizes.presses, sizes.rate, max(2, sizes.presses // 4))
    x, per_edit, echo = measured.x, measured.per_edit, measured.echo
    plain = {k: v for k, v in per_edit.by_edit.items() if "goal" not in k}
    echo_repaints = echo.row_updates - echo.expected
    return [
        Row(
            f"key `x` → row repainted (optimistic, marked saving) during {fmt(x.rate, 0)} events/s: "
            f"p50 / p99 (ms), {len(x.samples_ms)} presses",
            f"{fmt(pct(x.samples_ms, 50))} / {fmt(pct(x.samples_ms, 99))}",
            "",
            "",
            "p99 ≤ 50",
            pct(x.samples_ms, 99) <= 50,
        ),
        Row(
            "REST requests per local edit (" + ", ".join(f"{k} {v}" for k, v in plain.items()) + ")",
            max(plain.values()),
            "",
            "",
            "= 1",
            all(v == 1 for v in plain.values()),
        ),
        Row(
            "REST requests: new goal in the session (its answer is incomplete, §5.6: pane reloaded)",
            per_edit.by_edit["editor: new goal in the session"],
            "",
            "",
            "",
            None,
        ),
        Row(
            f"repaints caused by the edit's own echo ({echo.edits} × x)",
            echo_repaints,
            "",
            "",
            "= 0",
            echo_repaints == 0,
        ),
    ]


def _large_texts(sizes: Sizes) -> list[Row]:
    """What a text's size adds to opening the editor and to each key, over a short text's
    (under Pilot, whose own overhead per key both include)."""
    rows: list[Row] = []
    texts = editing.large_texts(sizes.text_keys)
    short = texts[0]
    short_key = pct(short.key_ms, 50)
    rows.append(
        Row(
            f"editor on a short action: enter → shown / key → drawn p50 (ms), {len(short.key_ms)} keys",
            f"{fmt(short.open_ms)} / {fmt(short_key)}",
        )
    )
    for text in texts[1:]:
        named = not text.key_ms
        extra_open = text.open_ms - short.open_ms
        extra_key = math.nan if named else pct(text.key_ms, 50) - short_key
        rows.append(
            Row(
                f"editor on a coachee's action, {text.shape} ({text.chars:,} characters): "
                + ("enter → shown (ms)" if named else "enter → shown / key → drawn p50 (ms)")
                + " vs the short action",
                fmt(text.open_ms) if named else f"{fmt(text.open_ms)} / {fmt(pct(text.key_ms, 50))}",
                fmt(short.open_ms) if named else f"{fmt(short.open_ms)} / {fmt(short_key)}",
                f"+{fmt(extra_open)}" if named else f"+{fmt(extra_open)} / +{fmt(extra_key)}",
                "open +≤ 500" + ("" if named else ", key +≤ 30"),
                extra_open <= 500 and (named or extra_key <= 30),
            )
        )
    return rows


def _large(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    large = [screen.large_session(n - 7, sizes.updates, sizes.launches) for n in sizes.large]
    for result in large:
        rows.append(
            Row(
                f"{result.actions} actions: first full paint (s) / one update (ms)",
                f"{fmt(result.first_paint_s, 2)} / {fmt(result.update_median_ms, 3)}",
                "",
                "",
                "paint ≤ 1.0 s" if result is large[-1] else "",
                result.first_paint_s <= 1.0 if result is large[-1] else None,
            )
        )
    ratio = large[-1].update_median_ms / large[0].update_median_ms
    rows.append(
        Row(f"update cost ratio {large[-1].actions}/{large[0].actions}", ratio, "", "", "≤ 2", ratio <= 2)
    )
    return rows


def _startup(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    start = screen.startup(sizes.startup_runs)
    rows.append(
        Row(
            "`coachtui --help` wall (ms) vs `python -c pass`",
            start.help_ms,
            start.python_ms,
            start.help_ms / start.python_ms,
            "≤ 3×, no Textual",
            start.help_ms / start.python_ms <= 3 and not start.textual_imported,
        )
    )
    ratio = start.first_screen_s / start.bare_s
    rows.append(
        Row(
            "`coachtui session <id>` → session data painted (s, wall) vs a bare Textual app "
            "(header, DataTable of 3 rows, footer), same run",
            start.first_screen_s,
            start.bare_s,
            ratio,
            "≤ 2×",
            ratio <= 2,
        )
    )
    cpu_ratio = start.first_screen_cpu_s / start.bare_cpu_s
    rows.append(
        Row(
            "the same in CPU time (s, user+sys, until painted) vs the bare app",
            start.first_screen_cpu_s,
            start.bare_cpu_s,
            cpu_ratio,
            "≤ 2×",
            cpu_ratio <= 2,
        )
    )
    return rows


def _memory(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    mem = screen.memory(
        sizes.memory_events, max(sizes.settle, sizes.memory_events / 1000), sizes.memory_warmup, sizes.settle
    )
    growth = (mem.after_kb - mem.warm_kb) / 1024
    rows.append(
        Row(
            f"RSS after warm-up (MB) / growth over {mem.events} events (MB)",
            f"{fmt(mem.warm_kb / 1024)} / {fmt(growth)}",
            "",
            "",
            "growth ≤ 5",
            growth <= 5,
        )
    )
    return rows


def _reconnect(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    rec = headless.reconnect()
    rows.append(
        Row(
            "server restart → Connected and all panes resynced (s)",
            rec.seconds_to_resynced,
            f"first backoff {fmt(rec.first_backoff_nominal)} s nominal",
        )
    )
    return rows


# One entry per benchmark, so the test suite can run each on its own (and in parallel).
PARTS: dict[str, Callable[[Sizes], list[Row]]] = {
    "latency loopback": lambda sizes: _latency(sizes, "loopback", 0.0, sizes.events, sizes.rate),
    "latency 50 ms RTT": lambda sizes: _latency(sizes, "50 ms RTT", 0.025, sizes.events, sizes.rate),
    # At 20 events/s an edit comes every 50 ms, one round trip: the peer's refetch for edit i−1
    # often already carries edit i. At 5/s each refetch pays the full round trip.
    "latency 50 ms RTT, 5/s": lambda sizes: _latency(
        sizes, "50 ms RTT, 5 events/s", 0.025, sizes.slow_events, 5.0
    ),
    "requests per event": _requests,
    "coarse burst": _burst,
    "key presses under load": _keys,
    "large sessions": _large,
    "start-up": _startup,
    "memory": _memory,
    "reconnect": _reconnect,
    "editing": _editing,
    "large texts": _large_texts,
    "watch": _watch,
    "notes": _notes,
}


def run(sizes: Sizes, only: list[str] | None = None) -> list[Row]:
    return [row for name, part in PARTS.items() if not only or name in only for row in part(sizes)]


NOTES = """\
How to read it:
- Latency runs from the server's write of an event to the terminal's receipt of the bytes that draw
  it (the app runs in a pseudo-terminal). The floor is a bare httpx-sse reader; the peer refetches
  the pane over REST on every event, as the web app does, and is timed when its response arrives,
  without drawing anything, so over loopback it looks faster than an app that draws.
- At 20 events/s over a 50 ms round trip an edit arrives every round trip, so the peer's refetch
  for edit i-1 often already carries edit i: that flatters the peer (see the 5 events/s rows).
- Key presses: the benchmark terminal answers the synchronized-output query as modern terminals
  do, and a press counts as shown when the frame that draws the help has fully arrived. `?` both
  opens and closes the help (Esc would be held by Textual for ESCDELAY and merge with the next key).
- Latency percentiles are medians of the per-run percentiles of three runs; first paints are
  medians of three launches. CI never checks a time: `make test` runs every benchmark once, tiny.
"""


PROFILES = "## Profiles"


def table(rows: list[Row]) -> str:
    lines = [
        "| metric | coachtui | floor / peer | ratio / diff | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.metric} | {fmt(r.coachtui)} | {fmt(r.other)} | {fmt(r.ratio, 2)} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--tiny", action="store_true", help="every benchmark once, small (what the tests run)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(PARTS),
        metavar="PART",
        help="run only this part (repeatable; prints only): " + ", ".join(PARTS),
    )
    args = parser.parse_args()
    sizes = Sizes.tiny() if args.tiny else Sizes()
    rows = run(sizes, args.only)
    text = table(rows)
    print(text)
    if not args.no_write and not args.tiny and not args.only:
        out = Path(__file__).with_name("RESULTS.md")
        # The profiles section is written by hand (what took the time, what was done): kept.
        previous = out.read_text() if out.exists() else ""
        kept = previous[previous.find(PROFILES) :] if PROFILES in previous else ""
        out.write_text(
            f"# Benchmark results\n\n{dt.date.today().isoformat()} · {machine()}\n\n{text}\n\n{NOTES}"
            + (f"\n{kept}" if kept else "")
        )
        print(f"\nwritten to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
