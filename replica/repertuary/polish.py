"""Polish words the site prints: weekday and month names, date labels, slugs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

WEEKDAYS = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
# Abbreviations of the day picker. "Czw" and "Pt" are verbatim from the site; the others are designed
# in the same style.
WEEKDAY_ABBR = ("Pon", "Wt", "Śr", "Czw", "Pt", "Sob", "Nd")
WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_GENITIVE = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)

# Letters NFKD does not decompose to ASCII (ł) plus the usual ones, so slugs match the site's
# ("wicked-na-dobre", "kevin-sam-w-domu", "zwierzogrod-2").
_TRANSLIT = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d"})


def date_header(day: dt.date) -> str:
    """th.date text: "wtorek, 18 listopada" (no year, as on the site)."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS_GENITIVE[day.month - 1]}"


def long_date(day: dt.date) -> str:
    """The "Premiera:" value: "6 listopada 2014"."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def picker_label(day: dt.date) -> str:
    """Day-picker anchor content, raw HTML: "Czw<br> 2 10" (numeric month, as verbatim on the site)."""
    return f"{WEEKDAY_ABBR[day.weekday()]}<br> {day.day} {day.month}"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def sort_key(text: str) -> str:
    """Alphabetical order close enough to Polish collation for listing films and cinemas."""
    return slugify(text)
