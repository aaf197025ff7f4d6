"""The TMDB dataset of one replica day and its ground truth.

``build_dataset(preset, seed, date)`` is pure: the same arguments give the same catalogue,
lists and therefore byte-identical responses.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from replica.core import stable_seed
from replica.films import universe
from replica.tmdb import movies as movie_mod
from replica.tmdb import search, tv
from replica.tmdb.movies import Movie
from replica.tmdb.people import People, Person
from replica.tmdb.tv import Show

# preset -> (filler movies, upcoming extras, generated shows). Both presets carry the whole
# film universe and every decoy: the other sites may list any universe film.
SIZES = {"tiny": (0, 6, 0), "default": (240, 20, 20)}
TOP_RATED_MIN_VOTES = 300  # designed: TMDB also hides titles with few votes from top_rated
TRENDING_SIZE = {"week": 100, "day": 60}


@dataclass
class Dataset:
    preset: str
    seed: int
    date: dt.date
    movies: dict[int, Movie]
    shows: dict[int, Show]
    people: People
    lists: dict[str, list[int]] = field(default_factory=dict)  # popular, top_rated, trending_week, trending_day
    now_playing: dict[str, list[int]] = field(default_factory=dict)  # "" = any region
    upcoming: dict[str, list[int]] = field(default_factory=dict)
    dates: dict[str, dict[str, str]] = field(default_factory=dict)
    trending_tv: dict[str, list[int]] = field(default_factory=dict)
    trending_all: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    index: dict[str, search.Index] = field(default_factory=dict)  # movie | tv | person | multi
    by_external: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)


def build_dataset(preset: str, seed: int, date: dt.date) -> Dataset:
    fillers, upcoming_count, show_count = SIZES[preset]
    people = People()
    specs = [movie_mod.spec_from_film(f) for f in universe(seed)] + movie_mod.decoy_specs()
    taken = {s.id for s in specs}
    if len(taken) != len(specs):
        raise ValueError("TMDB replica: duplicate movie ids between universe and decoys")
    titles = {s.title.lower() for s in specs} | {f"{s.title.lower()}|{s.year}" for s in specs}
    specs += movie_mod.generated_specs(seed, "upcoming", upcoming_count, taken, titles, date)
    specs += movie_mod.generated_specs(seed, "filler", fillers, taken, titles, date)
    movies = {s.id: movie_mod.build_movie(s, seed, date, people) for s in specs}

    show_specs = [s for s in tv.CURATED_SHOWS if preset != "tiny" or s.id in tv.TINY_SHOWS]
    show_specs += tv.generated_show_specs(seed, show_count, {s.id for s in tv.CURATED_SHOWS})
    shows = {s.id: tv.build_show(s, seed, date, people) for s in show_specs}

    ds = Dataset(preset=preset, seed=seed, date=date, movies=movies, shows=shows, people=people)
    _build_lists(ds)
    _build_index(ds)
    return ds


def _by_popularity(ids: list[int], movies: dict[int, Movie]) -> list[int]:
    return sorted(ids, key=lambda i: (-movies[i].popularity, i))


def _build_lists(ds: Dataset) -> None:
    movies = ds.movies
    listed = [m.id for m in movies.values() if not m.adult]
    ds.lists["popular"] = _by_popularity(listed, movies)
    rated = [i for i in listed if movies[i].vote_count >= TOP_RATED_MIN_VOTES]
    ds.lists["top_rated"] = sorted(rated, key=lambda i: (-movies[i].vote_average, -movies[i].vote_count, i))

    for name, (low, high) in movie_mod.windows(ds.date).items():
        ds.dates[name] = {"maximum": high.isoformat(), "minimum": low.isoformat()}
        per_region: dict[str, list[int]] = {"": []}
        for movie_id in listed:
            for region, releases in movies[movie_id].theatrical.items():
                if any(low.isoformat() <= day <= high.isoformat() for day, _ in releases):
                    per_region.setdefault(region, []).append(movie_id)
                    if movie_id not in per_region[""]:
                        per_region[""].append(movie_id)
        target = ds.now_playing if name == "now_playing" else ds.upcoming
        for region, ids in sorted(per_region.items()):
            target[region] = _by_popularity(ids, movies)

    showing = set(ds.now_playing[""]) | set(ds.upcoming[""])
    week = ds.date.isocalendar()
    scores: dict[str, dict[tuple[str, int], float]] = {"week": {}, "day": {}}
    for window, salt in (("week", f"{week.year}-W{week.week}"), ("day", ds.date.isoformat())):
        for movie_id in listed:
            movie = movies[movie_id]
            noise = random.Random(stable_seed("tmdb-trending", ds.seed, salt, movie_id)).uniform(0.6, 1.4)
            recent = movie.release_date and (ds.date - dt.date.fromisoformat(movie.release_date)).days < 365
            boost = 3.0 if movie_id in showing else (1.5 if recent else 0.4)
            if window == "day":
                boost = boost ** 1.5
            scores[window][("movie", movie_id)] = movie.popularity * boost * noise
        for show_id, show in ds.shows.items():
            noise = random.Random(stable_seed("tmdb-trending", ds.seed, salt, "tv", show_id)).uniform(0.5, 1.5)
            scores[window][("tv", show_id)] = show.spec.popularity * noise
        ranked = sorted(scores[window], key=lambda key: (-scores[window][key], key))
        ds.lists[f"trending_{window}"] = [i for kind, i in ranked if kind == "movie"][: TRENDING_SIZE[window]]
        ds.trending_tv[window] = [i for kind, i in ranked if kind == "tv"]
        keep = set(ds.lists[f"trending_{window}"])
        ds.trending_all[window] = [(k, i) for k, i in ranked if k == "tv" or i in keep]


def _build_index(ds: Dataset) -> None:
    movie_entries = []
    for movie in ds.movies.values():
        names = [movie.title, movie.original_title]
        names += [t["data"]["title"] for t in movie.translations]
        names += [t["title"] for t in movie.alt_titles]
        years = {int(day[:4]) for releases in movie.theatrical.values() for day, _ in releases}
        years |= {int(r["release_date"][:4]) for c in movie.release_dates for r in c["release_dates"]}
        movie_entries.append(search.entry("movie", movie.id, movie.popularity, names, years, movie.year, movie.adult))
        for source, value in (("imdb_id", movie.imdb_id), ("wikidata_id", movie.external.get("wikidata_id"))):
            if value:
                ds.by_external.setdefault((source, value), []).append(("movie", movie.id))
    tv_entries = []
    for show in ds.shows.values():
        names = [show.spec.name, show.details["original_name"], *show.names.values()]
        first_year = int(show.spec.first_air[:4])
        tv_entries.append(search.entry("tv", show.id, show.spec.popularity, names, {first_year}, first_year))
        for source in ("imdb_id", "tvdb_id", "wikidata_id"):
            value = show.external.get(source)
            if value:
                ds.by_external.setdefault((source, str(value)), []).append(("tv", show.id))
    person_entries = []
    for person in ds.people.by_id.values():
        if person.credits or person.tv_credits:
            person_entries.append(search.entry("person", person.id, person.popularity, [person.name]))
            ds.by_external.setdefault(("imdb_id", person.imdb_id), []).append(("person", person.id))
    ds.index = {"movie": search.Index(movie_entries), "tv": search.Index(tv_entries),
                "person": search.Index(person_entries),
                "multi": search.Index(movie_entries + tv_entries + person_entries)}


def known_for(ds: Dataset, person: Person) -> list[int]:
    ids = sorted(set(person.credits), key=lambda i: (-ds.movies[i].popularity, i))
    return ids[:3]


def truth(ds: Dataset) -> dict[str, Any]:
    """Ground truth: what the endpoints serve, flattened for tests and benchmarks."""
    movies = []
    for m in sorted(ds.movies.values(), key=lambda m: m.id):
        movies.append({
            "id": m.id, "title": m.title, "original_title": m.original_title, "release_date": m.release_date,
            "year": m.year, "runtime": m.runtime, "imdb_id": m.imdb_id, "original_language": m.original_language,
            "popularity": m.popularity, "poster_path": m.poster_path, "director": m.director,
            "directors": [c["name"] for c in m.crew if c["job"] == "Director"],
            "cast": [c["name"] for c in m.cast], "genre_ids": m.genre_ids,
            "translations": {f"{t['iso_639_1']}-{t['iso_3166_1']}": t["data"]["title"] for t in m.translations},
            "alternative_titles": [t["title"] for t in m.alt_titles],
            "decoy": m.kind != "universe", "kind": m.kind, "in_cinemas": m.in_cinemas, "hard_case": m.hard_case,
            "adult": m.adult, "status": m.status,
            "now_playing_regions": sorted(r for r, ids in ds.now_playing.items() if r and m.id in ids),
            "collection": m.collection["name"] if m.collection else None,
        })
    shows = []
    for s in sorted(ds.shows.values(), key=lambda s: s.id):
        d = s.details
        shows.append({
            "id": s.id, "name": d["name"], "original_name": d["original_name"], "imdb_id": s.external["imdb_id"],
            "tvdb_id": s.external["tvdb_id"], "first_air_date": d["first_air_date"],
            "last_air_date": d["last_air_date"], "status": d["status"], "type": d["type"],
            "number_of_seasons": d["number_of_seasons"], "number_of_episodes": d["number_of_episodes"],
            "networks": [n["name"] for n in d["networks"]],
            "production_companies": [c["name"] for c in d["production_companies"]],
            "providers": {country: {kind: [p["provider_name"] for p in offers]
                                    for kind, offers in entry.items() if kind != "link"}
                          for country, entry in s.providers.items()},
            "hard_case": s.spec.hard_case,
        })
    return {
        "preset": ds.preset, "seed": ds.seed, "date": ds.date.isoformat(),
        "movies": movies, "tv": shows,
        "lists": {
            "popular": ds.lists["popular"], "top_rated": ds.lists["top_rated"],
            "upcoming": ds.upcoming[""], "now_playing": ds.now_playing[""],
            "trending_week": ds.lists["trending_week"], "trending_day": ds.lists["trending_day"],
            "now_playing_by_region": {r: ids for r, ids in ds.now_playing.items() if r},
            "upcoming_by_region": {r: ids for r, ids in ds.upcoming.items() if r},
            "trending_tv_week": ds.trending_tv["week"],
        },
        "dates": ds.dates,
        "page_size": 20,
    }
