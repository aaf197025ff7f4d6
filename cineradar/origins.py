"""Origins (scheme, host, port): a credential goes only to the origin it was issued for.

The TIX.id tokens go to ENDPOINTS' ``tix_api`` only (cineradar/middlewares/jwt_auth.py), the
TMDB credential to ``tmdb`` only (cineradar/handlers.py), whatever a request's meta says: a
redirect keeps the meta, so a 302 to another host would otherwise carry them there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def same_origin(url: str, base: str) -> bool:
    return origin(url) == origin(base)
