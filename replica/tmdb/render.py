"""JSON shapes of TMDB v3 responses (docs/sources/tmdb.md#response-shapes), localised by ``language``."""

from __future__ import annotations

from typing import Any

from replica.tmdb import tables
from replica.tmdb.data import Dataset, known_for
from replica.tmdb.movies import Movie
from replica.tmdb.tv import Show

PAGE_SIZE = 20
# Sub-resources append_to_response knows; anything else is ignored, as on TMDB.
MOVIE_APPENDS = ("credits", "keywords", "videos", "similar", "recommendations", "release_dates", "translations",
                 "external_ids", "watch/providers", "alternative_titles", "images")
TV_APPENDS = ("credits", "keywords", "external_ids", "watch/providers", "translations", "alternative_titles",
              "similar", "recommendations")


def parse_language(value: str | None) -> tuple[str, str | None]:
    """'pl-PL' -> ('pl', 'PL'); missing -> English."""
    if not value:
        return "en", "US"
    lang, _, country = value.partition("-")
    return lang.lower(), (country.upper() or None)


def _translation(translations: list[dict[str, Any]], language: tuple[str, str | None]) -> dict[str, Any] | None:
    lang, country = language
    fallback = None
    for t in translations:
        if t["iso_639_1"] == lang:
            if country is None or t["iso_3166_1"] == country:
                return t["data"]
            fallback = fallback or t["data"]
    return fallback


def movie_title(movie: Movie, language: tuple[str, str | None]) -> str:
    data = _translation(movie.translations, language)
    return (data or {}).get("title") or movie.title


def _movie_text(movie: Movie, language: tuple[str, str | None]) -> tuple[str, str, str]:
    data = _translation(movie.translations, language) or {}
    return data.get("title") or movie.title, data.get("overview") or movie.overview, data.get("tagline", movie.tagline)


def genre_name(table: dict[int, tuple[str, str, str]], gid: int, lang: str) -> str:
    en, pl, ind = table[gid]
    return {"pl": pl, "id": ind}.get(lang, en)


def movie_item(movie: Movie, language: tuple[str, str | None], media_type: bool = False) -> dict[str, Any]:
    title, overview, _ = _movie_text(movie, language)
    if media_type:  # trending / multi / find order
        return {
            "adult": movie.adult, "backdrop_path": movie.backdrop_path, "id": movie.id, "title": title,
            "original_language": movie.original_language, "original_title": movie.original_title,
            "overview": overview, "poster_path": movie.poster_path, "media_type": "movie",
            "genre_ids": movie.genre_ids, "popularity": movie.popularity, "release_date": movie.release_date,
            "video": False, "vote_average": movie.vote_average, "vote_count": movie.vote_count,
        }
    return {
        "adult": movie.adult, "backdrop_path": movie.backdrop_path, "genre_ids": movie.genre_ids, "id": movie.id,
        "original_language": movie.original_language, "original_title": movie.original_title,
        "overview": overview, "popularity": movie.popularity, "poster_path": movie.poster_path,
        "release_date": movie.release_date, "title": title, "video": False,
        "vote_average": movie.vote_average, "vote_count": movie.vote_count,
    }


def show_item(show: Show, language: tuple[str, str | None], media_type: bool = True) -> dict[str, Any]:
    d = show.details
    lang = language[0]
    item = {
        "adult": False, "backdrop_path": d["backdrop_path"], "id": show.id, "name": show.names.get(lang, d["name"]),
        "original_language": d["original_language"], "original_name": d["original_name"],
        "overview": show.overview.get(lang, d["overview"]), "poster_path": d["poster_path"],
        "media_type": "tv", "genre_ids": [g["id"] for g in d["genres"]], "popularity": d["popularity"],
        "first_air_date": d["first_air_date"], "vote_average": d["vote_average"], "vote_count": d["vote_count"],
        "origin_country": d["origin_country"],
    }
    if not media_type:
        del item["media_type"]
    return item


def person_item(ds: Dataset, person_id: int, language: tuple[str, str | None]) -> dict[str, Any]:
    person = ds.people.by_id[person_id]
    return {
        "id": person.id, "name": person.name, "original_name": person.name, "media_type": "person",
        "adult": False, "popularity": person.popularity, "gender": person.gender,
        "known_for_department": person.department, "profile_path": person.profile_path,
        "known_for": [movie_item(ds.movies[i], language, media_type=True) for i in known_for(ds, person)],
    }


def page(items: list[Any], number: int) -> tuple[list[Any], int, int]:
    """Slice one page; ``total_pages`` is honest for the list size (1 for an empty list)."""
    total = len(items)
    pages = max(1, -(-total // PAGE_SIZE))
    return items[(number - 1) * PAGE_SIZE: number * PAGE_SIZE], pages, total


def paginated(results: list[dict[str, Any]], number: int, pages: int, total: int,
              dates: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"dates": dates} if dates is not None else {}
    body.update({"page": number, "results": results, "total_pages": pages, "total_results": total})
    return body


# ----- movie details and sub-resources ----------------------------------------------------

def movie_details(ds: Dataset, movie: Movie, language: tuple[str, str | None]) -> dict[str, Any]:
    title, overview, tagline = _movie_text(movie, language)
    lang = language[0]
    return {
        "adult": movie.adult, "backdrop_path": movie.backdrop_path, "belongs_to_collection": movie.collection,
        "budget": movie.budget,
        "genres": [{"id": g, "name": genre_name(tables.MOVIE_GENRES, g, lang)} for g in movie.genre_ids],
        "homepage": movie.homepage, "id": movie.id, "imdb_id": movie.imdb_id, "origin_country": movie.countries[:1],
        "original_language": movie.original_language, "original_title": movie.original_title,
        "overview": overview, "popularity": movie.popularity, "poster_path": movie.poster_path,
        "production_companies": movie.companies,
        "production_countries": [{"iso_3166_1": c, "name": tables.COUNTRY_NAMES.get(c, c)} for c in movie.countries],
        "release_date": movie.release_date, "revenue": movie.revenue, "runtime": movie.runtime,
        "spoken_languages": [{"english_name": tables.LANGUAGES[code][0], "iso_639_1": code,
                              "name": tables.LANGUAGES[code][1]} for code in movie.spoken],
        "status": movie.status, "tagline": tagline, "title": title, "video": False,
        "vote_average": movie.vote_average, "vote_count": movie.vote_count,
    }


def _video_filter(videos: list[dict[str, Any]], language: tuple[str, str | None],
                  include: str | None) -> list[dict[str, Any]]:
    wanted = {language[0]}
    if include:
        wanted = {code.strip().lower() for code in include.split(",") if code.strip()}
    return [v for v in videos if v["iso_639_1"] in wanted or ("null" in wanted and not v["iso_639_1"])]


def related(ds: Dataset, movie: Movie, language: tuple[str, str | None], by_votes: bool,
            number: int = 1) -> dict[str, Any]:
    """similar / recommendations: movies sharing a genre (page 1 only when appended)."""
    shared = [m for m in ds.movies.values() if m.id != movie.id and not m.adult
              and set(m.genre_ids) & set(movie.genre_ids)]
    if by_votes:
        shared.sort(key=lambda m: (-m.vote_count, m.id))
    else:
        shared.sort(key=lambda m: (-len(set(m.genre_ids) & set(movie.genre_ids)), -m.popularity, m.id))
    items, pages, total = page(shared, number)
    return paginated([movie_item(m, language, media_type=by_votes) for m in items], number, pages, total)


def movie_sub(ds: Dataset, movie: Movie, name: str, language: tuple[str, str | None],
              query: dict[str, str]) -> dict[str, Any] | None:
    """One sub-resource as appended (no ``id``); None if unknown."""
    if name == "credits":
        return {"cast": movie.cast, "crew": movie.crew}
    if name == "keywords":
        return {"keywords": movie.keywords}
    if name == "videos":
        return {"results": _video_filter(movie.videos, language, query.get("include_video_language"))}
    if name == "similar":
        return related(ds, movie, language, by_votes=False)
    if name == "recommendations":
        return related(ds, movie, language, by_votes=True)
    if name == "release_dates":
        return {"results": movie.release_dates}
    if name == "translations":
        return {"translations": movie.translations}
    if name == "external_ids":
        return dict(movie.external)
    if name == "watch/providers":
        return {"results": movie.providers}
    if name == "alternative_titles":
        country = query.get("country")
        return {"titles": [t for t in movie.alt_titles if not country or t["iso_3166_1"] == country.upper()]}
    if name == "images":
        return movie.images
    return None


# ----- TV -----------------------------------------------------------------------------------

def show_details(show: Show, language: tuple[str, str | None]) -> dict[str, Any]:
    lang = language[0]
    details = dict(show.details)
    details["name"] = show.names.get(lang, details["name"])
    details["overview"] = show.overview.get(lang, details["overview"])
    details["genres"] = [{"id": g["id"], "name": genre_name(tables.TV_GENRES, g["id"], lang)}
                         for g in details["genres"]]
    return details


def show_sub(ds: Dataset, show: Show, name: str, language: tuple[str, str | None]) -> dict[str, Any] | None:
    if name == "credits":
        return dict(show.credits)
    if name == "keywords":
        return {"results": show.keywords}  # TV keywords use `results`, movies `keywords`
    if name == "external_ids":
        return dict(show.external)
    if name == "watch/providers":
        return {"results": show.providers}
    if name == "translations":
        return {"translations": show.translations}
    if name == "alternative_titles":
        return {"results": show.alt_titles}
    if name in ("similar", "recommendations"):
        genres = {g["id"] for g in show.details["genres"]}
        related = sorted((s for s in ds.shows.values() if s.id != show.id
                          and genres & {g["id"] for g in s.details["genres"]}),
                         key=lambda s: (-s.spec.popularity, s.id))
        items, pages, total = page(related, 1)
        return paginated([show_item(s, language, media_type=False) for s in items], 1, pages, total)
    return None
