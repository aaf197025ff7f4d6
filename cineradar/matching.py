"""Matching a cinema listing (repertuary.pl film, TIX.id movie) to a TMDB movie. Pure: no I/O.

Normalisation (docs/sources/repertuary.md#format-suffixes, docs/sources/tmdb.md#matching):
format and version suffixes (``3D``, ``IMAX``, ``ukraiński dubbing``, ``napisy``, ``(IMAX 2D)``...)
are stripped and a trailing ``(YYYY)`` becomes the year; for comparison, titles are casefolded,
without accents or punctuation. TIX.id titles (upper case, ``TITLE: SUBTITLE``) go through the
same steps.

Confidence, 0-100 (stored as 0-1), the sum of:

===========  ======  ===========================================================================
part         points  value
===========  ======  ===========================================================================
title        45      best rapidfuzz similarity (fuzz.ratio) of the listing's titles
                     (original, local) against the candidate's title and original_title
year         20      same year 1.0, ±1 0.8, ±2 0.4, else 0; unknown 0.5
runtime      10      |Δ| <= 5 min 1.0, <= 10 0.7, <= 20 0.3, else 0; unknown 0.5
director     15      name similarity >= 90 1.0, >= 70 0.5, else 0; unknown 0.5
language     10      the listing's country implies the candidate's original_language 1.0,
                     contradicts it 0; unknown 0.5
===========  ======  ===========================================================================

Decision: >= 70 matched; 60-69 matched only if the candidate is in now_playing (or upcoming)
for the cinema's country, else review; 50-69 review (every candidate and its score kept);
< 50 no match. Two guards keep automatic matches precise: the title part must be at least
0.75, and a runner-up within AMBIGUOUS points of the best (a homonym) sends the listing to
review, unless exactly one of them is showing in the cinema's country.

Steps of one listing (the spider does the requests): ``search_results`` merges its searches;
``shortlist`` ranks them and picks the DETAILS_FOR best for a details request; ``with_details``
adds a details answer (runtime, directors); ``conclude`` scores those and decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

WEIGHTS = {"title": 45.0, "year": 20.0, "runtime": 10.0, "director": 15.0, "language": 10.0}
MATCHED, CONFIRM, REVIEW = 70.0, 60.0, 50.0
TITLE_GUARD = 0.75
AMBIGUOUS = 5.0
DECISIONS = ("matched", "needs_review", "low_confidence", "no_results")  # Decision.status values
DETAILS_FOR = 3  # best search candidates that get a details request (runtime, director)

# Format, version and screening-type suffixes of cinema titles (kino listings, TIX.id).
_SUFFIXES = re.compile(
    r"(\s*[-–]?\s*\b(ukrai[nń]ski dubbing|ukrainian dubbing|dubbing|napisy polskie|napisy|polish subtitles|"
    r"wersja polska|3d|2d|4dx|imax|screenx|dolby( atmos)?|4k|nap|knt|dkf|pkf)\b\s*)+$", re.IGNORECASE)
_PARENS_FORMAT = re.compile(r"\s*\((?:imax|2d|3d|4dx|screenx|dolby|atmos|\s)+\)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_PREFIXES = re.compile(r"^(kolekcja |święta z )", re.IGNORECASE)

# The listing's country (as the sites print it) -> the original language it implies.
COUNTRY_LANGUAGE = {
    "polska": "pl", "poland": "pl", "usa": "en", "united states of america": "en", "wielka brytania": "en",
    "united kingdom": "en", "francja": "fr", "france": "fr", "japonia": "ja", "japan": "ja", "indonezja": "id",
    "indonesia": "id", "korea południowa": "ko", "south korea": "ko", "niemcy": "de", "germany": "de",
    "włochy": "it", "italy": "it", "hiszpania": "es", "spain": "es", "ukraina": "uk", "ukraine": "uk",
}


def clean_title(title: str) -> tuple[str, int | None]:
    """(search title, year found in it): suffixes and a trailing (YYYY) removed, case kept."""
    text = " ".join(title.split())
    year = None
    for _ in range(3):  # suffixes can stack: "Film (2024) 3D napisy"
        before = text
        if match := _YEAR.search(text):
            year, text = int(match[1]), text[: match.start()]
        text = _PARENS_FORMAT.sub("", text)
        text = _SUFFIXES.sub("", text).strip(" -–")
        text = _PREFIXES.sub("", text)
        if text == before:
            break
    return text.strip() or title.strip(), year


def normalise(title: str) -> str:
    """Casefolded, without accents or punctuation: the form titles are compared in."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    from rapidfuzz import fuzz  # on first use: every `scrapy` command loads the spiders, few match titles

    return fuzz.ratio(a, b) / 100.0  # word order counts: "Tanah Langit" is not "Langit Tanah"


@dataclass
class Listing:
    source: str  # "repertuary" or "tix"
    key: str
    title: str  # as the site shows it
    original_title: str | None = None
    year: int | None = None
    runtime: int | None = None
    director: str | None = None
    countries: list[str] = field(default_factory=list)
    region: str = "PL"  # the cinema's country

    @property
    def titles(self) -> list[str]:
        cleaned = [clean_title(t)[0] for t in (self.original_title, self.title) if t]
        return list(dict.fromkeys(cleaned))

    @property
    def search_year(self) -> int | None:
        return self.year or clean_title(self.title)[1]

    @property
    def language(self) -> str | None:
        langs = {COUNTRY_LANGUAGE.get(c.strip().casefold()) for c in self.countries}
        langs.discard(None)
        return next(iter(langs)) if len(langs) == 1 else None


def _year_part(a: int | None, b: int | None) -> float:
    if a is None or b is None:
        return 0.5
    return {0: 1.0, 1: 0.8, 2: 0.4}.get(abs(a - b), 0.0)


def _runtime_part(a: int | None, b: int | None) -> float:
    if not a or not b:
        return 0.5
    delta = abs(a - b)
    return 1.0 if delta <= 5 else 0.7 if delta <= 10 else 0.3 if delta <= 20 else 0.0


def _director_part(listing: str | None, directors: list[str] | None) -> float:
    if not listing or not directors:
        return 0.5
    best = max(similarity(listing, d) for d in directors)
    return 1.0 if best >= 0.9 else 0.5 if best >= 0.7 else 0.0


def _year_of(candidate: dict[str, Any]) -> int | None:
    date = candidate.get("release_date") or ""
    return int(date[:4]) if len(date) >= 4 and date[:4].isdigit() else None


def score(listing: Listing, candidate: dict[str, Any]) -> dict[str, Any]:
    """Score parts (each 0-1) and the confidence (0-100) of one candidate.

    ``candidate`` is a TMDB movie (search result or details); ``runtime`` and ``directors``
    are used when present (details), else count as unknown."""
    theirs = [t for t in (candidate.get("title"), candidate.get("original_title")) if t]
    parts = {
        "title": max((similarity(mine, t) for mine in listing.titles for t in theirs), default=0.0),
        "year": _year_part(listing.search_year, _year_of(candidate)),
        "runtime": _runtime_part(listing.runtime, candidate.get("runtime")),
        "director": _director_part(listing.director, candidate.get("directors")),
        "language": 0.5 if listing.language is None or not candidate.get("original_language")
        else float(listing.language == candidate["original_language"]),
    }
    confidence = sum(WEIGHTS[k] * v for k, v in parts.items())
    return {"tmdb_id": candidate["id"], "title": candidate.get("title"),
            "original_title": candidate.get("original_title"), "year": _year_of(candidate),
            "score": round(confidence, 2), "parts": {k: round(v, 3) for k, v in parts.items()},
            # what a person reviewing the match decides with (scrapy tmdb-review): known after details
            "runtime": candidate.get("runtime"), "directors": candidate.get("directors"),
            "poster_path": candidate.get("poster_path") or None}  # shown in the review queue


@dataclass
class Decision:
    status: str  # one of DECISIONS
    tmdb_id: int | None
    confidence: float  # 0-100
    reason: str
    candidates: list[dict[str, Any]]


def decide(scored: list[dict[str, Any]], showing: set[int]) -> Decision:
    """The outcome for a listing from its scored candidates; ``showing``: TMDB ids in
    now_playing/upcoming for the cinema's country."""
    if not scored:
        return Decision("no_results", None, 0.0, "no TMDB search returned a movie", [])
    ranked = sorted(scored, key=lambda c: (-c["score"], c["tmdb_id"]))
    best = ranked[0]
    top = best["score"]
    rivals = [c for c in ranked[1:] if top - c["score"] < AMBIGUOUS]
    if rivals and top >= REVIEW:
        near = [best, *rivals]
        shown = [c for c in near if c["tmdb_id"] in showing]
        if len(shown) == 1:
            best = shown[0]
            top = best["score"]
        else:
            return Decision("needs_review", None, top, f"{len(near)} candidates within {AMBIGUOUS:g} points "
                            f"(homonyms): a person decides", ranked)
    in_cinemas = best["tmdb_id"] in showing
    if top >= CONFIRM and best["parts"]["title"] < TITLE_GUARD:
        return Decision("needs_review", None, top, f"title similarity {best['parts']['title']:.2f} below "
                        f"{TITLE_GUARD}", ranked)
    if top >= MATCHED:
        return Decision("matched", best["tmdb_id"], top, f"confidence {top:.1f} >= {MATCHED:g}", ranked)
    if top >= CONFIRM and in_cinemas:
        return Decision("matched", best["tmdb_id"], top, f"confidence {top:.1f} in 60-69, confirmed by "
                        f"now_playing", ranked)
    if top >= REVIEW:
        why = "not in now_playing" if top >= CONFIRM else "50-59"
        return Decision("needs_review", None, top, f"confidence {top:.1f} ({why}): a person decides", ranked)
    return Decision("low_confidence", None, top, f"best confidence {top:.1f} < {REVIEW:g}: no match", ranked)


def search_results(bodies: list[dict[str, Any] | None]) -> dict[int, dict[str, Any]]:
    """The movies of a listing's /3/search/movie answers by TMDB id, the first answer's copy kept."""
    found: dict[int, dict[str, Any]] = {}
    for body in bodies:
        for result in (body or {}).get("results") or []:
            if isinstance(result.get("id"), int):
                found.setdefault(result["id"], result)
    return found


def shortlist(listing: Listing, found: dict[int, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the DETAILS_FOR best candidates as TMDB gave them, the scores of the rest), best first."""
    ranked = sorted(((score(listing, c), c) for c in found.values()),
                    key=lambda pair: (-pair[0]["score"], pair[0]["tmdb_id"]))
    return [c for _, c in ranked[:DETAILS_FOR]], [s for s, _ in ranked[DETAILS_FOR:]]


def with_details(candidate: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A candidate after its ``/3/movie/<id>?append_to_response=credits`` answer: runtime and
    directors added; the search result's title (in the cinema's language) kept to compare with."""
    crew = (body.get("credits") or {}).get("crew") or []
    directors = list(dict.fromkeys(c["name"] for c in crew if c.get("job") == "Director" and c.get("name")))
    return body | {"title": candidate.get("title") or body.get("title"), "directors": directors}


def what_is_scored(candidate: dict[str, Any]) -> dict[str, Any]:
    """What ``score`` reads of a candidate (search result or details), for showing it."""
    return {"tmdb_id": candidate.get("id"), "title": candidate.get("title"),
            "original_title": candidate.get("original_title"), "year": _year_of(candidate),
            "runtime": candidate.get("runtime"), "directors": candidate.get("directors"),
            "original_language": candidate.get("original_language")}


def conclude(listing: Listing, detailed: list[dict[str, Any]], rest: list[dict[str, Any]],
             showing: set[int]) -> tuple[Decision, list[dict[str, Any]]]:
    """The decision on the shortlisted candidates (after details) and every candidate's score,
    the shortlisted first (by score), then the rest as ``shortlist`` scored them."""
    final = [score(listing, d) for d in detailed]
    return decide(final, showing), sorted(final, key=lambda c: -c["score"]) + rest


# --- a person's decision (review queue): shared by `scrapy tmdb-review` and `scrapy web` ---
def person_decision(row: dict[str, Any], tmdb_id: int | None, now: Any) -> dict[str, Any]:
    """The ``tmdb_matches`` row a person's choice stores: accept ``tmdb_id`` (a candidate or any
    other TMDB id), or reject every candidate (None). ``decided_by = "person"``: no crawl changes it."""
    from cineradar.items import TmdbMatch

    chosen = next((c for c in row.get("candidates") or [] if c.get("tmdb_id") == tmdb_id), None)
    if tmdb_id is None:
        status, reason, confidence = "rejected", "every candidate rejected by a person", 0.0
    elif chosen is not None:
        status, confidence = "matched", min(1.0, float(chosen.get("score", 0)) / 100)
        reason = f"accepted by a person (candidate score {chosen.get('score')})"
    else:
        status, reason, confidence = "matched", "set by a person (not among the candidates)", 1.0
    return TmdbMatch.model_validate(row | {
        "tmdb_id": tmdb_id, "status": status, "reason": reason, "confidence": confidence,
        "decided_by": "person", "checked_at": now}).row()
