"""``tmdb_match``: match stored cinema listings to TMDB movies (cineradar/matching.py).

    scrapy crawl tmdb_match                               # every listing without a match yet
    scrapy crawl tmdb_match -a source=tix -a force=1      # every TIX.id movie again

Listings: those of every source whose declaration has a ``matching`` (cineradar/sources/): the
stored repertuary films (one per slug, the cinema's country PL) and TIX.id movies (one per movie
id, country ID). Skipped: a listing a person decided (`scrapy tmdb-review`),
never touched again, even with force; without ``force``: a listing already matched or in the
review queue, and one with no match checked within the last week.

Per listing: /3/search/movie with each cleaned title (original, local; the local one in the
cinema's language), with ``primary_release_year`` when the year is known and without it; the
three best candidates get one details request (runtime, director); the documented
confidence then decides. now_playing and upcoming of each country are read once per crawl.
Every outcome is a TmdbMatch with its score and reason; a listing whose searches failed
gets none (PARTIAL), so it is not recorded as "no match". Stats per source:
``cineradar/tmdb_match/<source>/<status>`` and ``.../match_rate`` (percent, also in the run record).

The crawl awaits its requests in ``start()``; ``scrapy parse`` / ``check`` read one page alone
through the callbacks below (``parse`` dispatches by path), with the same matching functions:

    scrapy parse --spider tmdb_match "$TMDB/3/search/movie?query=Nosferatu&primary_release_year=2024&language=pl-PL"
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from scrapy.http.request import NO_CALLBACK

from cineradar import sources
from cineradar.args import SpiderArgs, TmdbMatchArgs
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import TmdbMatch
from cineradar.matching import (
    Decision,
    Listing,
    clean_title,
    conclude,
    search_results,
    shortlist,
    what_is_scored,
    with_details,
)
from cineradar.sources import Matching
from cineradar.spiders.tmdb_base import TmdbSpider

if TYPE_CHECKING:
    from scrapy.http import Response

RECHECK_AFTER = dt.timedelta(days=7)
SHOWING_PAGES = 10  # now_playing / upcoming pages read per country
DETAILS_PATH = re.compile(r"/3/movie/(\d+)/?$")
SHOWING_PATH = re.compile(r"/3/movie/(now_playing|upcoming)/?$")


class MatchStopped(Exception):
    """The crawl failed (bad credentials): no more matching."""


class TmdbMatchSpider(TmdbSpider):
    name = "tmdb_match"
    entities: ClassVar = (TmdbMatch,)
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
        matchable = sources.matchable()
        chosen = list(matchable) if self.args.source == "all" else [self.args.source]
        stored = {(r["listing_source"], r["listing_key"]): r
                  for r in await hub.call(hub.primary, lambda b: b.fetch(TmdbMatch.entity))}
        listings: list[Listing] = []
        for name in chosen:  # each source's declaration says which entity holds its listings
            matching = matchable[name].matching
            assert matching is not None
            entity = matching.entity
            listings += matching.listings(await hub.call(hub.primary, lambda b, e=entity: b.fetch(e)))
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
        response = await self.crawler.engine.download_async(request)
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
                found, pages = showing_page(await self._get(path, region=region, page=page) or {})
                ids |= found
                page += 1
        self.logger.info("%s: %d movies in now_playing/upcoming", region, len(ids))
        return ids

    async def _match(self, listing: Listing) -> TmdbMatch | None:
        matching = _matching(listing.source)
        region = matching.region
        try:
            shortlisted, rest = shortlist(listing, await self._search(listing, matching.language))
            details = await asyncio.gather(*(self._details(c) for c in shortlisted))
        except MatchStopped:
            raise
        except Exception as exc:  # noqa: BLE001 - any failed request: this listing stays unmatched, counted
            self.stat(f"{listing.source}/failed")
            outcome.partial(self.crawler, "tmdb_match listings not matched (requests failed)", 1)
            self.logger.warning("%s %s (%s): not matched: %s", listing.source, listing.key, listing.title, exc)
            return None
        decision, ranked = conclude(listing, [d for d in details if d is not None], rest,
                                    self.showing.get(region, set()))
        self.outcomes[(listing.source, decision.status)] += 1
        self.stat(f"{listing.source}/{decision.status}")
        return self.match_item(listing, decision, ranked)

    def match_item(self, listing: Listing, decision: Decision, ranked: list[dict[str, Any]]) -> TmdbMatch:
        return TmdbMatch.model_construct(
            listing_source=listing.source, listing_key=listing.key, listing_title=listing.title,
            tmdb_id=decision.tmdb_id, confidence=round(decision.confidence / 100, 4), status=decision.status,
            candidates=ranked, reason=decision.reason, decided_by="auto", checked_at=self.now,
            region=listing.region)

    async def _search(self, listing: Listing, local_language: str) -> dict[int, dict[str, Any]]:
        # The original title in English, the local one in the cinema's language (its translated
        # title comes back to compare with); TIX.id's capitals are often the English title too.
        pairs = [(clean_title(listing.title)[0], local_language)]
        if listing.original_title:
            pairs.append((clean_title(listing.original_title)[0], "en-US"))
        if _matching(listing.source).search_english:
            pairs.append((clean_title(listing.title)[0], "en-US"))
        queries = [{"query": title, "language": language, "primary_release_year": year}
                   for title, language in pairs for year in dict.fromkeys((listing.search_year, None))]
        return search_results(await asyncio.gather(*(self._get("/search/movie", include_adult="false", page=1, **q)
                                                     for q in _unique(queries))))

    async def _details(self, candidate: dict[str, Any]) -> dict[str, Any] | None:
        body = await self._get(f"/movie/{candidate['id']}", append_to_response="credits")
        if body is None:  # gone since the search: keep what the search said
            return candidate
        return with_details(candidate, body)

    # ------------------------------------------------------------------ one page (scrapy parse / check)
    # The crawl awaits its requests in start() (a listing needs all its answers at once); these
    # callbacks read one page given alone, with the same functions of cineradar/matching.py.
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page given alone, by its path: ``/3/search/movie``, ``/3/movie/<id>`` (details) or
        ``/3/movie/now_playing`` / ``/3/movie/upcoming``.

        @endpoint tmdb /3/search/movie?query=Interstellar&primary_release_year=2014&language=pl-PL
        @returns items 1 1
        @returns requests 0 0
        """
        path = urlsplit(response.url).path
        if path.rstrip("/").endswith("/3/search/movie"):
            yield from self.parse_search(response)
        elif DETAILS_PATH.search(path):
            yield from self.parse_details(response)
        elif SHOWING_PATH.search(path):
            yield from self.parse_showing(response)
        else:
            self.logger.error("tmdb_match reads /3/search/movie, /3/movie/<id>, /3/movie/now_playing and "
                              "/3/movie/upcoming pages, not %s", response.url)

    def parse_search(self, response: Response) -> Iterator[Any]:
        """One search page: the TmdbMatch the matching rules give for the listing its query names.

        The listing: title = ``query``, year = ``primary_release_year``; its source is ``-a source``,
        else ``region`` or ``language`` of the query (PL/pl: repertuary, ID/id: tix), else repertuary;
        its key is ``query:<title>``. Runtime, director and countries are unknown (their parts count
        0.5, so the details requests of a crawl would change no score) and now_playing is not read
        (a 60-69 best goes to review). A crawl merges several such searches per listing.

        @endpoint tmdb /3/search/movie?query=Nosferatu&primary_release_year=2024&language=pl-PL
        @returns items 1 1
        @returns requests 0 0
        @scrapes listing_source listing_key listing_title tmdb_id confidence status candidates reason region
        """
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            return
        listing = self.listing_from_search(response.url)
        shortlisted, rest = shortlist(listing, search_results([body]))
        decision, ranked = conclude(listing, shortlisted, rest, self.showing.get(listing.region, set()))
        yield self.match_item(listing, decision, ranked)

    def listing_from_search(self, url: str) -> Listing:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        matchable = {name: s.matching for name, s in sources.matchable().items() if s.matching}
        source = self.args.source if self.args.source != "all" else next(
            (name for name, m in matchable.items()
             if query.get("region", "").upper() == m.region
             or query.get("language", "").split("-")[0].lower() == m.language.split("-")[0]), "repertuary")
        title = query.get("query", "").strip()
        year = query.get("primary_release_year", "")
        return Listing(source=source, key=f"query:{title}", title=title,
                       year=int(year) if year.isdigit() else None, region=matchable[source].region)

    def parse_details(self, response: Response) -> Iterator[Any]:
        """One movie's details (``append_to_response=credits``): what the match scores of it, a dict
        with tmdb_id, title, original_title, year, runtime, directors and original_language.

        @endpoint tmdb /3/movie/157336?append_to_response=credits
        @returns items 1 1
        @scrapes tmdb_id title year runtime directors original_language
        """
        match = DETAILS_PATH.search(urlsplit(response.url).path)
        if response.status == 404:
            self.logger.info("movie %s: TMDB answers 404 (a crawl keeps what the search said)",
                             match[1] if match else "?")
            return
        body = self.json_or_stop(response)
        if isinstance(body, dict):
            yield what_is_scored(with_details({}, body))

    def parse_showing(self, response: Response) -> Iterator[Any]:
        """A now_playing / upcoming page of one country (``region``): its TMDB ids, which confirm a
        60-69 match there; from page 1, the further pages a crawl reads (SHOWING_PAGES at most).

        @endpoint tmdb /3/movie/now_playing?region=PL&page=1
        @returns items 1 1
        @returns requests 1
        @scrapes list region page total_pages tmdb_ids
        """
        url = urlsplit(response.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        match = SHOWING_PATH.search(url.path)
        name = match[1] if match else "now_playing"
        region, number = query.get("region", "").upper(), query.get("page", "")
        page = int(number) if number.isdigit() else 1
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            return
        ids, pages = showing_page(body)
        self.showing.setdefault(region, set()).update(ids)
        yield {"list": name, "region": region, "page": page, "total_pages": pages, "tmdb_ids": sorted(ids)}
        if page == 1:
            for later in range(2, min(pages, SHOWING_PAGES) + 1):
                yield self.api_request(self.url(f"/movie/{name}", region=region, page=later), self.parse_showing)

    def closed(self, reason: str) -> None:
        assert self.crawler.stats is not None
        for source in sources.matchable():
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


def showing_page(body: dict[str, Any]) -> tuple[set[int], int]:
    """(the TMDB ids, total_pages) of a now_playing / upcoming page."""
    ids = {r["id"] for r in body.get("results") or [] if isinstance(r.get("id"), int)}
    return ids, body.get("total_pages") or 1


def _matching(source: str) -> Matching:
    matching = sources.get(source).matching
    assert matching is not None, f"{source} declares no matching"
    return matching
