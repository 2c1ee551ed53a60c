"""Shared fixtures: every test gets its own config dir, and real devservers on loopback."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from coachtui.devserver.server import DevServer, ServerOptions
from coachtui.logs import setup_logging

SUITE_GC_THRESHOLDS = (10_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The collector of a test process, once every module is imported (issue 22: the suite's CPU).

    A worker holds a large long-lived heap (pytest, Textual, the tests) and runs a
    hundred apps, each making many young objects: with Python's default thresholds it collected
    ~3,600 times in 46 Pilot tests, 25 of them full collections of a growing heap (~0.15 s each),
    a quarter of those tests' CPU. Frozen (`gc.freeze`, out of every later collection) and with
    fewer, larger young collections it is ~1.3 s, not 5 s. Only this process's collector: the apps
    the tests start in their own processes keep their own (coachtui/startup_heap.py), and tests
    that look for leaks still collect explicitly.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SUITE_GC_THRESHOLDS)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test may touch the user's real config, logs or server choice."""
    config = tmp_path / "config"
    monkeypatch.setenv("COACHTUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("COACHTUI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("COACHTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("COACHTUI_SERVER", raising=False)
    monkeypatch.delenv("COACHTUI_LOG", raising=False)
    yield config
    setup_logging(False)  # a --debug test must not leave its handler to the next one


ServerFactory = Callable[..., DevServer]


@pytest.fixture
def make_server() -> Iterator[ServerFactory]:
    started: list[DevServer] = []

    def factory(profile: str = "head", **options: Any) -> DevServer:
        options.setdefault("faults", True)
        options.setdefault("password_iterations", 1)  # logins are not what these tests measure
        server = DevServer(ServerOptions(profile=profile, seed=7, **options)).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield factory
    for server in started:
        server.close()


@pytest.fixture(params=["head", "seed"])
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(make_server: ServerFactory, profile: str) -> DevServer:
    return make_server(profile)


@pytest.fixture
def head_server(make_server: ServerFactory) -> DevServer:
    return make_server("head")


# verify=False below: the devserver speaks plain HTTP on loopback, so a request to it needs no TLS
# context, and httpx builds one per call unless told (loading certifi's bundle, ~30 ms of CPU: ~700
# of them in a run of the suite, issue 22).
def dev(server: DevServer, name: str, **body: Any) -> Any:
    """Call a /_dev fault control of `server` (a real HTTP request)."""
    response = httpx.post(f"{server.url}/_dev/{name}", json=body, timeout=5, verify=False)
    response.raise_for_status()
    return response.json()


def login_cookie(server: DevServer, email: str, password: str) -> str:
    response = httpx.post(
        f"{server.url}/login", data={"email": email, "password": password}, timeout=5, verify=False
    )
    response.raise_for_status()
    return str(response.cookies["id"])


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
