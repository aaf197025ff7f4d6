"""Title search of the TMDB replica (/search/movie, /search/tv, /search/multi).

Designed to behave like TMDB's as clients observe it: matching on title, original title,
translated and alternative titles; case, accent and punctuation insensitive; every query
word must appear (the last one may be a prefix, a few English articles are optional), so a
cinema suffix left in the query ("Wicked 3D") finds nothing; ranked by relevance, then
popularity. ``year`` only nudges the ranking; ``primary_release_year`` filters.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

# Letters NFKD does not decompose.
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae",
                       "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "&": " and "})
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^\w]+")
OPTIONAL = frozenset({"the", "a", "an", "of", "and"})


def normalize(text: str) -> str:
    text = _APOSTROPHES.sub("", text.translate(_FOLD))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def _is_cjk(token: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in token)


def _token_hit(query_token: str, cjk: bool, name_tokens: tuple[str, ...], last: bool) -> bool:
    for token in name_tokens:
        if token == query_token:
            return True
        if last and len(query_token) >= 2 and token.startswith(query_token):
            return True
        if cjk and query_token in token:  # CJK titles are not space separated
            return True
    return False


def name_score(query: list[str], query_norm: str, name: tuple[str, ...], name_norm: str,
               cjk: list[bool] | None = None) -> float | None:
    """Relevance of one title for a query, or None when it does not match."""
    if not query or not name:
        return None
    if query_norm == name_norm:
        return 100.0
    cjk = cjk or [_is_cjk(token) for token in query]
    hits = 0
    for index, token in enumerate(query):
        if _token_hit(token, cjk[index], name, last=index == len(query) - 1):
            hits += 1
        elif token not in OPTIONAL:
            return None
    if not hits:
        return None
    coverage = min(hits / len(name), 1.0)
    score = 40.0 + 40.0 * coverage
    if name_norm.startswith(query_norm):
        score += 10.0
    return score


@dataclass(frozen=True)
class Entry:
    """One searchable entity: its kind, id, popularity and normalised names."""

    media_type: str  # movie | tv | person
    id: int
    popularity: float
    names: tuple[tuple[tuple[str, ...], str], ...]  # (tokens, normalised)
    years: frozenset[int] = frozenset()  # every release year (for the `year` nudge)
    primary_year: int | None = None
    adult: bool = False


def entry(media_type: str, ident: int, popularity: float, names: list[str], years: set[int] | None = None,
          primary_year: int | None = None, adult: bool = False) -> Entry:
    seen: dict[str, tuple[str, ...]] = {}
    for name in names:
        norm = normalize(name)
        if norm and norm not in seen:
            seen[norm] = tuple(norm.split())
    return Entry(media_type, ident, popularity, tuple((toks, norm) for norm, toks in seen.items()),
                 frozenset(years or ()), primary_year, adult)


class Index:
    """Entries plus an inverted token index, so a query only scores the titles that can match."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.postings: dict[str, set[int]] = {}
        for position, item in enumerate(entries):
            for name_tokens, _ in item.names:
                for token in name_tokens:
                    self.postings.setdefault(token, set()).add(position)
        self.vocabulary = sorted(self.postings)

    def _with_token(self, token: str, prefix: bool, cjk: bool) -> set[int]:
        found: set[int] = set(self.postings.get(token, ()))
        if cjk:
            for word in self.vocabulary:
                if token in word:
                    found |= self.postings[word]
        elif prefix and len(token) >= 2:
            start = bisect.bisect_left(self.vocabulary, token)
            for word in self.vocabulary[start:]:
                if not word.startswith(token):
                    break
                found |= self.postings[word]
        return found

    def candidates(self, query: list[str], cjk: list[bool]) -> list[Entry]:
        positions: set[int] | None = None
        for index, token in enumerate(query):
            if token in OPTIONAL:
                continue
            with_token = self._with_token(token, index == len(query) - 1, cjk[index])
            positions = with_token if positions is None else positions & with_token
        if positions is None:  # only optional words: score everything
            return self.entries
        return [self.entries[p] for p in sorted(positions)]


def search(index: Index, query: str, *, year: int | None = None, primary_year: int | None = None,
           include_adult: bool = False) -> list[Entry]:
    """Matching entries, best first."""
    query_norm = normalize(query)
    query_tokens = query_norm.split()
    cjk = [_is_cjk(token) for token in query_tokens]
    ranked: list[tuple[float, float, int, Entry]] = []
    for item in index.candidates(query_tokens, cjk):
        if item.adult and not include_adult:
            continue
        if primary_year is not None and item.primary_year != primary_year:
            continue
        best = None
        for name_tokens, name_norm in item.names:
            score = name_score(query_tokens, query_norm, name_tokens, name_norm, cjk)
            if score is not None and (best is None or score > best):
                best = score
        if best is None:
            continue
        if year is not None and year in item.years:
            best += 5.0  # a nudge, smaller than the gap between an exact and a partial title
        ranked.append((-best, -item.popularity, item.id, item))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked]
