"""Signing in to Google, keeping the token, and making requests that survive a flaky network.

The daemon runs each account's pass in one thread, but httplib2 connections must never be shared
between threads, so every thread gets its own authorized connection (kept for reuse).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import google.auth.exceptions
import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from ..errors import UserError
from . import SignInNeeded, Unavailable
from .common import RETRIES, backoff, write_atomically

log = logging.getLogger(__name__)

SCOPES = {
    "https://www.googleapis.com/auth/calendar.events": "read your events to find interviews; add, move and remove follow-ups",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly": "find calendars you name in the configuration",
    "https://www.googleapis.com/auth/gmail.readonly": "read new inbox mail for the employer's reply; see that a draft was sent",
    "https://www.googleapis.com/auth/gmail.compose": "create thank-you drafts and remove unneeded ones (never used to send)",
}
TIMEOUT = 30
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_PERMISSION_REASONS = {"insufficientPermissions", "forbidden", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
_NETWORK_ERRORS = (OSError, httplib2.HttpLib2Error, google.auth.exceptions.TransportError)


def sign_in_command(account: str) -> str:
    return f"interview-followup auth google --account {account}"


def load(path: Path, account: str, token_uri: str | None = None) -> Credentials:
    """The stored sign-in; a missing, unreadable or too narrow one means signing in (again)."""
    command = sign_in_command(account)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        credentials: Credentials = Credentials.from_authorized_user_info(info)
    except FileNotFoundError:
        raise SignInNeeded(command, "not signed in yet", path) from None
    except (OSError, ValueError) as exc:
        raise SignInNeeded(command, f"{path} is unreadable: {exc}", path) from None
    missing = set(SCOPES) - set(credentials.scopes or ())
    if missing:
        names = ", ".join(sorted(s.rpartition("/")[2] for s in missing))
        raise SignInNeeded(command, f"permissions missing: {names}", path)
    return credentials.with_token_uri(token_uri) if token_uri else credentials


def save(credentials: Credentials, path: Path) -> None:
    """Written atomically with mode 0600: it is the key to the person's mail."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, credentials.to_json().encode())


def sign_in(client_secrets: Path, token: Path, *, browser: bool, port: int) -> Credentials:
    """The installed-app flow with a loopback redirect; without a browser it prints the address to open."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(SCOPES))
    except (OSError, ValueError) as exc:
        raise UserError(f"{client_secrets}: not a usable OAuth client file ({exc}); README says how to download one") from None
    prompt = (
        "Open this address in a browser and allow access:\n\n    {url}\n\n"
        f"On another computer? Forward the port first: ssh -L {port}:localhost:{port} THIS-MACHINE\n"
    )
    try:
        credentials: Credentials = flow.run_local_server(
            host="localhost",
            port=port,
            open_browser=browser,
            authorization_prompt_message=prompt,
            success_message="Signed in. You can close this tab and go back to the terminal.",
            access_type="offline",
            prompt="consent",
        )
    except webbrowser.Error:
        raise UserError("no web browser found on this machine: add --no-browser and open the address it prints") from None
    except OSError as exc:
        raise UserError(f"cannot listen on localhost:{port} for Google's answer ({exc.strerror}): pick another --port") from None
    granted = set(credentials.scopes or ())
    if not set(SCOPES) <= granted:
        raise UserError("some permissions were not granted; run the command again and tick every box on the consent screen")
    save(credentials, token)
    return credentials


class Client:
    """Executes API requests: timeouts, retries with back-off, token refresh and its persistence."""

    def __init__(
        self,
        credentials: Credentials,
        token_path: Path,
        account: str,
        *,
        endpoint: str | None = None,
        timeout: float = TIMEOUT,
        retries: int = RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.token_path = token_path
        self.account = account
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self.requests = 0
        """Requests sent, counting retries: what the idle-cost tests and benchmarks read."""
        self._local = threading.local()
        self._saved_token = credentials.token

    def _http(self) -> AuthorizedHttp:
        if not hasattr(self._local, "http"):
            self._local.http = AuthorizedHttp(self.credentials, http=httplib2.Http(timeout=self.timeout))
        return self._local.http

    def _request(self, _http: Any, *args: Any, **kwargs: Any) -> HttpRequest:
        return HttpRequest(self._http(), *args, **kwargs)

    def service(self, name: str, version: str, path: str) -> Any:
        options = {"api_endpoint": self.endpoint + path} if self.endpoint else None
        return build(
            name,
            version,
            http=self._http(),
            requestBuilder=self._request,
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )

    def call(self, request: HttpRequest, allow: tuple[int, ...] = ()) -> tuple[int, dict[str, Any]]:
        """(status, body) of a successful request or of one whose status the caller handles."""
        what = f"{request.method} {request.uri.partition('?')[0]}"
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                body = request.execute(num_retries=0)
                self._persist()
                return 200, body or {}
            except HttpError as exc:
                status = int(exc.resp.status)
                if status in allow:
                    return status, _json(exc.content)
                problem = self._failure(exc, status, what)
                wait = _retry_after(exc)
            except google.auth.exceptions.RefreshError as exc:
                if "invalid_grant" in str(exc) or "invalid_client" in str(exc):
                    raise self._sign_in("Google revoked or expired the login") from None
                problem, wait = f"token refresh failed: {exc}", None
            except _NETWORK_ERRORS as exc:
                problem, wait = f"{what}: {type(exc).__name__}: {exc}", None
            if attempt == self.retries:
                raise Unavailable(f"Google: {problem} (gave up after {attempt + 1} attempts)")
            delay = backoff(attempt, wait)
            log.info("%s: %s; retrying in %.1fs", self.account, problem, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")

    def pages(
        self, make: Callable[[str | None], HttpRequest], allow: tuple[int, ...] = ()
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each page of a listing, following nextPageToken; a status from `allow` is the last page."""
        page: str | None = None
        while True:
            status, body = self.call(make(page), allow)
            yield status, body
            page = body.get("nextPageToken")
            if status != 200 or not page:
                return

    def _failure(self, exc: HttpError, status: int, what: str) -> str:
        """Describe a retryable failure, or raise for one that retrying cannot mend."""
        reason = _reason(exc)
        if status >= 500 or status == 429 or (status == 403 and reason in _RATE_REASONS):
            return f"{what}: HTTP {status} {reason}".rstrip()
        if status == 401 or (status == 403 and reason in _PERMISSION_REASONS):
            raise self._sign_in(f"Google refused access (HTTP {status} {reason})")
        raise Unavailable(f"Google: {what}: HTTP {status} {reason}".rstrip())

    def _sign_in(self, detail: str) -> SignInNeeded:
        return SignInNeeded(sign_in_command(self.account), detail, self.token_path)

    def _persist(self) -> None:
        """Keep a refreshed access token, so a restart does not need a refresh of its own."""
        if self.credentials.token != self._saved_token:
            save(self.credentials, self.token_path)
            self._saved_token = self.credentials.token


def _json(content: bytes) -> dict[str, Any]:
    try:
        value = json.loads(content or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _reason(exc: HttpError) -> str:
    error = _json(exc.content).get("error")
    if not isinstance(error, dict):
        return ""
    details = error.get("errors") or [{}]
    return str(details[0].get("reason") or error.get("status") or "")


def _retry_after(exc: HttpError) -> float | None:
    value = exc.resp.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
