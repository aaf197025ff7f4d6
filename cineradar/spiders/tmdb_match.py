"""``tmdb_match``: match stored cinema listings to TMDB movies (cineradar/matching.py).

    scrapy crawl tmdb_match                               # every listing without a match yet
    scrapy crawl tmdb_match -a source=tix -a force=1      # every TIX.id movie again

Listings: the stored repertuary films (one per slug, the cinema's country PL) and TIX.id movies
(one per movie id, country ID). Skipped: a listing a person decided (`scrapy tmdb-review`),
never touched again, even with force; without ``force``: a listing already matched or in the
review queue, and one with no match checked within the last week.

Per listing: /3/search/movie with each cleaned title (original, local; the local one in the
cinema's language), with ``primary_release_year`` when the year is known and without it; the
three best candidates get one details request (runtime, director); the documented
confidence then decides. now_playing and upcoming of each country are read once per crawl.
Every outcome is a TmdbMatch with its score and reason; a listing whose searches failed
gets none (PARTIAL), so it is not recorded as "no match". Stats per source:
``cineradar/tmdb_match/<source>/<status>`` and ``.../match_rate`` (percent, also in the run record).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, ClassVar, Literal

from pydantic import Field
from scrapy.http.request import NO_CALLBACK

from cineradar.args import SpiderArgs
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import TmdbMatch
from cineradar.matching import Listing, clean_title, decide, score
from cineradar.spiders.tmdb_base import TmdbSpider

REGIONS = {"repertuary": ("PL", "pl-PL"), "tix": ("ID", "id-ID")}
RECHECK_AFTER = dt.timedelta(days=7)
DETAILS_FOR = 3  # candidates that get a details request (runtime, director)
SHOWING_PAGES = 10  # now_playing / upcoming pages read per country


class MatchStopped(Exception):
    """The crawl failed (bad credentials): no more matching."""


class TmdbMatchArgs(SpiderArgs):
    source: Literal["repertuary", "tix", "all"] = Field("all", description="repertuary, tix or all")


class TmdbMatchSpider(TmdbSpider):
    name = "tmdb_match"
    stats_prefix: ClassVar[str] = "cineradar/tmdb_match"
    args_model: ClassVar[type[SpiderArgs]] = TmdbMatchArgs
    args: TmdbMatchArgs

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.showing: dict[str, set[int]] = {}
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.now = dt.datetime.now(dt.UTC)

    async def start(self) -> AsyncIterator[Any]:
        hub = storage_hub(self.crawler, f"{self.name} (it reads the stored movies and listings)")
        sources = list(REGIONS) if self.args.source == "all" else [self.args.source]
        stored = {(r["listing_source"], r["listing_key"]): r
                  for r in await hub.call(hub.primary, lambda b: b.fetch(TmdbMatch.entity))}
        listings: list[Listing] = []
        if "repertuary" in sources:
            listings += _repertuary(await hub.call(hub.primary, lambda b: b.fetch("repertuary_films")))
        if "tix" in sources:
            listings += _tix(await hub.call(hub.primary, lambda b: b.fetch("tix_movies")))
        todo = [x for x in listings if self._wanted(x, stored.get((x.source, x.key)))]
        self.logger.info("tmdb_match: %d listings, %d to match (force=%s)", len(listings), len(todo), self.force)
        self.crawler.stats.set_value(progress.UNIT, "listings")
        self.crawler.stats.set_value(progress.TOTAL, len(todo))
        try:
            for region in sorted({x.region for x in todo}):
                self.showing[region] = await self._showing(region)
            # Listings run side by side; the tmdb_api slot and the site cap set the pace.
            tasks = [asyncio.ensure_future(self._match(x)) for x in todo]
            for task in asyncio.as_completed(tasks):
                item = await task
                self.crawler.stats.inc_value(progress.DONE)
                if item is not None:
                    yield item
        except MatchStopped:
            for task in tasks if "tasks" in locals() else []:
                task.cancel()

    def _wanted(self, listing: Listing, row: dict[str, Any] | None) -> bool:
        if row is None:
            return True
        if row.get("decided_by") == "person":
            self.stat(f"{listing.source}/skipped_person")
            self.skipped_as_current()
            return False
        if self.force:
            return True
        if row.get("status") in ("low_confidence", "no_results"):
            checked = row.get("checked_at")
            when = dt.datetime.fromisoformat(checked) if isinstance(checked, str) else checked
            if when is not None and self.now - when < RECHECK_AFTER:
                self.stat(f"{listing.source}/skipped_recent_no_match")
                self.skipped_as_current()
                return False
            return True
        self.stat(f"{listing.source}/skipped_done")
        self.skipped_as_current()
        return False

    def skipped_as_current(self) -> None:
        # Counted like an item skipped as fresh: its stored outcome stands, so a run that has
        # nothing to match is complete (the item-count monitor adds these to the items).
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cineradar/fresh_skipped/{TmdbMatch.entity}")

    async def _get(self, path: str, **params: Any) -> dict[str, Any] | None:
        """One TMDB request through the downloader (retries, rate cap); None for a 404."""
        request = self.api_request(self.url(path, **params), NO_CALLBACK)
        response = await self.crawler.engine.download_async(request)  # type: ignore[union-attr]
        if response.status == 401:
            self.json_or_stop(response)
            raise MatchStopped
        if response.status == 404:
            return None
        if response.status != 200:
            raise OSError(f"HTTP {response.status} for {path}")
        body = json.loads(response.text)
        return body if isinstance(body, dict) else None

    async def _showing(self, region: str) -> set[int]:
        ids: set[int] = set()
        for path in ("/movie/now_playing", "/movie/upcoming"):
            page, pages = 1, 1
            while page <= min(pages, SHOWING_PAGES):
                body = await self._get(path, region=region, page=page) or {}
                ids |= {r["id"] for r in body.get("results") or [] if isinstance(r.get("id"), int)}
                pages = body.get("total_pages") or 1
                page += 1
        self.logger.info("%s: %d movies in now_playing/upcoming", region, len(ids))
        return ids

    async def _match(self, listing: Listing) -> TmdbMatch | None:
        region, local_language = REGIONS[listing.source]
        try:
            candidates = await self._search(listing, local_language)
            prelim = sorted((score(listing, c) | {"_c": c} for c in candidates.values()),
                            key=lambda s: (-s["score"], s["tmdb_id"]))
            details = await asyncio.gather(*(self._details(s["_c"]) for s in prelim[:DETAILS_FOR]))
        except MatchStopped:
            raise
        except Exception as exc:  # noqa: BLE001 - any failed request: this listing stays unmatched, counted
            self.stat(f"{listing.source}/failed")
            outcome.partial(self.crawler, "tmdb_match listings not matched (requests failed)", 1)
            self.logger.warning("%s %s (%s): not matched: %s", listing.source, listing.key, listing.title, exc)
            return None
        final = [score(listing, d) for d in details if d is not None]
        rest = [{k: v for k, v in s.items() if k != "_c"} for s in prelim[DETAILS_FOR:]]
        decision = decide(final, self.showing.get(region, set()))
        ranked = sorted(final, key=lambda c: -c["score"]) + rest
        self.outcomes[(listing.source, decision.status)] += 1
        self.stat(f"{listing.source}/{decision.status}")
        return TmdbMatch.model_construct(
            listing_source=listing.source, listing_key=listing.key, listing_title=listing.title,
            tmdb_id=decision.tmdb_id, confidence=round(decision.confidence / 100, 4), status=decision.status,
            candidates=ranked, reason=decision.reason, decided_by="auto", checked_at=self.now, region=region)

    async def _search(self, listing: Listing, local_language: str) -> dict[int, dict[str, Any]]:
        # The original title in English, the local one in the cinema's language (its translated
        # title comes back to compare with); TIX.id's capitals are often the English title too.
        pairs = [(clean_title(listing.title)[0], local_language)]
        if listing.original_title:
            pairs.append((clean_title(listing.original_title)[0], "en-US"))
        if listing.source == "tix":
            pairs.append((clean_title(listing.title)[0], "en-US"))
        queries = [{"query": title, "language": language, "primary_release_year": year}
                   for title, language in pairs for year in dict.fromkeys((listing.search_year, None))]
        bodies = await asyncio.gather(*(self._get("/search/movie", include_adult="false", page=1, **q)
                                        for q in _unique(queries)))
        found: dict[int, dict[str, Any]] = {}
        for body in bodies:
            for result in (body or {}).get("results") or []:
                if isinstance(result.get("id"), int):
                    found.setdefault(result["id"], result)
        return found

    async def _details(self, candidate: dict[str, Any]) -> dict[str, Any] | None:
        body = await self._get(f"/movie/{candidate['id']}", append_to_response="credits")
        if body is None:  # gone since the search: keep what the search said
            return candidate
        crew = (body.get("credits") or {}).get("crew") or []
        directors = list(dict.fromkeys(c["name"] for c in crew if c.get("job") == "Director" and c.get("name")))
        # The search result's title is in the cinema's language: keep it to compare with.
        return body | {"title": candidate.get("title") or body.get("title"), "directors": directors}

    def closed(self, reason: str) -> None:
        assert self.crawler.stats is not None
        for source in REGIONS:
            total = sum(n for (s, _), n in self.outcomes.items() if s == source)
            if total:
                rate = 100.0 * self.outcomes[(source, "matched")] / total
                self.crawler.stats.set_value(f"{self.stats_prefix}/{source}/match_rate", round(rate, 1))


def _unique(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for q in queries:
        key = tuple(sorted((k, str(v)) for k, v in q.items()))
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def _repertuary(rows: list[dict[str, Any]]) -> list[Listing]:
    """One listing per film slug (the same film in several cities), the fullest row first."""
    by_slug: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["slug"], -sum(1 for v in r.values() if v), r["city"])):
        by_slug.setdefault(row["slug"], row)
    return [Listing(source="repertuary", key=slug, title=r["title_pl"], original_title=r.get("original_title"),
                    year=r.get("year"), runtime=r.get("runtime"), director=r.get("director"),
                    countries=list(r.get("countries") or []), region="PL") for slug, r in sorted(by_slug.items())]


def _tix(rows: list[dict[str, Any]]) -> list[Listing]:
    """One listing per TIX.id movie id (a movie is listed on every date)."""
    by_id: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["movie_id"], str(r["date"]))):
        by_id[row["movie_id"]] = row  # the latest date's row
    return [Listing(source="tix", key=movie_id, title=r["title"],
                    countries=[r["country"]] if r.get("country") else [], region="ID")
            for movie_id, r in sorted(by_id.items())]
