"""What every benchmark needs: a devserver process, the real app in a pseudo-terminal, a delaying
proxy, and a little statistics. Times are time.monotonic(), which on Linux is one clock for all
processes, so the server's write time and the terminal's read time can be subtracted."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from coachtui import API_VERSION
from coachtui.api.records import SecretStr
from coachtui.credentials import Credentials, CredentialStore

V = {"X-Version": API_VERSION}
# verify=False below: the devserver speaks plain HTTP on loopback, so there is no TLS context to build
# (httpx builds one per call unless told, loading certifi's bundle: ~30 ms of CPU each, and a start
# polls every 50 ms).
SYNC_QUERY = b"\x1b[?2026$p"  # DECRQM: does the terminal support synchronized output?
SYNC_SUPPORTED = b"\x1b[?2026;2$y"
SYNC_END = b"\x1b[?2026l"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class DevServerProcess:
    """`coachtui devserver` in its own process (HEAD profile unless said), with fault controls."""

    def __init__(self, profile: str = "head", db: str | None = None, port: int | None = None) -> None:
        self.profile = profile
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.session_id = ""

    def start(self) -> DevServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "coachtui",
            "devserver",
            "--port",
            str(self.port),
            "--profile",
            self.profile,
            "--faults",
        ]
        if self.db:
            cmd += ["--db", self.db]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Only a hang takes a minute: on a loaded machine (the suite runs every benchmark once) a
        # Python process can take tens of seconds to start.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1, verify=False).text == "healthy":
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            self.stop()  # not left running (and loading the machine) after the failure
            raise RuntimeError("the devserver did not start")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def dev(self, name: str, **body: Any) -> Any:
        return httpx.post(f"{self.url}/_dev/{name}", json=body, timeout=10, verify=False).json()


@dataclass
class Login:
    cookie: str
    user_id: str


def login(url: str, email: str, password: str) -> Login:
    r = httpx.post(f"{url}/login", data={"email": email, "password": password}, timeout=10, verify=False)
    r.raise_for_status()
    return Login(r.cookies["id"], r.json()["data"]["id"])


def today_session(url: str, who: Login, coachee: str = "Jordan") -> str:
    import datetime as dt

    day = dt.date.today()
    r = httpx.get(
        f"{url}/users/{who.user_id}/coaching_sessions",
        headers={**V, "Cookie": f"id={who.cookie}"},
        params={"from_date": day.isoformat(), "to_date": day.isoformat(), "include": "relationship"},
        timeout=10,
        verify=False,
    )
    rows = [s for s in r.json()["data"] if s["coachee"]["first_name"] == coachee]
    return str(rows[0]["id"])


def session_actions(url: str, who: Login, session_id: str) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{url}/users/{who.user_id}/actions",
        headers={**V, "Cookie": f"id={who.cookie}"},
        params={"scope": "sessions", "coaching_session_id": session_id},
        timeout=30,
        verify=False,
    )
    return list(r.json()["data"])


@dataclass
class PtyApp:
    """The real `coachtui session <id>` in a pseudo-terminal; every byte it writes is timestamped."""

    server_url: str
    session_id: str
    coach: Login
    size: tuple[int, int] = (120, 40)
    argv: list[str] | None = None  # another program in the same terminal (the bare Textual app)
    chunks: list[tuple[float, int]] = field(default_factory=list)  # (time, end offset in buffer)
    buffer: bytearray = field(default_factory=bytearray)

    def start(self) -> PtyApp:
        self.home = tempfile.mkdtemp(prefix="coachtui-bench-")
        CredentialStore(Path(self.home)).save(
            Credentials(
                server=self.server_url,
                user_id=self.coach.user_id,
                display_name="Bench Coach",
                cookie=SecretStr(self.coach.cookie),
            )
        )
        env = {
            **os.environ,
            "COACHTUI_CONFIG_DIR": self.home,
            "COACHTUI_STATE_DIR": self.home,
            "TERM": "xterm-256color",
            "COLUMNS": str(self.size[0]),
            "LINES": str(self.size[1]),
            "TEXTUAL_ANIMATIONS": "none",
        }
        self.started_at = time.monotonic()
        pid, self.fd = pty.fork()
        argv = self.argv or [
            sys.executable,
            *("-m", "coachtui", "session", self.session_id, "--server", self.server_url),
        ]
        if pid == 0:  # the child: become the app
            os.execve(argv[0], argv, env)
        self.pid = pid
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.size[1], self.size[0], 0, 0))
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.monotonic()
            if SYNC_QUERY in data:
                # Answer as modern terminals do ("supported, not set"): the app then brackets
                # every frame in begin/end-of-update marks, so a frame's end can be told.
                os.write(self.fd, SYNC_SUPPORTED)
            with self._lock:
                self.buffer += data
                self.chunks.append((now, len(self.buffer)))

    def seen_at(self, marker: bytes, start: int = 0) -> tuple[float, int] | None:
        """When the terminal received the last byte of `marker` (searching from `start`)."""
        with self._lock:
            at = self.buffer.find(marker, start)
            if at < 0:
                return None
            end = at + len(marker)
            for t, offset in self.chunks:
                if offset >= end:
                    return t, end
        return None

    def wait_for(self, marker: bytes, timeout: float = 30, start: int = 0) -> tuple[float, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.seen_at(marker, start)
            if found:
                return found
            time.sleep(0.002)
        raise TimeoutError(f"{marker!r} never reached the terminal")

    def wait_for_frame(self, marker: bytes, timeout: float = 30, start: int = 0) -> tuple[float, int]:
        """When the frame that draws `marker` (after `start`) had fully arrived."""
        _, end = self.wait_for(marker, timeout, start)
        return self.wait_for(SYNC_END, timeout, end)

    def wait_quiet(self, quiet: float = 0.04, timeout: float = 10) -> None:
        """Until nothing has arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.chunks[-1][0] if self.chunks else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.005)
        raise TimeoutError("the app never stopped drawing")

    def offset(self) -> int:
        with self._lock:
            return len(self.buffer)

    def press(self, keys: bytes) -> float:
        os.write(self.fd, keys)
        return time.monotonic()

    def cpu_s(self) -> float:
        """CPU time (user + system, all threads) the app has used so far: unlike wall time it
        does not grow while other processes hold the cores."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        text = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", text)
        return int(match.group(1)) if match else 0

    def stop(self) -> None:
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.02)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


class DelayProxy:
    """A TCP proxy adding `one_way` seconds to every byte in each direction (order kept)."""

    def __init__(self, target_port: int, one_way: float) -> None:
        self.target_port = target_port
        self.one_way = one_way
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.writers: set[asyncio.StreamWriter] = set()

    def start(self) -> DelayProxy:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(10)
        return self

    async def _serve(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    writer.close()
                    return
                delay = due - self.loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    writer.write(data)
                    await writer.drain()
                except (ConnectionError, OSError):
                    return

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((self.loop.time() + self.one_way, data))
                if not data:
                    break
            await sender
        except (ConnectionError, OSError):
            sender.cancel()

    def stop(self) -> None:
        async def shutdown() -> None:
            self.server.close()
            for writer in self.writers:  # EOF for every pipe: their tasks end by themselves
                writer.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await asyncio.wait(tasks, timeout=2) if tasks else None

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
