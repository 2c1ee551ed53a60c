"""Errors that are the user's to fix, not bugs: the CLI prints the message as is and exits 1."""

from __future__ import annotations


class UserError(Exception):
    """An expected failure (a bad id, not logged in, a busy port): one readable sentence."""
