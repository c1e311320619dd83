"""Every backend, by the `type:` its accounts have in the configuration; config, cli and the engine ask here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import Backend, BackendType, google, imap, local, microsoft

if TYPE_CHECKING:
    from ..config import Account, Config

BACKENDS: dict[str, BackendType] = {
    backend.name: backend for backend in (local.BACKEND, imap.BACKEND, google.BACKEND, microsoft.BACKEND)
}


def open_backend(account: Account, config: Config) -> Backend:
    return BACKENDS[account.type].open(account, config)
