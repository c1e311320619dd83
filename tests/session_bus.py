"""A real D-Bus session bus (dbus-daemon) for a test, with a small notification service that records what it gets.

The service answers as the freedesktop Desktop Notifications specification (1.2) says a server
does: `GetCapabilities` (as), `GetServerInformation` (ssss), `Notify` (susssasa{sv}i → u, ids from
1 up), `CloseNotification`, and it can emit `ActionInvoked` (us). It also takes the portal's
`OpenURI` (ssa{sv} → o), as xdg-desktop-portal does, to see what a button opens.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from conftest import require

NOTIFICATIONS = DBusAddress("/org/freedesktop/Notifications", interface="org.freedesktop.Notifications")


@contextmanager
def session_bus(folder: Path) -> Iterator[str]:
    """A private session bus on a socket in `folder`; yields its address."""
    daemon = require("dbus-daemon")
    socket_path = folder / "bus"
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1", f"--address=unix:path={socket_path}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # it says, as root, that it cannot raise its file limit
        text=True,
    )
    assert process.stdout is not None
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon printed no address ({address!r})"
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@dataclass
class NotificationServer:
    address: str
    capabilities: tuple[str, ...] = ("body", "body-markup", "actions")
    received: list[dict[str, Any]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _connection: DBusConnection | None = None

    def __enter__(self) -> NotificationServer:
        self._connection = open_dbus_connection(bus=self.address, enable_fds=True)
        for name in ("org.freedesktop.Notifications", "org.freedesktop.portal.Desktop"):
            reply = self._connection.send_and_get_reply(message_bus.RequestName(name), timeout=5)
            assert reply.body == (1,), reply.body  # primary owner
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        assert self._connection is not None
        self._connection.close()

    def press(self, notification_id: int, action: str = "default") -> None:
        """The person clicks the notice's button: the server tells every listener."""
        assert self._connection is not None
        self._connection.send(new_signal(NOTIFICATIONS, "ActionInvoked", "us", (notification_id, action)))

    def summaries(self) -> list[str]:
        return [n["summary"] for n in self.received]

    def _serve(self) -> None:
        assert self._connection is not None
        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=0.05)
            except TimeoutError:
                continue
            if message.header.message_type is not MessageType.method_call:
                continue
            self._connection.send(self._answer(message))

    def _answer(self, message: Any) -> Any:
        member = message.header.fields.get(HeaderFields.member)
        if member == "GetCapabilities":
            return new_method_return(message, "as", (list(self.capabilities),))
        if member == "GetServerInformation":
            return new_method_return(message, "ssss", ("recorder", "tests", "1", "1.2"))
        if member == "Notify":
            app, replaces, icon, summary, body, actions, hints, timeout = message.body
            self.received.append({"app": app, "summary": summary, "body": body, "actions": actions, "hints": hints})
            return new_method_return(message, "u", (len(self.received),))
        if member == "CloseNotification":
            return new_method_return(message)
        if member in ("OpenURI", "OpenFile"):
            target = message.body[1]
            if member == "OpenFile":  # a descriptor: record which file it opens
                with target.to_file("rb") as opened:
                    target = os.readlink(f"/proc/self/fd/{opened.fileno()}")
            self.opened.append(target)
            return new_method_return(message, "o", ("/org/freedesktop/portal/desktop/request/1_1/t",))
        return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"no method {member}",))
