"""TIX.id tokens: the token document, JWT expiry and clock skew, credentials, errors.

The token document is what the store keeps as state "tix_jwt" (Firestore:
auth_tokens/tix_jwt): ``token``, ``refresh_token``, ``phone`` (masked), ``stored_at``,
``expires_at`` (the JWT exp), ``issued_at`` (the JWT iat, gives the clock skew),
``refresh_expires_at`` and ``source`` (login or refresh). See docs/sources/tix.md#token-document.

Secrets (password, tokens) never reach a log line, an exception message or stats: the
errors here carry HTTP statuses and error codes only, and ``redact`` cleans the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt

TOKEN_STATE = "tix_jwt"  # the token store: storage state "tix_jwt" (Firestore auth_tokens/tix_jwt)
DEFAULT_ACCESS_TTL = dt.timedelta(minutes=30)  # when a token carries no readable exp (docs/sources/tix.md#tokens)
# The web app's own headers (docs/sources/tix.md#app-headers); session/device ids are the string "null".
APP_HEADERS = {"platform": "web", "lang": "en", "app_version": "1.0.0", "device_id": "null",
               "session_id": "null", "Accept": "application/json"}


class SettingsLike(Protocol):
    """What the auth code reads settings through (Scrapy's Settings fits; so does a test double)."""

    def get(self, name: str, default: Any = None) -> Any: ...

    def getbool(self, name: str, default: bool = False) -> bool: ...

    def getint(self, name: str, default: int = 0) -> int: ...

    def getfloat(self, name: str, default: float = 0.0) -> float: ...


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
    """What a login or a refresh gives: the access token and (maybe) a refresh token."""

    token: str
    refresh_token: str | None

    def __repr__(self) -> str:  # never print the secrets
        return f"Tokens(token=<{len(self.token)} chars>, refresh_token=<{'set' if self.refresh_token else 'none'}>)"


@dataclass(frozen=True)
class Credentials:
    phone: str
    password: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Credentials:
        """TIX_PHONE_NUMBER and TIX_PASSWORD: credentials come from the environment only."""
        env = os.environ if environ is None else environ
        phone, password = env.get("TIX_PHONE_NUMBER", "").strip(), env.get("TIX_PASSWORD", "")
        if not phone or not password:
            raise CredentialsMissing("set TIX_PHONE_NUMBER and TIX_PASSWORD to log in to TIX.id")
        return cls(phone, password)

    def __repr__(self) -> str:
        return f"Credentials(phone={mask_phone(self.phone)!r})"


def env_phone() -> str | None:
    """The account's phone number if credentials are set (it is stored masked with the token)."""
    try:
        return Credentials.from_env().phone
    except CredentialsMissing:
        return None


def login_phone(phone: str) -> str:
    """The number as the form wants it: '+62 812-...' -> '812...'.

    Removes the country code once, as a prefix (the original's lstrip("62") also ate a
    leading 6 or 2 of the number itself, docs/sources/tix.md#login-flow).
    """
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("62") else digits.removeprefix("0")


def mask_phone(phone: str) -> str:
    """'+6281234567890' -> '6281***' (the docs' masked form)."""
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:4]}***" if digits else "***"


def redact(message: str, *secrets: str | None) -> str:
    """``message`` with every secret (and the phone's digits) replaced by ***."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
            digits = re.sub(r"\D", "", secret)
            if len(digits) >= 6:
                message = message.replace(digits, "***").replace(login_phone(secret), "***")
    return message


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


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
