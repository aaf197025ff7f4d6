"""The TIX.id auth API over aiohttp, in the running asyncio loop: guest token (E1), refresh (E6).

* Guest token: ``POST /v1/auth`` with ``{"client_id": "tixid_guest"}`` and the app's
  headers; E3/E4 take it as a Bearer token.
* Refresh: ``POST /v1/users/refresh`` with ``Authorization: Bearer <refresh token>``;
  the answer's ``data.token`` is the new access token.

Every HTTP attempt sends the project's USER_AGENT and is counted
(``cineradar/tix/auth/requests/{guest,refresh}``). Transient trouble (5xx, 429,
connection errors, a truncated body) is retried with a short backoff; a 401/403 on
refresh raises RefreshRejected at once. A round (every attempt and backoff) ends within
``deadline`` seconds (TIX_AUTH_DEADLINE), so a hanging endpoint fails a crawl in seconds,
not after attempts x DOWNLOAD_TIMEOUT. TLS is verified (system roots plus TLS_CA_FILE); a
certificate that does not verify fails at once, naming the host; redirects are not followed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cineradar import tls
from cineradar.auth.tokens import (
    APP_HEADERS,
    RefreshRejected,
    SettingsLike,
    TixAuthError,
    Tokens,
    extract_token,
)
from cineradar.defaults import defaulted

logger = logging.getLogger(__name__)


class TixAuthClient:
    def __init__(self, api_url: str, *, timeout: float = 30.0, attempts: int = 4, backoff: float = 0.5,
                 user_agent: str | None = None, inc_stat: Callable[[str], None] | None = None,
                 deadline: float | None = None, ca_file: str | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self.ca_file = ca_file  # TLS_CA_FILE: trusted besides the system's roots (cineradar/tls.py)
        self.timeout = timeout
        self.deadline = deadline  # seconds for a whole round; None: attempts x timeout plus backoff
        self.attempts = attempts
        self.backoff = backoff
        self.user_agent = user_agent
        self.inc_stat = inc_stat or (lambda key: None)
        self._session: Any = None

    @classmethod
    def from_settings(cls, api_url: str, settings: SettingsLike,
                      inc_stat: Callable[[str], None] | None = None) -> TixAuthClient:
        timeout = settings.getfloat("TIX_AUTH_TIMEOUT") or defaulted(settings).getfloat("DOWNLOAD_TIMEOUT")
        try:
            ca = tls.ca_file(settings)
        except tls.TlsConfigError:
            ca = None  # the crawl fails at open with that line (cineradar/middlewares/tls_failure.py)
        return cls(api_url, timeout=timeout, attempts=defaulted(settings).getint("TIX_AUTH_ATTEMPTS"),
                   user_agent=settings.get("USER_AGENT"), inc_stat=inc_stat,
                   deadline=settings.getfloat("TIX_AUTH_DEADLINE") or None, ca_file=ca)

    async def _client(self) -> Any:
        import aiohttp

        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=tls.client_context(self.ca_file))
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout),
                                                  connector=connector)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _post(self, path: str, *, headers: dict[str, str], body: Any, what: str, kind: str,
                    reject_on: tuple[int, ...] = ()) -> Any:
        import aiohttp

        url = f"{self.api_url}{path}"
        delay = self.backoff
        last = "no attempt"
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.deadline if self.deadline else None
        attempt = 0
        for attempt in range(1, self.attempts + 1):
            self.inc_stat(f"cineradar/tix/auth/requests/{kind}")
            timeout = self.timeout if ends is None else max(0.1, min(self.timeout, ends - loop.time()))
            try:
                session = await self._client()
                # No redirects: an auth API that answers 3xx is not the API (a token must not follow it).
                async with session.post(url, headers=headers, data=json.dumps(body), allow_redirects=False,
                                        timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                    status, text = response.status, await response.text()
            except aiohttp.ClientConnectorCertificateError as exc:  # retrying cannot make it valid
                host = urlsplit(url).netloc
                raise TixAuthError(f"{what}: TLS: the certificate of {host} does not verify "
                                   f"({tls.certificate_failure(exc) or 'certificate verify failed'}); "
                                   "nothing was sent (a private mirror's CA goes in TLS_CA_FILE)") from None
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                last = f"{exc.__class__.__name__}"
            else:
                if status in reject_on:
                    raise RefreshRejected(f"{what}: HTTP {status} {_code(text)}".rstrip())
                if status == 200:
                    try:
                        return json.loads(text)
                    except ValueError:
                        last = "truncated or non-JSON body"
                else:
                    last = f"HTTP {status} {_code(text)}".rstrip()
                    if status < 500 and status != 429:
                        raise TixAuthError(f"{what}: {last}")
            if ends is not None and loop.time() + delay >= ends:
                break  # no time left for another attempt within TIX_AUTH_DEADLINE
            if attempt < self.attempts:
                logger.warning("TIX.id %s failed (%s); retry %d/%d in %.1f s", what, last, attempt,
                               self.attempts - 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise TixAuthError(f"{what}: {last} after {attempt} attempt{'s' if attempt > 1 else ''}")

    def _headers(self, bearer: str | None = None) -> dict[str, str]:
        headers = dict(APP_HEADERS) | {"Content-Type": "application/json"}
        if self.user_agent:
            headers["User-Agent"] = self.user_agent
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return headers

    async def guest_token(self) -> str:
        payload = await self._post("/v1/auth", headers=self._headers(), body={"client_id": "tixid_guest"},
                                   what="guest auth (POST /v1/auth)", kind="guest")
        if isinstance(payload, dict) and payload.get("success") is False:
            raise TixAuthError(f"guest auth: success false {_code(json.dumps(payload))}")
        token, _ = extract_token(payload)
        if not token:
            raise TixAuthError("guest auth: no token in the answer")
        return token

    async def refresh(self, refresh_token: str) -> Tokens:
        payload = await self._post("/v1/users/refresh", headers=self._headers(refresh_token), body={},
                                   what="token refresh (POST /v1/users/refresh)", kind="refresh",
                                   reject_on=(401, 403))
        if isinstance(payload, dict) and payload.get("success") is False:
            raise RefreshRejected(f"token refresh: success false {_code(json.dumps(payload))}")
        token, refresh = extract_token(payload)
        if not token:
            raise TixAuthError("token refresh: no token in the answer")
        return Tokens(token, refresh)


def _code(text: str) -> str:
    """A short, secret-free description of an error body: its error code if any."""
    try:
        payload = json.loads(text)
    except ValueError:
        return ""
    if isinstance(payload, dict):
        error = payload.get("error")
        for value in (error.get("code") if isinstance(error, dict) else error, payload.get("code"),
                      payload.get("status")):
            if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_ .-]{1,60}", value):
                return value
    return ""
