"""Per-server credentials: 0600 file in a 0700 directory, written atomically, refused when loose.

The cookie is a SecretStr everywhere in memory, so it cannot slip into a repr, log or traceback.
The password is never stored.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path

from coachtui.api.models import Era
from coachtui.api.records import Record, SecretStr
from coachtui.loopback import same_server
from coachtui.private_files import write_private

FILE_NAME = "credentials.json"


class CredentialsError(Exception):
    """The credentials file cannot be used; the message says how to fix it."""


@dataclass(kw_only=True)
class Credentials(Record):
    server: str
    user_id: str
    display_name: str
    cookie: SecretStr
    era: Era | None = None
    saved_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(kw_only=True)
class _File(Record):
    default: str | None = None
    servers: dict[str, Credentials] = field(default_factory=dict)


class CredentialStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME

    def _read(self) -> _File:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return _File()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialsError(
                f"{self.path} is readable by other users, so coachtui will not use it; "
                f"fix it with: chmod 600 {self.path}"
            )
        try:
            return _File.model_validate(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, RecursionError):  # (Invalid is a ValueError; JSON nested too deep)
            raise CredentialsError(
                f"{self.path} is damaged; delete it and run `coachtui login` again."
            ) from None

    def _write(self, data: _File) -> None:
        payload = {
            "default": data.default,
            "servers": {
                url: {**c.model_dump(mode="json", exclude={"cookie"}), "cookie": c.cookie.get_secret_value()}
                for url, c in data.servers.items()
            },
        }
        write_private(self.path, json.dumps(payload, indent=2))

    def get(self, server: str) -> Credentials | None:
        """The login for `server`; a login stored as `localhost` serves `127.0.0.1` too."""
        servers = self._read().servers
        if server in servers:
            return servers[server]
        return next((c for url, c in servers.items() if same_server(url, server)), None)

    def default_server(self) -> str | None:
        return self._read().default

    def servers(self) -> list[str]:
        return list(self._read().servers)

    def save(self, creds: Credentials) -> None:
        data = self._read()
        data.servers[creds.server] = creds
        data.default = creds.server
        self._write(data)

    def remember_era(self, server: str, era: Era) -> None:
        data = self._read()
        creds = data.servers.get(server)
        if creds is not None and creds.era is not era:
            data.servers[server] = creds.model_copy(update={"era": era})
            self._write(data)

    def remove(self, server: str) -> bool:
        data = self._read()
        if server not in data.servers:
            return False
        del data.servers[server]
        if data.default == server:
            data.default = next(iter(data.servers), None)
        self._write(data)
        return True
