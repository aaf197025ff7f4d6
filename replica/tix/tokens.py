"""JWTs of the TIX.id replica: guest, access and refresh tokens (docs/sources/tix.md#tokens).

All three are real HS256 JWTs with ``iat``/``exp``. Expiry is judged against the replica
clock, not the wall clock, so a frozen or advanced clock expires tokens on demand; the
lifetimes are read from the knobs when a token is issued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

import jwt

from replica.core import Context, snowflake, stable_seed

ISSUER = "api-b2b.tix.id"
INVALID, EXPIRED = "INVALID_TOKEN", "EXPIRED"


@dataclass(frozen=True, slots=True)
class Rejection:
    code: str  # INVALID_TOKEN or EXPIRED
    message: str


class TokenBook:
    """Issues and checks tokens; remembers which refresh tokens were revoked."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._key = hashlib.sha256(f"tix-replica-jwt|{ctx.seed}".encode()).hexdigest()
        self._issued = 0  # serial of the last token issued (its jti)
        self._revoked_upto = 0  # refresh tokens with a serial up to this one are revoked
        self._verified: dict[str, dict] = {}  # signature checks are the cost of E5; do each once
        signed_up = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        self.user_id = snowflake(random.Random(stable_seed("tix-user", ctx.seed)), signed_up)

    def _issue(self, typ: str, ttl: int, **claims: object) -> str:
        now = int(self.ctx.clock.now().timestamp())
        self._issued += 1
        payload = {"iss": ISSUER, "typ": typ, "iat": now, "exp": now + ttl, "jti": str(self._issued), **claims}
        return jwt.encode(payload, self._key, algorithm="HS256")

    def guest(self) -> str:
        # Guest tokens live as long as access tokens: the real lifetime is unknown.
        return self._issue("guest", self.ctx.knobs.access_ttl_s, sub="guest", client_id="tixid_guest")

    def access(self) -> str:
        return self._issue("access", self.ctx.knobs.access_ttl_s, sub=self.user_id)

    def refresh(self) -> str:
        return self._issue("refresh", self.ctx.knobs.refresh_ttl_s, sub=self.user_id)

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far stops working (fault ``token_revoke``)."""
        self._revoked_upto = self._issued

    def check(self, authorization: str | None, kinds: tuple[str, ...]) -> dict | Rejection:
        """The claims of ``Authorization: Bearer <jwt>`` if it is one of ``kinds`` and alive."""
        if not authorization or not authorization.startswith("Bearer "):
            return Rejection(INVALID, "Missing or malformed Authorization header")
        token = authorization[7:].strip()
        claims = self._verified.get(token)
        if claims is None:
            if token.startswith('"'):
                # The classic mistake: the value copied from localStorage with its JSON quotes.
                return Rejection(INVALID, "Invalid token")
            try:
                claims = jwt.decode(token, self._key, algorithms=["HS256"], issuer=ISSUER,
                                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                                             "require": ["exp", "iat", "typ", "jti"]})
            except jwt.PyJWTError:
                return Rejection(INVALID, "Invalid token")
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[token] = claims
        if claims["typ"] not in kinds:
            return Rejection(INVALID, "Invalid token")
        if claims["exp"] <= self.ctx.clock.now().timestamp():
            return Rejection(EXPIRED, "Token expired")
        if claims["typ"] == "refresh" and int(claims["jti"]) <= self._revoked_upto:
            return Rejection(INVALID, "Token revoked")
        return claims
