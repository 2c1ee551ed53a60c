"""The picker's data, fetched for it: screens and widgets never call the network. The picker
asks (`NeedSessions`, `OpenRequested`); its sessions come back to it while it is still open,
and a session is opened only if the picker is still there when the server has said it exists.
"""

from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import App

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError
from coachtui.text import notice
from coachtui.tui.messages import SessionChosen
from coachtui.tui.screens.picker import PickerScreen


class PickerDataApp(App[int]):
    """The CoachApp's picker half (see tui/app.py for the rest)."""

    api: ApiClient

    @on(PickerScreen.NeedSessions)
    def picker_needs_sessions(self, message: PickerScreen.NeedSessions) -> None:
        self.fetch_sessions(message.picker, message.start, message.end)

    @work(group="sessions", exit_on_error=False, exclusive=True)
    async def fetch_sessions(self, picker: PickerScreen, start: dt.date, end: dt.date) -> None:
        try:
            rows = await self.api.list_sessions(start, end)
        except ApiError as exc:
            if picker in self.screen_stack:
                picker.show_error(exc.message)
            return
        if picker in self.screen_stack:  # (closed while its sessions were on their way: nothing to show)
            picker.show_sessions(rows, rows.unreadable)

    @on(PickerScreen.OpenRequested)
    @work(group="open-session", exit_on_error=False, exclusive=True)
    async def check_and_open(self, message: PickerScreen.OpenRequested) -> None:
        try:
            await self.api.get_session(message.session_id)
        except ApiError as exc:
            self.notify(notice(exc.message), title="Cannot open that session", severity="error", markup=False)
            return
        if not any(isinstance(screen, PickerScreen) for screen in self.screen_stack):
            return  # Esc closed the picker meanwhile: the user stays where they are
        self.post_message(SessionChosen(message.session_id))
