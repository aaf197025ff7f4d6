"""TIX.id authentication: browser login, token refresh, guest tokens, the token document.

Shared by the ``tix_login`` spider, the ``tix-token`` command and the JWT middleware
(cineradar/middlewares/jwt_auth.py). No Scrapy imports here.

* Login (tix.md 3.1) drives the web app in real Chromium: open /login, type the phone
  number and password into the fields with placeholders "Type your phone number" and
  "Type Password", click the LAST "Login" button (the first is a decoy in the header),
  wait for /home, read ``authentication_token`` / ``authentication_refresh_token`` from
  localStorage and strip their JSON quotes. ``login_on_page`` works on any Playwright
  page (scrapy-playwright's in the spider); ``browser_login`` launches its own browser
  in the running asyncio loop (the middleware and the command).
* Refresh (E6): ``POST /v1/users/refresh`` with ``Authorization: Bearer <refresh token>``
  and ``platform: web``; the answer's ``data.token`` is the new access token.
* Guest token (E1): ``POST /v1/auth`` with ``{"client_id": "tixid_guest"}`` and the app
  headers; E3/E4 take it as a Bearer token.

Secrets (password, tokens) never reach a log line, an exception message or stats: the
errors below carry HTTP statuses and error codes only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

logger = logging.getLogger(__name__)

TOKEN_STATE = "tix_jwt"  # the token store: storage state "tix_jwt" (Firestore auth_tokens/tix_jwt)
DEFAULT_ACCESS_TTL = dt.timedelta(minutes=30)  # when a token carries no readable exp (tix.md 3.2)
# The web app's own headers (tix.md 2.4, captured E1 request); session/device ids are the string "null".
APP_HEADERS = {"platform": "web", "lang": "en", "app_version": "1.0.0", "device_id": "null",
               "session_id": "null", "Accept": "application/json"}
# The browser fingerprint of the original (tix.md 2.2).
IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
BROWSER_CONTEXT: dict[str, Any] = {"viewport": {"width": 430, "height": 932}, "user_agent": IPHONE_UA,
                                   "locale": "id-ID", "timezone_id": "Asia/Jakarta"}
INIT_SCRIPT = "Object.defineProperty(navigator, 'webdriver', {get: () => undefined});"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-blink-features=AutomationControlled"]
PHONE_PLACEHOLDER = "Type your phone number"
PASSWORD_PLACEHOLDER = "Type Password"
TOKEN_KEYS = ("authentication_token", "token", "auth_token", "jwt", "access_token")
REFRESH_KEY = "authentication_refresh_token"


class TixAuthError(Exception):
    """Authentication could not be obtained. Messages never contain secrets."""


class RefreshRejected(TixAuthError):
    """The refresh token was refused (expired or revoked): a new login is needed."""


class LoginError(TixAuthError):
    """The browser login did not produce tokens."""


class CredentialsMissing(LoginError):
    """TIX_PHONE_NUMBER / TIX_PASSWORD are not set."""


@dataclass(frozen=True)
class Tokens:
    token: str
    refresh_token: str | None

    def __repr__(self) -> str:  # never print the secrets
        return f"Tokens(token=<{len(self.token)} chars>, refresh_token=<{'set' if self.refresh_token else 'none'}>)"


# ------------------------------------------------------------------------- credentials
def credentials_from_env(environ: dict[str, str] | None = None) -> tuple[str, str]:
    env = os.environ if environ is None else environ
    phone, password = env.get("TIX_PHONE_NUMBER", "").strip(), env.get("TIX_PASSWORD", "")
    if not phone or not password:
        raise CredentialsMissing("set TIX_PHONE_NUMBER and TIX_PASSWORD to log in to TIX.id")
    return phone, password


def login_phone(phone: str) -> str:
    """The number as the form wants it: '+62 812-...' -> '812...'.

    Removes the country code once, as a prefix (the original's lstrip("62") also ate a
    leading 6 or 2 of the number itself, tix.md 3.1 / B15).
    """
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("62") else digits.removeprefix("0")


def mask_phone(phone: str) -> str:
    """'+6281234567890' -> '6281***' (the docs' masked form)."""
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:4]}***" if digits else "***"


# ---------------------------------------------------------------------------- tokens
def unquote(value: Any) -> str | None:
    """localStorage values are JSON strings, quotes included: '"eyJ..."' -> 'eyJ...'."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            decoded = json.loads(text)
            text = decoded if isinstance(decoded, str) else text.strip('"')
        except ValueError:
            text = text.strip('"')
    return text or None


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, decoded WITHOUT verifying the signature (we only read exp)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> dt.datetime | None:
    exp = jwt_claims(token).get("exp")
    try:
        return dt.datetime.fromtimestamp(float(exp), dt.UTC) if exp is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


def token_doc(tokens: Tokens, *, phone: str | None, now: dt.datetime, source: str,
              previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The token document stored as state "tix_jwt".

    ``expires_at`` comes from the access token's exp claim (stored_at + 30 min if it has
    none); a refresh that returns no new refresh token keeps the previous one.
    """
    refresh = tokens.refresh_token or (previous or {}).get("refresh_token")
    expires = jwt_expiry(tokens.token) or now + DEFAULT_ACCESS_TTL
    doc: dict[str, Any] = {
        "token": tokens.token,
        "refresh_token": refresh,
        "phone": mask_phone(phone) if phone else (previous or {}).get("phone"),
        "stored_at": now.astimezone(dt.UTC).isoformat(),
        "expires_at": expires.astimezone(dt.UTC).isoformat(),
        "source": source,
    }
    iat = jwt_claims(tokens.token).get("iat")
    if isinstance(iat, int | float):  # the server's clock at issue: gives the clock skew (local_expiry)
        doc["issued_at"] = dt.datetime.fromtimestamp(float(iat), dt.UTC).isoformat()
    refresh_exp = jwt_expiry(refresh) if refresh else None
    if refresh_exp:
        doc["refresh_expires_at"] = refresh_exp.isoformat()
    return doc


def parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)  # the original stored naive UTC


def expires_at(doc: dict[str, Any]) -> dt.datetime | None:
    when = parse_time(doc.get("expires_at"))
    if when is None and doc.get("token"):
        when = jwt_expiry(doc["token"])
    if when is None:
        stored = parse_time(doc.get("stored_at"))
        when = stored + DEFAULT_ACCESS_TTL if stored else None
    return when


def local_expiry(doc: dict[str, Any]) -> dt.datetime | None:
    """When the access token expires by OUR clock.

    ``expires_at`` is the server's clock (the JWT exp); when the token says when it was
    issued (iat), our stored_at minus iat is the clock skew, and it is added.
    """
    expires = expires_at(doc)
    stored = parse_time(doc.get("stored_at"))
    issued = parse_time(doc.get("issued_at"))
    if expires and stored and issued:
        return expires + (stored - issued)
    return expires


def describe(doc: dict[str, Any] | None, now: dt.datetime) -> dict[str, Any]:
    """What ``tix-token --check`` prints: never the tokens themselves."""
    if not doc:
        return {"present": False}
    expiry = local_expiry(doc)
    stored = parse_time(doc.get("stored_at"))
    return {
        "present": bool(doc.get("token")),
        "phone": doc.get("phone"),
        "source": doc.get("source"),
        "stored_at": stored.isoformat() if stored else None,
        "age_minutes": round((now - stored).total_seconds() / 60, 1) if stored else None,
        "expires_at": expiry.isoformat() if expiry else None,
        "ttl_minutes": round((expiry - now).total_seconds() / 60, 1) if expiry else None,
        "has_refresh_token": bool(doc.get("refresh_token")),
        "refresh_expires_at": doc.get("refresh_expires_at"),
    }


def extract_token(payload: Any) -> tuple[str | None, str | None]:
    """(access, refresh) from an auth answer, wherever the API puts them."""
    if not isinstance(payload, dict):
        return None, None
    inner = payload.get("data")
    data: dict[str, Any] = inner if isinstance(inner, dict) else payload
    access = next((data[k] for k in ("token", "access_token", "authentication_token", "jwt")
                   if isinstance(data.get(k), str) and data[k]), None)
    refresh = next((data[k] for k in ("refresh_token", "authentication_refresh_token")
                    if isinstance(data.get(k), str) and data[k]), None)
    return unquote(access), unquote(refresh)


# ------------------------------------------------------------------------- API client
class TixAuthClient:
    """E1 (guest token) and E6 (refresh) over aiohttp, in the running asyncio loop.

    Transient trouble (5xx, 429, connection errors, a truncated body) is retried with a
    short backoff; a 401/403 on refresh raises RefreshRejected at once.
    """

    def __init__(self, api_url: str, *, timeout: float = 30.0, attempts: int = 4, backoff: float = 0.5,
                 user_agent: str | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.user_agent = user_agent
        self._session: Any = None

    async def _client(self) -> Any:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _post(self, path: str, *, headers: dict[str, str], body: Any, what: str,
                    reject_on: tuple[int, ...] = ()) -> Any:
        import aiohttp

        url = f"{self.api_url}{path}"
        delay = self.backoff
        last = "no attempt"
        for attempt in range(1, self.attempts + 1):
            try:
                session = await self._client()
                async with session.post(url, headers=headers, data=json.dumps(body)) as response:
                    status, text = response.status, await response.text()
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
            if attempt < self.attempts:
                logger.warning("TIX.id %s failed (%s); retry %d/%d in %.1f s", what, last, attempt,
                               self.attempts - 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise TixAuthError(f"{what}: {last} after {self.attempts} attempts")

    def _headers(self, bearer: str | None = None) -> dict[str, str]:
        headers = dict(APP_HEADERS) | {"Content-Type": "application/json"}
        if self.user_agent:
            headers["User-Agent"] = self.user_agent
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return headers

    async def guest_token(self) -> str:
        payload = await self._post("/v1/auth", headers=self._headers(), body={"client_id": "tixid_guest"},
                                   what="guest auth (POST /v1/auth)")
        if isinstance(payload, dict) and payload.get("success") is False:
            raise TixAuthError(f"guest auth: success false {_code(json.dumps(payload))}")
        token, _ = extract_token(payload)
        if not token:
            raise TixAuthError("guest auth: no token in the answer")
        return token

    async def refresh(self, refresh_token: str) -> Tokens:
        payload = await self._post("/v1/users/refresh", headers=self._headers(refresh_token), body={},
                                   what="token refresh (POST /v1/users/refresh)", reject_on=(401, 403))
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


# ----------------------------------------------------------------------- browser login
async def login_on_page(page: Any, phone: str, password: str, *, timeout_ms: float = 30_000,
                        key_delay_ms: float = 10) -> Tokens:
    """Log in on an open /login page (Playwright ``Page``) and read the tokens it stores."""
    phone_field = page.get_by_placeholder(PHONE_PLACEHOLDER)
    await phone_field.wait_for(state="visible", timeout=timeout_ms)  # Flutter renders late
    password_field = page.get_by_placeholder(PASSWORD_PLACEHOLDER)
    await phone_field.click()
    await phone_field.press_sequentially(login_phone(phone), delay=key_delay_ms)
    await password_field.click()
    await password_field.press_sequentially(password, delay=key_delay_ms)
    buttons = page.get_by_role("button", name="Login", exact=True)
    if await buttons.count():
        await buttons.last.click()  # the first "Login" is the header's decoy (tix.md 3.1)
    else:
        await password_field.press("Enter")
    try:
        await page.wait_for_url(re.compile(r"/home|login-success"), timeout=timeout_ms)
    except Exception as exc:  # Playwright's TimeoutError: say where we are and what the page shows
        shown = await _page_alerts(page)
        raise LoginError(f"login did not reach /home (still at {_path(page.url)}): {exc.__class__.__name__}"
                         + (f"; the page says {shown!r}" if shown else "")) from None
    deadline = asyncio.get_running_loop().time() + timeout_ms / 1000
    while True:
        stored = await page.evaluate(
            "keys => Object.fromEntries(keys.map(k => [k, window.localStorage.getItem(k)]))",
            [*TOKEN_KEYS, REFRESH_KEY])
        token = next((unquote(stored.get(k)) for k in TOKEN_KEYS if stored.get(k)), None)
        if token:
            return Tokens(token, unquote(stored.get(REFRESH_KEY)))
        if asyncio.get_running_loop().time() > deadline:
            raise LoginError("logged in, but no authentication_token in localStorage")
        await asyncio.sleep(0.2)


async def _page_alerts(page: Any) -> str:
    """The text of the page's alerts / error messages (never the fields' values)."""
    try:
        texts = await page.locator("[role=alert], .error").all_inner_texts()
    except Exception:  # diagnostics only
        return ""
    return " | ".join(t.strip() for t in texts if t.strip())[:200]


def redact(message: str, *secrets: str | None) -> str:
    """``message`` with every secret (and the phone's digits) replaced by ***."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
            digits = re.sub(r"\D", "", secret)
            if len(digits) >= 6:
                message = message.replace(digits, "***").replace(login_phone(secret), "***")
    return message


def _path(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url or "") or "/"


async def browser_login(app_url: str, phone: str, password: str, *, executable_path: str | None = None,
                        args: list[str] | None = None, headless: bool = True, timeout_ms: float = 30_000) -> Tokens:
    """Launch Chromium in this asyncio loop, log in, return the tokens, close everything."""
    from playwright.async_api import async_playwright

    launch: dict[str, Any] = {"headless": headless, "args": args or CHROMIUM_ARGS}
    if executable_path:
        launch["executable_path"] = executable_path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch)
        try:
            context = await browser.new_context(**BROWSER_CONTEXT)
            await context.add_init_script(INIT_SCRIPT)
            page = await context.new_page()
            await page.goto(f"{app_url.rstrip('/')}/login", wait_until="domcontentloaded", timeout=timeout_ms)
            return await login_on_page(page, phone, password, timeout_ms=timeout_ms)
        finally:
            await browser.close()


def chromium_path(settings_value: str | None = None) -> str:
    return settings_value or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
