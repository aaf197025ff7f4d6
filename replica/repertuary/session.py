"""A Rails-like session: signed cookie, CSRF token, the selected day.

Two storage modes, chosen per request by ``Knobs.session_race``:

* server-side (True): the cookie carries only the session id; the selected day lives in the
  server keyed by that id, so concurrent day chains sharing one cookie overwrite each other's
  day (docs/sources/repertuary.md#day-selection-race);
* cookie store (False): the selected day rides in the reissued signed cookie, so each chain
  that uses the cookie its own POST returned keeps its own day.

Everything is derived from the seed and a per-city counter, so two runs that receive the same
requests hand out the same cookies and tokens (pages stay byte-identical).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from aiohttp import web

from replica.core import stable_seed


@dataclass
class Session:
    sid: str
    csrf: bytes  # the unmasked 32-byte token, as Rails keeps it in the session
    day: int = 0  # cookie-store mode only
    new: bool = False  # created by this request: the response must set the cookie


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, seed: int, city: str) -> None:
        # Per-city name: every city is served from 127.0.0.1 and cookies ignore the port.
        self.cookie_name = f"_{city}_session"
        self._secret = stable_seed("repertuary-secret", seed, city).to_bytes(8, "big") * 4
        self._prefix = f"{seed}|{city}"
        self._counter = 0
        self.days: dict[str, int] = {}  # server-side store: session id -> selected day

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self._secret, "|".join(parts).encode(), hashlib.sha256).digest()

    def create(self) -> Session:
        self._counter += 1
        sid = self._mac("sid", self._prefix, str(self._counter)).hex()[:32]
        return Session(sid, self._mac("csrf", sid), new=True)

    def load(self, request: web.Request) -> Session | None:
        """The request's session if its cookie is present and correctly signed."""
        value = request.cookies.get(self.cookie_name)
        if not value or "--" not in value:
            return None
        data, _, signature = value.rpartition("--")
        if not hmac.compare_digest(signature, self._mac("cookie", data).hex()[:40]):
            return None
        try:
            payload = json.loads(_unb64(data))
            return Session(payload["session_id"], _unb64(payload["_csrf_token"]), int(payload.get("day", 0)))
        except (ValueError, KeyError, TypeError):
            return None

    def load_or_create(self, request: web.Request) -> Session:
        return self.load(request) or self.create()

    def cookie_value(self, session: Session, race: bool) -> str:
        payload: dict[str, object] = {"session_id": session.sid, "_csrf_token": _b64(session.csrf)}
        if not race:
            payload["day"] = session.day
        data = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{data}--{self._mac('cookie', data).hex()[:40]}"

    def set_cookie(self, response: web.StreamResponse, session: Session, race: bool) -> None:
        response.set_cookie(self.cookie_name, self.cookie_value(session, race), path="/", httponly=True, samesite="Lax")

    # ----- selected day ------------------------------------------------------------
    def day(self, session: Session, race: bool) -> int:
        return self.days.get(session.sid, 0) if race else session.day

    def select(self, session: Session, day: int, race: bool) -> None:
        if race:
            self.days[session.sid] = day
        else:
            session.day = day

    # ----- CSRF ----------------------------------------------------------------------
    def masked_token(self, session: Session) -> str:
        """The <meta name="csrf-token"> value: a one-time pad plus the token XOR the pad, like Rails.

        The pad is derived from the session, so a given session always renders the same page.
        """
        pad = self._mac("pad", session.sid)
        return base64.b64encode(pad + bytes(a ^ b for a, b in zip(pad, session.csrf, strict=True))).decode()

    def token_valid(self, session: Session | None, token: str | None) -> bool:
        """Accept the masked form (64 bytes) or the raw token (32 bytes), as Rails does."""
        if session is None or not token:
            return False
        try:
            raw = base64.b64decode(token, validate=True)
        except ValueError:
            return False
        if len(raw) == 64:
            raw = bytes(a ^ b for a, b in zip(raw[:32], raw[32:], strict=True))
        return len(raw) == 32 and hmac.compare_digest(raw, session.csrf)
