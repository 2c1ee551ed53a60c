"""SQLite storage for the devserver: entities as JSON documents, plus logins and auth sessions.

Documents keep the exact wire shape, so handlers return what they stored. A file path makes the
data survive a restart; `None` keeps it in memory (tests).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from typing import Any

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    session_id TEXT,
    relationship_id TEXT,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_session ON docs (kind, session_id);
CREATE INDEX IF NOT EXISTS docs_relationship ON docs (kind, relationship_id);
CREATE TABLE IF NOT EXISTS logins (
    email TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_sessions (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""


PASSWORD_ITERATIONS = 20_000  # PBKDF2-SHA256 rounds: ~12 ms a login on this machine


def _hash(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


def _stored(password: str, salt: bytes, iterations: int) -> bytes:
    return iterations.to_bytes(4, "big") + _hash(password, salt, iterations)


def _parse_stored(stored: bytes) -> tuple[int, bytes]:
    if len(stored) == 36:
        return int.from_bytes(stored[:4], "big"), stored[4:]
    return PASSWORD_ITERATIONS, stored


class Store:
    def __init__(self, path: str | None = None, *, password_iterations: int = PASSWORD_ITERATIONS) -> None:
        # Test suites lower the rounds: each server seeds three logins and each test logs in, and
        # at 12 ms a hash that was a tenth of the suite's CPU. A --db file keeps its own count.
        self.password_iterations = password_iterations
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None

    # -- documents --------------------------------------------------------------------------

    def put(
        self,
        kind: str,
        doc: Doc,
        *,
        session_id: str | None = None,
        relationship_id: str | None = None,
    ) -> Doc:
        with self._lock:
            self._db.execute(
                "INSERT INTO docs (kind, id, session_id, relationship_id, data) VALUES (?,?,?,?,?) "
                "ON CONFLICT (kind, id) DO UPDATE SET session_id=excluded.session_id, "
                "relationship_id=excluded.relationship_id, data=excluded.data",
                (kind, doc["id"], session_id, relationship_id, json.dumps(doc)),
            )
        return doc

    def put_many(self, kind: str, rows: list[tuple[Doc, str | None, str | None]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO docs (kind, id, session_id, relationship_id, data) "
                "VALUES (?,?,?,?,?)",
                [(kind, d["id"], s, r, json.dumps(d)) for d, s, r in rows],
            )
            self._db.execute("COMMIT")

    def get(self, kind: str, doc_id: str) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM docs WHERE kind=? AND id=?", (kind, doc_id)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind: str, doc_id: str) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM docs WHERE kind=? AND id=?", (kind, doc_id))
        return cur.rowcount > 0

    def list(
        self, kind: str, *, session_id: str | None = None, relationship_id: str | None = None
    ) -> list[Doc]:
        sql = "SELECT data FROM docs WHERE kind=?"
        args: list[Any] = [kind]
        if session_id is not None:
            sql += " AND session_id=?"
            args.append(session_id)
        if relationship_id is not None:
            sql += " AND relationship_id=?"
            args.append(relationship_id)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [json.loads(r[0]) for r in rows]

    # -- logins -------------------------------------------------------------------------------

    def set_password(self, email: str, user_id: str, password: str) -> None:
        salt = os.urandom(16)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO logins (email, user_id, salt, hash) VALUES (?,?,?,?)",
                # The rounds travel with the digest, so a --db file checks with the count it was
                # made with (rows from before carry a bare digest: the default count).
                (email.lower(), user_id, salt, _stored(password, salt, self.password_iterations)),
            )

    def check_password(self, email: str, password: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, salt, hash FROM logins WHERE email=?", (email.lower(),)
            ).fetchone()
        if row is None:
            return None
        user_id, salt, stored = row
        iterations, digest = _parse_stored(stored)
        return str(user_id) if hmac.compare_digest(_hash(password, salt, iterations), digest) else None

    # -- auth sessions (the `id` cookie) ------------------------------------------------------

    def open_auth(self, token: str, user_id: str, ttl: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO auth_sessions VALUES (?,?,?)", (token, user_id, time.time() + ttl)
            )

    def touch_auth(self, token: str, ttl: float) -> str | None:
        """The user of a live session, whose expiry slides forward; None when gone or expired."""
        now = time.time()
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, expires_at FROM auth_sessions WHERE token=?", (token,)
            ).fetchone()
            if row is None:
                return None
            if row[1] <= now:
                self._db.execute("DELETE FROM auth_sessions WHERE token=?", (token,))
                return None
            self._db.execute("UPDATE auth_sessions SET expires_at=? WHERE token=?", (now + ttl, token))
        return str(row[0])

    def close_auth(self, token: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM auth_sessions WHERE token=?", (token,))

    def expire_user(self, user_id: str) -> int:
        with self._lock:
            cur = self._db.execute("DELETE FROM auth_sessions WHERE user_id=?", (user_id,))
        return cur.rowcount
