"""A PostgreSQL DSN's secrets, for error messages that never show them, whatever the password holds.

In a URL DSN a password with ``@``, ``/``, ``?``, ``#`` or a stray ``%`` is misread by libpq: part
of it becomes the host, port or database, and libpq's error names that part ("could not
translate host name "cret@127.0.0.1""), where redacting the password libpq parsed does not
reach. Such a DSN is refused before any connection, with a message that says what to
percent-encode and shows none of it; any other DSN's errors are cleaned of every form of the
password (as written, percent-decoded) and of the user-info part as a whole.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

URL_SCHEMES = ("postgresql://", "postgres://")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def url_problem(dsn: str) -> str | None:
    """Why a URL DSN's user info would be misread (never showing it), or None."""
    if not dsn.startswith(URL_SCHEMES):
        return None
    rest = dsn.split("://", 1)[1]
    authority_end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, after = rest[:authority_end], rest[authority_end:]
    if "@" in after:
        return ("DATABASE_URL: an '@' after the host part: a password with '/', '?', '#' or '@' must be "
                "percent-encoded (%2F, %3F, %23, %40)")
    if authority.count("@") > 1:
        return "DATABASE_URL: more than one '@': percent-encode an '@' in the user or password as %40"
    userinfo = authority.rpartition("@")[0]
    if BAD_PERCENT.search(userinfo):
        return "DATABASE_URL: a '%' in the user or password that is not %XX: percent-encode it as %25"
    return None


def secrets(dsn: str, password: str | None) -> list[str]:
    """Every string to remove from a message about this DSN, longest first."""
    found = {password or ""}
    if dsn.startswith(URL_SCHEMES):
        rest = dsn.split("://", 1)[1]
        userinfo = rest.rpartition("@")[0] if "@" in rest else ""
        raw_password = userinfo.partition(":")[2]
        found |= {userinfo, raw_password, unquote(raw_password)}
    found.add(dsn)
    return sorted((s for s in found if s), key=len, reverse=True)


def redact(text: str, hidden: list[str]) -> str:
    for secret in hidden:
        text = text.replace(secret, "***")
    return text
