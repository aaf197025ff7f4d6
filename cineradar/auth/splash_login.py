"""The TIX.id login through Splash (TIX_RENDERER = "splash"), the second renderer. No Scrapy here.

Splash runs the Lua script ``cineradar/lua/tix_login.lua`` on its /execute endpoint: the same
steps as the Playwright login (docs/sources/tix.md#login-flow), with private mode off so
localStorage exists. The result is a table, so a missing field, the page's error text (a wrong
password) and a timeout come back as answers, never as a hang; ``tokens_from_result`` turns it
into ``Tokens`` or a ``LoginError``.

``SplashRenderer`` is the renderer behind the one login path (cineradar/auth/login.py), which
``build_manager`` picks when TIX_RENDERER is "splash": the tix_login spider, ``scrapy tix-token``
and the JWT middleware's re-login all use it. It talks to Splash over aiohttp in the running
asyncio loop, as the Playwright renderer drives Chromium there.

Failures: Splash unreachable -> ``SplashUnreachable`` naming SPLASH_URL, at once. A Splash 5xx
(504 is its render timeout) or a lost connection -> retried (TIX_SPLASH_ATTEMPTS in all), each
counted with ``inc_stat``; then ``SplashFailed`` says how many and why. The phone number and the
password travel only in the JSON POST body, as the Lua arguments ``phone`` and ``password``,
which the Splash server must not log (``--dont-log-args phone,password``, as tools/local_servers.py
starts it). Error messages carry statuses, error types and the page's text only.

Settings: TIX_RENDERER ("playwright" | "splash"), SPLASH_URL, TIX_SPLASH_ATTEMPTS,
TIX_SPLASH_TIMEOUT (Splash's render limit, at most the server's --max-timeout, 90 s by
default) and TIX_LOGIN_TIMEOUT (seconds per step, as for Playwright).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cineradar import tls
from cineradar.auth.tokens import Credentials, LoginError, SettingsLike, Tokens, login_phone, redact, unquote
from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from cineradar.auth.login import LoginOptions

logger = logging.getLogger(__name__)

DEFAULT_SPLASH_URL = "http://127.0.0.1:8050"
RETRY_STATUSES = frozenset({500, 502, 503, 504})  # 504: Splash's render timeout; 503: its queue is full


class SplashUnreachable(LoginError):
    """No Splash answers at SPLASH_URL."""


class SplashFailed(LoginError):
    """Splash kept failing (5xx, render timeouts) or refused the script."""


class LoginRefused(LoginError):
    """The login page showed an error (a wrong password): no retry helps."""


def lua_source() -> str:
    return files("cineradar").joinpath("lua", "tix_login.lua").read_text(encoding="utf-8")


def fetch_polyfill() -> str:
    """whatwg-fetch: Splash's QtWebKit has no window.fetch (loaded only where it is missing)."""
    return files("cineradar").joinpath("js", "whatwg-fetch.umd.js").read_text(encoding="utf-8")


def execute_args(app_url: str, phone: str, password: str, *, timeout: float, render_timeout: float) -> dict[str, Any]:
    """The /execute arguments (the POST body): the script, its inputs, Splash's own timeout."""
    return {
        "lua_source": lua_source(),
        "url": f"{app_url.rstrip('/')}/login",
        "phone": login_phone(phone),
        "password": password,
        "wait": min(timeout, render_timeout),
        "timeout": render_timeout,
        "fetch_polyfill": fetch_polyfill(),
    }


def tokens_from_result(result: Any) -> Tokens:
    """The Lua script's table -> Tokens, or the LoginError it describes."""
    if not isinstance(result, dict):
        raise SplashFailed("splash login: the script returned no table")
    if result.get("ok"):
        token = unquote(result.get("authentication_token"))
        if token:
            return Tokens(token, unquote(result.get("authentication_refresh_token")))
        raise LoginError("logged in, but no authentication_token in localStorage")
    error, message, where = result.get("error"), str(result.get("message") or "")[:200], result.get("path") or "?"
    if error == "rejected":
        raise LoginRefused(f"the login page says {message!r}")
    raise LoginError(f"splash login: {error} at {where}: {message}")


def splash_error(status: int, text: str) -> str:
    """A short, secret-free description of a Splash error answer."""
    try:
        payload = json.loads(text)
    except ValueError:
        return f"HTTP {status}"
    if not isinstance(payload, dict):
        return f"HTTP {status}"
    info = payload.get("info")
    info = info if isinstance(info, dict) else {}
    detail = info.get("message") or info.get("error") or payload.get("description") or ""
    return f"HTTP {status} {payload.get('type') or ''} {str(detail)[:160]}".strip()


async def verify_login_host(app_url: str, ca_file: str | None = None, seconds: float = 30.0) -> None:
    """Splash 3.5 ignores certificate errors itself (its network manager calls ignoreSslErrors on
    every reply), so the crawler checks the login host's certificate first, with the same trust
    as every other client (system roots + TLS_CA_FILE), and never hands the credentials to Splash
    for a host that does not verify. (Splash on another network path than the crawler's is not
    covered: run it beside the crawler, as SPLASH_URL's default does.)"""
    parts = urlsplit(app_url)
    if parts.scheme != "https":
        return
    host, port = parts.hostname or "", parts.port or 443
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(
            host, port, ssl=tls.client_context(ca_file), server_hostname=host), seconds)
    except ssl.SSLCertVerificationError as exc:
        raise LoginError(f"TLS: the certificate of {parts.netloc} does not verify "
                         f"({exc.verify_message}); Splash was not asked to log in there "
                         "(a private mirror's CA goes in TLS_CA_FILE)") from None
    except (OSError, TimeoutError):
        return  # unreachable: Splash's own attempt reports it
    writer.close()


async def splash_login(app_url: str, phone: str, password: str, *, step_timeout: float = 60.0,
                       splash_url: str = DEFAULT_SPLASH_URL, render_timeout: float = 90.0, attempts: int = 3,
                       inc_stat: Callable[[str], None] | None = None, ca_file: str | None = None) -> Tokens:
    """Log in through Splash's /execute and return the tokens (raises LoginError, never with a secret)."""
    import aiohttp

    await verify_login_host(app_url, ca_file, step_timeout)
    splash = urlsplit(splash_url)
    if splash.scheme != "https" and not tls.is_loopback(splash.hostname or ""):
        raise LoginError(f"SPLASH_URL={splash_url}: the phone number and password would cross the network "
                         "in clear; use https (or a Splash on this machine)")

    def count(key: str) -> None:
        if inc_stat is not None:
            inc_stat(f"cineradar/tix/splash/{key}")

    endpoint = f"{splash_url.rstrip('/')}/execute"
    body = json.dumps(execute_args(app_url, phone, password, timeout=step_timeout, render_timeout=render_timeout))
    client_timeout = aiohttp.ClientTimeout(total=render_timeout + 15)  # Splash answers 504 first
    failures: list[str] = []
    connector = aiohttp.TCPConnector(ssl=tls.client_context(ca_file))  # an https SPLASH_URL is verified
    async with aiohttp.ClientSession(timeout=client_timeout, connector=connector) as session:
        for attempt in range(1, attempts + 1):
            count("requests")
            try:
                async with session.post(endpoint, data=body, headers={"Content-Type": "application/json"}) as answer:
                    status, text = answer.status, await answer.text()
            except aiohttp.ClientConnectorError as exc:
                count("unreachable")
                raise SplashUnreachable(f"Splash is unreachable at SPLASH_URL={splash_url} "
                                        f"({exc.__class__.__name__}: {exc.os_error or 'connect failed'})") from None
            except (TimeoutError, aiohttp.ClientError) as exc:
                failure = exc.__class__.__name__
            else:
                if status == 200:
                    try:
                        result = json.loads(text)
                    except ValueError:
                        failure = "HTTP 200 with a non-JSON body"
                    else:
                        tokens = tokens_from_result(result)
                        count("success")
                        return tokens
                elif status in RETRY_STATUSES:
                    failure = splash_error(status, text)
                else:  # 400 (script error, bad option): the same request fails the same way again
                    count(f"failed/{status}")
                    raise SplashFailed(redact(f"Splash refused the login script: {splash_error(status, text)}",
                                              phone, password))
            failures.append(failure)
            count("retry" if attempt < attempts else "gave_up")
            if attempt < attempts:
                logger.warning("Splash login attempt %d/%d failed (%s); retrying", attempt, attempts, failure)
                await asyncio.sleep(0.5 * attempt)
    raise SplashFailed(redact(f"Splash login failed {attempts} times at SPLASH_URL={splash_url}: "
                              + "; ".join(failures), phone, password))


class SplashRenderer:
    """The renderer interface of cineradar/auth/login.py: ``await login(credentials, options)``."""

    def __init__(self, splash_url: str = DEFAULT_SPLASH_URL, *, render_timeout: float = 90.0, attempts: int = 3,
                 inc_stat: Callable[[str], None] | None = None) -> None:
        self.splash_url = splash_url
        self.render_timeout = render_timeout
        self.attempts = attempts
        self.inc_stat = inc_stat

    @classmethod
    def from_settings(cls, settings: SettingsLike, inc_stat: Callable[[str], None] | None = None) -> SplashRenderer:
        return cls(defaulted(settings).get("SPLASH_URL"),
                   render_timeout=defaulted(settings).getfloat("TIX_SPLASH_TIMEOUT"),
                   attempts=max(1, defaulted(settings).getint("TIX_SPLASH_ATTEMPTS")), inc_stat=inc_stat)

    async def login(self, credentials: Credentials, options: LoginOptions) -> Tokens:
        return await splash_login(options.app_url, credentials.phone, credentials.password,
                                  step_timeout=options.timeout, splash_url=self.splash_url,
                                  render_timeout=self.render_timeout, attempts=self.attempts, inc_stat=self.inc_stat,
                                  ca_file=options.ca_file)
