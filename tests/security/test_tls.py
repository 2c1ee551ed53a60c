"""TLS against the devserver served over https on loopback with a throwaway CA (trustme)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from coachtui.api.client import ApiClient
from coachtui.api.errors import NetworkError
from coachtui.cli import main
from coachtui.devserver.server import DevServer, ServerOptions
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from tests.live.helpers import Live
from tests.waiting import wait_for


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    pem = tmp_path / "server.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(pem))
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    server = DevServer(
        ServerOptions(seed=1, faults=False, ssl_certfile=str(pem), ssl_keyfile=str(pem))
    ).start()
    yield server, ca_path
    server.close()


async def test_untrusted_certificate_is_a_clear_error(tls_server: tuple[DevServer, Path]) -> None:
    server, _ = tls_server
    assert server.url.startswith("https://")
    async with ApiClient(server.url) as api:
        with pytest.raises(NetworkError, match="certificate not trusted"):
            await api.login("coach@example.com", "coach-demo-pass")


async def test_with_the_ca_everything_works_stream_included(tls_server: tuple[DevServer, Path]) -> None:
    server, ca = tls_server
    assert server.demo is not None
    async with ApiClient(server.url, verify=str(ca)) as api:
        await api.login(server.demo.coach.email, server.demo.coach.password)
        assert len(await api.session_actions(server.demo.today_session_id)) == 7

    live = Live(server)
    live.api_options = {"verify": str(ca)}
    async with live:
        await live.ready()
        created = await live.api.create_agreement(server.demo.today_session_id, "over TLS")
        await wait_for(lambda: created.id in live.model.states[Pane.AGREEMENTS].items)
        assert live.state is ConnState.CONNECTED


def test_cli_ca_bundle_and_ssl_cert_file(
    tls_server: tuple[DevServer, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, ca = tls_server
    assert server.demo is not None
    argv = ["login", "--server", server.url, "--email", "coach@example.com", "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO(server.demo.coach.password + "\n"))
    assert main(argv) == 1
    assert "certificate not trusted" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(server.demo.coach.password + "\n"))
    assert main([*argv, "--ca-bundle", str(ca)]) == 0
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    assert main(["sessions", "--server", server.url]) == 0
    assert "Jordan Lee" in capsys.readouterr().out
    assert main(["sessions", "--server", server.url, "--ca-bundle", "/nonexistent.pem"]) == 1
    assert "Cannot use the CA bundle" in capsys.readouterr().err
