"""The arguments of the TMDB spiders (``tmdb_movies``, ``tmdb_tv``, ``tmdb_match``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from cineradar import sources
from cineradar.args.base import SpiderArgs
from cineradar.args.validators import comma_items, comma_list, country_code, language_tag, readable_file

# tmdb_movies: the lists (name -> TMDB path) and the presets (the original pipeline v3's:
# lists, whether every listed movie is enriched).
LISTS = {
    "popular": "/movie/popular", "top_rated": "/movie/top_rated", "upcoming": "/movie/upcoming",
    "now_playing": "/movie/now_playing", "trending_week": "/trending/movie/week",
}
PRESETS = {"quick": (("popular", "trending_week"), False), "daily": (tuple(LISTS), False),
           "full": (tuple(LISTS), True)}
IMDB_ID = re.compile(r"^tt\d{5,10}$")


class TmdbMoviesArgs(SpiderArgs):
    preset: Literal["quick", "daily", "full"] | None = Field(None, description="quick, daily or full")
    lists: str | None = Field(None, description="comma-separated: " + ", ".join(LISTS))
    pages: int = Field(5, ge=1, description="pages per list (20 movies each; TMDB serves 500 at most)")
    region: str | None = Field(None, description="ISO 3166-1 country, e.g. PL (default TMDB_REGION)")
    language: str | None = Field(None, description="xx-XX, e.g. pl-PL (default TMDB_LANGUAGE)")
    enrich: bool | None = Field(None, description="fetch details of every listed movie (preset full: yes)")

    @field_validator("lists")
    @classmethod
    def _lists(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return comma_list(value, lambda n: n.lower() if n.lower() in LISTS else None,
                          lambda bad: f"unknown lists {bad or value!r}; allowed: {', '.join(LISTS)}", unique=True)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return country_code(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return language_tag(value)

    def selected(self) -> tuple[list[str], bool]:
        lists, enrich = PRESETS[self.preset] if self.preset else (tuple(LISTS), True)
        if self.lists:
            lists = tuple(comma_items(self.lists))
        return list(lists), enrich if self.enrich is None else self.enrich


class TmdbTvArgs(SpiderArgs):
    imdb_ids: str | None = Field(None, description="comma-separated IMDb ids (tt...)")
    file: str | None = Field(None, description="a file of IMDb ids, one a line")

    @field_validator("imdb_ids")
    @classmethod
    def _ids(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return comma_list(value, lambda i: i if IMDB_ID.match(i) else None,
                          lambda bad: f"expected IMDb ids like tt0944947, got {bad or value!r}", unique=True)

    @field_validator("file")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        return readable_file(value)


class TmdbMatchArgs(SpiderArgs):
    source: str = Field("all", description="a matchable source (repertuary, tix: cineradar/sources/) or all")

    @field_validator("source")
    @classmethod
    def _matchable(cls, value: str) -> str:
        known = sources.matchable()
        if value != "all" and value not in known:
            raise ValueError(f"expected {', '.join(known)} or all")
        return value
