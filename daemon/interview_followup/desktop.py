"""Desktop notices through the freedesktop notification service on the session bus.

The daemon runs sandboxed and unattended, maybe before anyone logs in: with no session bus or no
notification service it says so once in the log, tries again now and then, and carries on. A
notice's button (where the desktop shows buttons) opens the drafts on the web, or the status page,
through the desktop portal, which runs outside the sandbox (the page goes as an open file).
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from .notices import Action, Facts, Notice, due, markup
from .store import EffectRecord, Store

log = logging.getLogger(__name__)

APP = "interview-followup"
NOTIFICATIONS = DBusAddress(
    "/org/freedesktop/Notifications", bus_name="org.freedesktop.Notifications", interface="org.freedesktop.Notifications"
)
PORTAL = DBusAddress(
    "/org/freedesktop/portal/desktop", bus_name="org.freedesktop.portal.Desktop", interface="org.freedesktop.portal.OpenURI"
)
RETRY_SECONDS = 600.0
REPLY_SECONDS = 5.0
KEPT = 50
"""Notices whose button is remembered: older ones are long gone from the screen."""


class Desktop:
    """One connection to the session bus, opened when first needed."""

    def __init__(
        self, links: Mapping[str, str], page: Path | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.links = links
        """By account: the web address of its drafts."""
        self.page = page
        """The status page, for the other notices' button."""
        self.monotonic = monotonic
        self._connection: DBusConnection | None = None
        self._capabilities: frozenset[str] = frozenset()
        self._next_try = 0.0
        self._said_why: str | None = None
        self._buttons: OrderedDict[int, str | Path] = OrderedDict()

    def show(self, notice: Notice) -> bool:
        """True once the notification service took the notice."""
        connection = self._connect()
        if connection is None:
            return False
        link = self.links.get(notice.account) if notice.action is Action.OPEN_DRAFTS else None
        target: str | Path | None = link or (self.page if self.page and self.page.exists() else None)
        label = "Open drafts" if link else "Show status"
        actions = ["default", label] if target and "actions" in self._capabilities else []
        body = markup(notice.body) if "body-markup" in self._capabilities else notice.body
        hints: dict[str, tuple[str, Any]] = {"urgency": ("y", 1), "desktop-entry": ("s", APP)}
        call = new_method_call(
            NOTIFICATIONS, "Notify", "susssasa{sv}i", (APP, 0, "mail-unread", notice.title, body, actions, hints, -1)
        )
        try:
            reply = connection.send_and_get_reply(call, timeout=REPLY_SECONDS)
        except (OSError, TimeoutError) as exc:
            self._lost(f"the session bus went away ({exc})")
            return False
        if reply.header.message_type is MessageType.error:
            self._lost(f"the notification service refused a notice ({reply.body[0] if reply.body else 'no reason given'})")
            return False
        if target and actions:
            self._buttons[int(reply.body[0])] = target
            while len(self._buttons) > KEPT:
                self._buttons.popitem(last=False)
        return True

    def poll(self) -> None:
        """Act on the buttons pressed since the last look; never waits."""
        connection = self._connection
        while connection is not None:
            try:
                message = connection.receive(timeout=0)
            except TimeoutError:
                return
            except OSError as exc:
                self._lost(f"the session bus went away ({exc})")
                return
            if message.header.fields.get(HeaderFields.member) == "ActionInvoked":
                target = self._buttons.get(int(message.body[0]))
                if target:
                    self._open(connection, target)

    @property
    def may_try(self) -> bool:
        """Connected, or the time to try again has come."""
        return self._connection is not None or self.monotonic() >= self._next_try

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> DBusConnection | None:
        if self._connection is not None:
            return self._connection
        if self.monotonic() < self._next_try:
            return None
        self._next_try = self.monotonic() + RETRY_SECONDS
        try:
            connection = open_dbus_connection(bus="SESSION", enable_fds=True)
        except Exception as exc:  # noqa: BLE001 - no address, no socket, refused: all mean no desktop here
            self._say(f"no session bus ({type(exc).__name__}: {exc})")
            return None
        try:
            reply = connection.send_and_get_reply(new_method_call(NOTIFICATIONS, "GetCapabilities"), timeout=REPLY_SECONDS)
            if reply.header.message_type is MessageType.error:
                raise OSError(reply.body[0] if reply.body else "error")
            path, interface = NOTIFICATIONS.object_path, NOTIFICATIONS.interface
            rule = MatchRule(type="signal", interface=interface, member="ActionInvoked", path=path)
            connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=REPLY_SECONDS)
        except (OSError, TimeoutError) as exc:
            connection.close()
            self._say(f"no notification service on the session bus ({exc})")
            return None
        self._capabilities = frozenset(str(c) for c in reply.body[0])
        self._connection = connection
        if self._said_why:
            log.info("desktop notices are on again")
            self._said_why = None
        return connection

    def _open(self, connection: DBusConnection, target: str | Path) -> None:
        """A web address by name; a file as an open descriptor, which the portal accepts from a sandbox."""
        try:
            if isinstance(target, str):
                connection.send(new_method_call(PORTAL, "OpenURI", "ssa{sv}", ("", target, {})))
                return
            handle = os.open(target, os.O_RDONLY | os.O_CLOEXEC)
            try:
                connection.send(new_method_call(PORTAL, "OpenFile", "sha{sv}", ("", handle, {})))
            finally:
                os.close(handle)
        except OSError as exc:
            log.warning("could not ask the desktop to open %s: %s", target, exc)

    def _lost(self, why: str) -> None:
        self.close()
        self._next_try = self.monotonic() + RETRY_SECONDS
        self._say(why)

    def _say(self, why: str) -> None:
        if self._said_why is None:
            log.info("desktop notices are off: %s; everything else carries on (`notify: false` silences this)", why)
        self._said_why = why


class Announcer:
    """Shows each notice the state calls for, once: what was shown is kept in the state."""

    def __init__(self, desktop: Desktop) -> None:
        self.desktop = desktop
        self._looked_at: tuple[int, int] | None = None
        self._untold = False

    def after_pass(self, store: Store, now: datetime) -> None:
        """Nothing to read when the state did not change, unless some notice still waits for a desktop."""
        if store.version() == self._looked_at and not (self._untold and self.desktop.may_try):
            return
        facts = Facts(store.interviews(), _by_interview(store), store.all_bounces(), store.sign_in_since())
        shown = store.shown_notices()
        self._untold = False
        for notice in due(facts, now):
            if notice.key in shown:
                continue
            if self.desktop.show(notice):
                store.mark_shown(notice.key, now)
            else:
                self._untold = True
        self._looked_at = store.version()


def _by_interview(store: Store) -> dict[str, list[EffectRecord]]:
    found: dict[str, list[EffectRecord]] = {}
    for effect in store.effects().values():
        found.setdefault(effect.interview_id, []).append(effect)
    return found
