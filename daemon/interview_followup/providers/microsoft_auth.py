"""Signing in to Microsoft with msal, keeping its token cache, and Graph requests that survive a flaky network.

One `requests.Session` serves msal and Graph alike, so connections are reused. Only delegated
permissions to read and write calendars and mail are asked for: not `Mail.Send`, so even a bug
could not send a message with this login.
"""

from __future__ import annotations

import logging
import time
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import msal
import requests

from ..errors import UserError
from . import SignInNeeded, Unavailable
from .common import RETRIES, backoff, error_code, write_atomically

if TYPE_CHECKING:
    from .microsoft import MicrosoftAccount

log = logging.getLogger(__name__)

SCOPES = {
    "Calendars.ReadWrite": "read your events to find interviews; add, move and remove follow-ups",
    "Mail.ReadWrite": "read new inbox mail for the employer's reply; create and remove drafts; see that a draft was sent",
}
"""Delegated permissions; msal adds offline_access (to stay signed in), openid and profile itself."""
TIMEOUT = 30
BROWSER_WAIT = 600
"""Seconds `auth microsoft --browser` waits for the person to finish in the browser."""
_SIGN_IN_ERRORS = {"invalid_grant", "interaction_required", "invalid_client", "unauthorized_client", "consent_required"}
_NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_RETRY = (429, 500, 502, 503, 504)


def sign_in_command(account: str) -> str:
    return f"interview-followup auth microsoft --account {account}"


def scopes(account: MicrosoftAccount) -> list[str]:
    """Graph scopes named for the Graph endpoint in use, so a national cloud gets its own."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(account.graph_endpoint))
    return [f"{origin}/{name}" for name in SCOPES]


class Keeper(Protocol):
    """Where the serialized msal cache lives between runs."""

    location: Path
    """A file whose change means the person signed in again."""

    def load(self) -> str | None: ...

    def save(self, text: str) -> None: ...


@dataclass
class FileKeeper:
    location: Path

    def load(self) -> str | None:
        try:
            return self.location.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def save(self, text: str) -> None:
        """Atomic, mode 0600: the refresh token in it is the key to the person's mail."""
        self.location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(self.location, text.encode())


@dataclass
class KeyringKeeper:
    """The desktop keyring through msal-extensions' libsecret support; the file only signals changes."""

    location: Path
    account: str

    def __post_init__(self) -> None:
        try:
            from msal_extensions import LibsecretPersistence

            self._secret = LibsecretPersistence(
                str(self.location), schema_name="interview_followup.token_cache", attributes={"account": self.account}
            )
        except (ImportError, ValueError, RuntimeError) as exc:
            raise UserError(
                f"accounts[{self.account}].keyring: the desktop keyring is not usable here ({exc}). Install the extra "
                "(pip install 'interview-followup[keyring]') and your system's python3-gi and libsecret, "
                "or set `keyring: false` to keep the sign-in in a file readable by you only"
            ) from None

    def load(self) -> str | None:
        from msal_extensions.persistence import PersistenceNotFound

        try:
            return str(self._secret.load())
        except PersistenceNotFound:
            return None

    def save(self, text: str) -> None:
        self.location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._secret.save(text)


def keeper(account: MicrosoftAccount, location: Path) -> Keeper:
    return KeyringKeeper(location, account.name) if account.keyring else FileKeeper(location)


def application(account: MicrosoftAccount, cache: msal.SerializableTokenCache, session: requests.Session) -> Any:
    """A public client (no secret: it runs on the person's machine). Building it reads the authority's
    OpenID configuration, which needs the network."""
    try:
        return msal.PublicClientApplication(
            account.client_id,
            authority=account.authority_url,
            token_cache=cache,
            http_client=session,
            timeout=TIMEOUT,
            instance_discovery=False,
        )
    except _NETWORK_ERRORS as exc:
        raise Unavailable(f"Microsoft sign-in service unreachable: {type(exc).__name__}") from None
    except ValueError as exc:
        raise UserError(f"accounts[{account.name}]: tenant or authority not usable: {exc}") from None


def load_cache(store: Keeper) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    text = store.load()
    if text:
        try:
            cache.deserialize(text)
        except ValueError:
            log.warning("%s: unreadable token cache, ignored", store.location)
    return cache


def save_cache(cache: msal.SerializableTokenCache, store: Keeper) -> None:
    """Written only when msal changed it: a pass with a still valid access token writes nothing."""
    if cache.has_state_changed:
        store.save(cache.serialize())
        cache.has_state_changed = False


def sign_in(account: MicrosoftAccount, store: Keeper, *, browser: bool, say: Callable[[str], None] = print) -> str:
    """Device code by default (works over SSH: open the address on any device), the system browser with
    `browser`. Returns the signed-in user name."""
    session = requests.Session()
    cache = load_cache(store)
    app = application(account, cache, session)
    wanted = scopes(account)
    try:
        if browser:
            try:
                webbrowser.get()
            except webbrowser.Error:
                raise UserError("no web browser found on this machine: leave out --browser and enter a code instead") from None
            result = app.acquire_token_interactive(
                wanted,
                prompt="select_account",
                timeout=BROWSER_WAIT,
                success_template="Signed in. You can close this tab and go back to the terminal.",
            )
        else:
            flow = app.initiate_device_flow(scopes=wanted)
            if "user_code" not in flow:
                raise UserError(f"Microsoft refused to start the sign-in: {_describe(flow)}")
            say(f"To sign in, open {flow['verification_uri']} on any device and enter the code {flow['user_code']}")
            result = app.acquire_token_by_device_flow(flow)
    except _NETWORK_ERRORS as exc:
        raise UserError(f"cannot reach Microsoft's sign-in service: {type(exc).__name__}") from None
    if "access_token" not in result:
        raise UserError(f"sign-in did not complete: {_describe(result)}")
    granted = set(str(result.get("scope", "")).split())
    missing = [s for s in wanted if s not in granted and s.rpartition("/")[2] not in granted]
    if granted and missing:
        names = ", ".join(s.rpartition("/")[2] for s in missing)
        raise UserError(f"these permissions were not granted: {names}; run the command again and accept them all")
    save_cache(cache, store)
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("name") or "your account")


def _describe(result: dict[str, Any]) -> str:
    """msal's error, first line only: the rest is trace and correlation ids."""
    text = str(result.get("error_description") or result.get("error") or "no answer")
    return text.splitlines()[0][:300]


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    content: bytes = b""


class Client:
    """Graph requests: a bearer token from msal's cache, timeouts, retries with back-off, Retry-After."""

    def __init__(
        self,
        account: MicrosoftAccount,
        store: Keeper,
        *,
        session: requests.Session | None = None,
        retries: int = RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.account = account
        self.store = store
        self.endpoint = account.graph_endpoint
        self.session = session or requests.Session()
        self.retries = retries
        self.sleep = sleep
        self.requests = 0
        """Graph requests sent, counting retries: what the idle-cost tests and benchmarks read."""
        self._cache = load_cache(store)
        self._app: Any = None
        self._scopes = scopes(account)

    def _token(self, refresh: bool = False) -> str:
        if self._app is None:
            self._app = application(self.account, self._cache, self.session)
        accounts = self._app.get_accounts()
        if not accounts:
            raise self._sign_in("not signed in yet")
        result = self._app.acquire_token_silent_with_error(self._scopes, accounts[0], force_refresh=refresh)
        save_cache(self._cache, self.store)
        if result and "access_token" in result:
            return str(result["access_token"])
        if result is None or result.get("error") in _SIGN_IN_ERRORS:
            raise self._sign_in(_describe(result or {"error": "the sign-in has expired"}))
        raise Unavailable(f"Microsoft: token refresh failed: {_describe(result)}")

    def _sign_in(self, detail: str) -> SignInNeeded:
        return SignInNeeded(sign_in_command(self.account.name), detail, self.store.location)

    def call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        allow: tuple[int, ...] = (),
        limit: int | None = None,
    ) -> Reply:
        """A successful reply or one whose status the caller handles; `url` is a Graph path or a link Graph gave.
        With `limit`, a successful body is read only that far, as raw content (a big attachment stays unread)."""
        target = url if url.startswith("https://") else self.endpoint + url
        what = f"{method} {urlsplit(target).path}"
        refreshed = False
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                answer = self.session.request(
                    method,
                    target,
                    params=params,
                    json=body,
                    headers={**(headers or {}), "Authorization": f"Bearer {self._token(refreshed)}"},
                    timeout=TIMEOUT,
                    stream=limit is not None,
                )
            except _NETWORK_ERRORS as exc:
                problem, wait = f"{what}: {type(exc).__name__}", None
            else:
                status = answer.status_code
                if limit is not None and status < 300:
                    with answer:
                        return Reply(status, {}, answer.raw.read(limit, decode_content=True))
                if status < 300 or status in allow:
                    return Reply(status, _json(answer), answer.content)
                code = _code(answer)
                if status == 401 and refreshed:
                    raise self._sign_in(f"Microsoft refused the login (HTTP 401 {code})".rstrip())
                if status not in (401, *_RETRY):
                    raise Unavailable(f"Microsoft: {what}: HTTP {status} {code}".rstrip())
                refreshed = refreshed or status == 401  # an access token revoked early: refresh it once
                problem, wait = f"{what}: HTTP {status} {code}".rstrip(), 0.0 if status == 401 else _retry_after(answer)
            if attempt == self.retries:
                raise Unavailable(f"Microsoft: {problem} (gave up after {attempt + 1} attempts)")
            delay = backoff(attempt, wait)
            log.info("%s: %s; retrying in %.1fs", self.account.name, problem, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")

    def pages(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        allow: tuple[int, ...] = (),
        first: Reply | None = None,
    ) -> Iterator[Reply]:
        """Each page of a collection, following @odata.nextLink; a status from `allow` is the last page.
        `first` is the first page when it was already asked for (in a batch)."""
        link: str | None = url
        while link:
            reply = first or self.call("GET", link, params=params, headers=headers, allow=allow)
            yield reply
            if reply.status >= 300:
                return
            link, params, first = reply.body.get("@odata.nextLink"), None, None


    def batch(
        self, calls: list[tuple[str, dict[str, str] | None]], headers: dict[str, str], allow: tuple[int, ...] = ()
    ) -> list[Reply]:
        """Several GETs (a Graph path or a link Graph gave, and its query) in one JSON batch: one request on
        the wire, its parts named relative to the version root. A part answered with a status to retry (or a
        link elsewhere) is sent on its own, with the usual retries."""
        parts = [
            {"id": str(n), "method": "GET", "url": url.removeprefix(self.endpoint) + _query(params), "headers": headers}
            for n, (url, params) in enumerate(calls)
            if not url.startswith("https://") or url.startswith(self.endpoint + "/")
        ]
        answers = {str(a.get("id")): a for a in self.call("POST", "/$batch", body={"requests": parts}).body.get("responses", [])}
        replies = []
        for n, (url, params) in enumerate(calls):
            answer = answers.get(str(n)) or {}
            status, body = int(answer.get("status") or 0), answer.get("body")
            if 0 < status < 300 or status in allow:
                replies.append(Reply(status, body if isinstance(body, dict) else {}))
                continue
            if status in _RETRY:
                self.sleep(backoff(0, _seconds((answer.get("headers") or {}).get("Retry-After"))))
            replies.append(self.call("GET", url, params=params, headers=headers, allow=allow))
        return replies


def _query(params: dict[str, str] | None) -> str:
    return "?" + urlencode(params, quote_via=quote) if params else ""


def _json(answer: requests.Response) -> dict[str, Any]:
    if "json" not in answer.headers.get("Content-Type", ""):
        return {}
    try:
        value = answer.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _code(answer: requests.Response) -> str:
    return error_code(_json(answer))


def _retry_after(answer: requests.Response) -> float | None:
    return _seconds(answer.headers.get("Retry-After"))


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
