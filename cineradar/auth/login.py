"""THE TIX.id browser login: every caller (the tix_login spider, ``scrapy tix-token``, the
JWT middleware's re-login) goes through ``login()``.

A renderer turns credentials into tokens: ``await renderer.login(credentials, options)``.
``PlaywrightRenderer`` (the default) drives Debian's Chromium through Playwright in the
running asyncio loop (docs/sources/tix.md#login-flow): open /login, type the phone
number and password into the fields with placeholders "Type your phone number" and
"Type Password", click the LAST "Login" button (the first is a decoy in the header),
then wait for /home, read ``authentication_token`` / ``authentication_refresh_token``
from localStorage and strip their JSON quotes. If the page shows an error in an alert
(``[role=alert]``, e.g. a wrong password) the login fails at once with that text,
instead of waiting out the timeout. The other renderer, Splash (TIX_RENDERER = "splash",
cineradar/auth/splash_login.py), offers the same ``login`` method.

Options come from settings when a login is built, never at import:
TIX_LOGIN_HEADLESS, TIX_CHROMIUM_PATH ($CHROMIUM_PATH, /usr/bin/chromium) and
TIX_LOGIN_TIMEOUT (seconds per browser step).
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from cineradar import tls
from cineradar.auth.tokens import Credentials, LoginError, SettingsLike, Tokens, login_phone, unquote
from cineradar.defaults import defaulted

# The browser fingerprint of the original (docs/sources/tix.md#browser-fingerprint).
IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
BROWSER_CONTEXT: dict[str, Any] = {"viewport": {"width": 430, "height": 932}, "user_agent": IPHONE_UA,
                                   "locale": "id-ID", "timezone_id": "Asia/Jakarta"}
INIT_SCRIPT = "Object.defineProperty(navigator, 'webdriver', {get: () => undefined});"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-blink-features=AutomationControlled"]
CERT_ERROR = re.compile(r"net::ERR_(CERT_[A-Z_]+|SSL_[A-Z_]+|BAD_SSL_CLIENT_AUTH_CERT)")


def chromium_args(ca_file: str | None = None, euid: int | None = None) -> list[str]:
    """Chromium's flags: its sandbox on, unless running as root; TLS always verified.

    Chromium refuses to start its sandbox as root (it needs an unprivileged user for its
    namespaces), so as root, and only then, it runs with --no-sandbox; the renderer that parses
    the login page is then not confined, which is why the crawler should not run as root.
    TLS_CA_FILE: the public keys of its certificates are trusted for the login page
    (--ignore-certificate-errors-spki-list names exactly those keys; every other certificate
    error still fails the page). No flag ignores certificate errors in general.
    """
    args = list(CHROMIUM_ARGS)
    if (os.geteuid() if euid is None else euid) == 0:
        args.insert(0, "--no-sandbox")
    if ca_file:
        args.append("--ignore-certificate-errors-spki-list=" + ",".join(tls.spki_hashes(ca_file)))
    return args
SKIPPED_RESOURCES = ("image", "media", "font")  # never needed to log in
PHONE_PLACEHOLDER = "Type your phone number"
PASSWORD_PLACEHOLDER = "Type Password"
TOKEN_KEYS = ("authentication_token", "token", "auth_token", "jwt", "access_token")
REFRESH_KEY = "authentication_refresh_token"
LOGGED_IN_URL = re.compile(r"/home|login-success")
ALERTS = "[role=alert], .error"


@dataclass(frozen=True)
class LoginOptions:
    app_url: str
    headless: bool = True
    chromium_path: str | None = None  # None: $CHROMIUM_PATH, else /usr/bin/chromium (read at login)
    timeout: float = 60.0  # seconds per browser step
    ca_file: str | None = None  # TLS_CA_FILE (cineradar/tls.py)

    @classmethod
    def from_settings(cls, app_url: str, settings: SettingsLike) -> LoginOptions:
        try:
            ca = tls.ca_file(settings)
        except tls.TlsConfigError as exc:
            raise LoginError(str(exc)) from None
        return cls(app_url=app_url, headless=defaulted(settings).getbool("TIX_LOGIN_HEADLESS"),
                   chromium_path=settings.get("TIX_CHROMIUM_PATH") or None,
                   timeout=defaulted(settings).getfloat("TIX_LOGIN_TIMEOUT"), ca_file=ca)

    @property
    def executable_path(self) -> str:
        return self.chromium_path or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


class Renderer(Protocol):
    async def login(self, credentials: Credentials, options: LoginOptions) -> Tokens: ...


class PlaywrightRenderer:
    """Chromium through Playwright, launched for one login and closed again."""

    async def login(self, credentials: Credentials, options: LoginOptions) -> Tokens:
        from playwright.async_api import async_playwright

        timeout_ms = options.timeout * 1000
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=options.executable_path, headless=options.headless,
                                               args=chromium_args(options.ca_file), timeout=timeout_ms,
                                               chromium_sandbox=os.geteuid() != 0)
            try:
                context = await browser.new_context(**BROWSER_CONTEXT)
                await context.add_init_script(INIT_SCRIPT)
                await context.route("**/*", _skip_heavy)
                page = await context.new_page()
                url = f"{options.app_url.rstrip('/')}/login"
                try:
                    await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
                except Exception as exc:  # playwright's Error: a certificate is named, nothing was typed
                    refused = CERT_ERROR.search(str(exc))
                    if refused:
                        raise LoginError(f"TLS: the certificate of {_host(url)} does not verify ({refused.group(0)}); "
                                         "nothing was typed (a private mirror's CA goes in TLS_CA_FILE)") from None
                    raise
                return await login_on_page(page, credentials, timeout_ms=timeout_ms)
            finally:
                await browser.close()


PLAYWRIGHT = PlaywrightRenderer()


RENDERERS = ("playwright", "splash")  # TIX_RENDERER; splash: cineradar/auth/splash_login.py


def renderer_name(settings: SettingsLike) -> str:
    name = str(defaulted(settings).get("TIX_RENDERER")).strip().lower()
    if name not in RENDERERS:
        raise LoginError(f"TIX_RENDERER={name!r}: expected one of {', '.join(RENDERERS)}")
    return name


async def login(credentials: Credentials, options: LoginOptions, renderer: Renderer = PLAYWRIGHT) -> Tokens:
    """Log in to TIX.id and return the tokens (raises LoginError, never with a secret in it)."""
    return await renderer.login(credentials, options)


async def _skip_heavy(route: Any) -> None:
    if route.request.resource_type in SKIPPED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()


async def login_on_page(page: Any, credentials: Credentials, *, timeout_ms: float = 30_000,
                        key_delay_ms: float = 10) -> Tokens:
    """Log in on an open /login page (Playwright ``Page``) and read the tokens it stores."""
    phone_field = page.get_by_placeholder(PHONE_PLACEHOLDER)
    await phone_field.wait_for(state="visible", timeout=timeout_ms)  # Flutter renders late
    password_field = page.get_by_placeholder(PASSWORD_PLACEHOLDER)
    await phone_field.click()
    await phone_field.press_sequentially(login_phone(credentials.phone), delay=key_delay_ms)
    await password_field.click()
    await password_field.press_sequentially(credentials.password, delay=key_delay_ms)
    buttons = page.get_by_role("button", name="Login", exact=True)
    if await buttons.count():
        await buttons.last.click()  # the first "Login" is the header's decoy (docs/sources/tix.md#login-flow)
    else:
        await password_field.press("Enter")
    await _logged_in_or_refused(page, timeout_ms)
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


async def _logged_in_or_refused(page: Any, timeout_ms: float) -> None:
    """Wait for /home, or fail as soon as the page shows an error (a wrong password...)."""
    home = asyncio.ensure_future(page.wait_for_url(LOGGED_IN_URL, timeout=timeout_ms))
    refused = asyncio.ensure_future(page.locator(ALERTS).filter(has_text=re.compile(r"\S")).first
                                    .wait_for(state="attached", timeout=timeout_ms))
    done, pending = await asyncio.wait({home, refused}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if home in done and home.exception() is None:
        return
    shown = await _page_alerts(page)
    if refused in done and refused.exception() is None:
        raise LoginError(f"the login page says {shown!r}")
    error = home.exception() if home in done else refused.exception()
    raise LoginError(f"login did not reach /home (still at {_path(page.url)}): {error.__class__.__name__}"
                     + (f"; the page says {shown!r}" if shown else ""))


async def _page_alerts(page: Any) -> str:
    """The text of the page's alerts / error messages (never the fields' values)."""
    try:
        texts = await page.locator(ALERTS).all_inner_texts()
    except Exception:  # diagnostics only
        return ""
    return " | ".join(t.strip() for t in texts if t.strip())[:200]


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _path(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url or "") or "/"
