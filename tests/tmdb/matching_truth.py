"""Shared by the matching test and bench/tmdb_match.py: seed a store with the replica's
listings (every repertuary film of every city, every TIX.id movie) and score the outcome
against the replica's truth."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from cineradar.backends import SPECS
from cineradar.items import RepertuaryFilm, TixMovie
from cineradar.storage.sqlite import SQLiteStorage


def seed_listings(db: Path, truth: dict[str, Any]) -> dict[tuple[str, str], int | None]:
    """Store the listings as the crawlers would; return (source, key) -> true TMDB id (None: none)."""
    store = SQLiteStorage(db)
    store.open(SPECS)
    expected: dict[tuple[str, str], int | None] = {}
    films = []
    for city, data in truth["repertuary"]["cities"].items():
        for f in data["films"]:
            films.append(RepertuaryFilm.model_validate({
                "city": city, "slug": f["slug"], "title_pl": f["title_pl"], "original_title": f["original_title"],
                "director": f["director"], "year": f["year"], "countries": f["countries"],
                "runtime": f["runtime"], "cast": f["cast"], "genres": f["genres"],
                "url": f"https://{city}.repertuary.pl/film/{f['slug']}.html"}).row())
            expected[("repertuary", f["slug"])] = f["tmdb_id"]
    movies = []
    for m in truth["tix"]["movies"]:
        movies.append(TixMovie.model_validate({
            "date": truth["tix"]["date"], "movie_id": m["movie_id"], "title": m["title"], "genres": m["genres"],
            "age_category": m["age_category"], "country": m["country"] or None}).row())
        expected[("tix", m["movie_id"])] = m["tmdb_id"]
    store.upsert("repertuary_films", films)
    store.upsert("tix_movies", movies)
    store.close()
    return expected


def confusion(rows: list[dict[str, Any]], expected: dict[tuple[str, str], int | None]) -> dict[str, Any]:
    """Per source: automatic matches right/wrong, review, no match (with or without a true id)."""
    table: dict[str, Counter[str]] = {}
    wrong: list[tuple[str, str, str, int | None, int | None]] = []
    for row in rows:
        key = (row["listing_source"], row["listing_key"])
        truth_id = expected[key]
        cell = table.setdefault(key[0], Counter())
        if row["status"] == "matched":
            ok = row["tmdb_id"] == truth_id
            cell["auto_right" if ok else "auto_wrong"] += 1
            if not ok:
                wrong.append((*key, row["listing_title"], row["tmdb_id"], truth_id))
        elif row["status"] == "needs_review":
            cell["review_has_id" if truth_id else "review_no_id"] += 1
        else:
            cell["none_has_id" if truth_id else "none_no_id"] += 1
    out: dict[str, Any] = {"wrong": wrong}
    for source, cell in table.items():
        auto = cell["auto_right"] + cell["auto_wrong"]
        has_id = sum(1 for (s, _), v in expected.items() if s == source and v)
        out[source] = dict(cell) | {
            "precision": round(100 * cell["auto_right"] / auto, 1) if auto else None,
            "recall": round(100 * cell["auto_right"] / has_id, 1) if has_id else None,
            "listings": sum(cell.values())}
    return out
