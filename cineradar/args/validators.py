"""The checks every argument model shares: plain functions a ``field_validator`` calls.

Each takes the value as given (already stripped) and returns it as the model keeps it, or raises
``ValueError`` with the message the command prints after ``-a name:`` (SpiderArgs.parse). A source
outside cineradar/ (tests/fixtures/toy_source) uses them the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cineradar.cities import REPERTUARY_CITIES, city_key, did_you_mean, repertuary_city, tix_cities

T = TypeVar("T")


def comma_items(value: str) -> list[str]:
    """The items of a comma-separated argument (``-a cities=JAKARTA, BANDUNG``), blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def comma_list(value: str, known: Callable[[str], str | None], refused: Callable[[list[str]], str], *,
               unique: bool = False) -> str:
    """The shared validator of comma-separated arguments: each item as ``known`` names it (None:
    unknown); ``ValueError(refused(unknown items))`` if any is unknown or none is given. Returns the
    names joined by commas (``unique``: each once, in the order given)."""
    given = comma_items(value)
    names = [known(item) for item in given]
    bad = [item for item, name in zip(given, names, strict=True) if name is None]
    if bad or not given:
        raise ValueError(refused(bad))
    kept = [str(name) for name in names]
    return ",".join(dict.fromkeys(kept) if unique else kept)


def iso_day(value: Any) -> Any:
    """A day as YYYY-MM-DD (a string; anything else is left to the field's type)."""
    if isinstance(value, str):
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a day as YYYY-MM-DD, got {value!r}") from None
    return value


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """An instant with its offset (a naive one is refused: whose clock would it be?)."""
    if value is not None and value.tzinfo is None:
        raise ValueError("give an offset, e.g. 2026-01-15T18:40:00+07:00")
    return value


def readable_file(value: str | None) -> str | None:
    """A file that exists and can be read (whether its content is usable is known when read)."""
    if value is not None:
        path = Path(value)
        if not path.exists():
            raise ValueError(f"no such file: {value}")
        if not path.is_file():
            raise ValueError(f"not a file: {value}")
        if not os.access(path, os.R_OK):
            raise ValueError(f"not readable: {value}")
    return value


def batch(value: str | None, most: int) -> str | None:
    """``N/M``: the N-th (0-based) of M batches, M at most ``most``."""
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", value)
    if not match or not 0 <= int(match[1]) < int(match[2]) <= most:
        raise ValueError(f"got {value!r}; allowed: N/M with 0 <= N < M <= {most} (e.g. 2/9)")
    return value


def batch_slice(items: Sequence[T], chosen: str | None) -> list[T]:
    """The ``chosen`` (N/M, checked by ``batch``) slice of ``items``: contiguous, balanced slices
    (the original's len//9+1 left the last batch with 3); all of them without a batch."""
    if not chosen:
        return list(items)
    index, total = map(int, chosen.split("/"))
    size, extra = divmod(len(items), total)
    start = index * size + min(index, extra)
    return list(items[start:start + size + (1 if index < extra else 0)])


def country_code(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 country, upper case."""
    if value is not None and not (len(value) == 2 and value.isalpha()):
        raise ValueError(f"expected a two-letter country code, got {value!r}")
    return value.upper() if value else None


def language_tag(value: str | None) -> str | None:
    """A language as xx or xx-XX (TMDB's ``language``)."""
    if value is not None and not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", value):
        raise ValueError(f"expected xx-XX (e.g. pl-PL), got {value!r}")
    return value


def tix_city(name: str) -> str | None:
    """The TIX.id city NAME of a city as typed (any case, diacritics or separators), or None."""
    return _tix_names().get(city_key(name))


def _tix_names() -> dict[str, str]:
    return {city_key(name): name for _, name in tix_cities()}


def repertuary_cities(value: str) -> str:
    """Comma-separated repertuary cities as typed, or ``all``: their keys."""
    def refused(bad: list[str]) -> str:
        hint = did_you_mean(city_key(bad[0]), list(REPERTUARY_CITIES)) if len(bad) == 1 else ""
        return (f"unknown city {','.join(bad) or value!r}{hint}; "
                f"allowed: all, {', '.join(REPERTUARY_CITIES)} (with or without diacritics)")

    return comma_list(value, lambda n: "all" if city_key(n) == "all" else repertuary_city(n), refused)


def tix_city_names(value: str | None) -> str | None:
    """Comma-separated TIX.id cities as typed: their NAMEs."""
    if value is None:
        return None
    names = _tix_names()

    def refused(bad: list[str]) -> str:
        hint = did_you_mean(city_key(bad[0]), list(names), show=names) if len(bad) == 1 else ""
        return f"unknown TIX.id cities {bad or value!r}{hint}; allowed: {', '.join(sorted(names.values()))}"

    return comma_list(value, tix_city, refused)
