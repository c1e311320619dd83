"""Real servers the tests start on this machine's loopback: a free port, a start that waits until they listen,
a stop, and one session of a server in a throw-away folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch(command: list[str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """The server, once it answers on `port`; what it logged when it does not within 30 s, or stops.

    It keeps the machine's time under the shifted-clock run: libfaketime in a server's processes makes
    logins stall now and then, and only our side is under test (the times it stores come from requests).
    """
    clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    with log.open("ab") as output:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=output, env=clean)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"{command[0]} did not start: {log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None:
        process.terminate()
        process.wait(timeout=20)


class Server(Protocol):
    root: Path

    def start(self) -> None: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=Server)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """The server started; stopped, and its throw-away folder removed, however the tests end."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
