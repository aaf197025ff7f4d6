"""``geocode``: where the stored TIX.id theatres and repertuary cinemas are, through Nominatim.

    scrapy crawl geocode                                  # every place not geocoded yet
    scrapy crawl geocode -a source=tix -a cities=JAKARTA  # some of them
    scrapy crawl geocode -a requery_days=90               # also ask again what was not found 90+ days ago

Places: the ``tix_theatres`` and ``repertuary_cinemas`` rows of the store that have no
``geocodes`` row yet, or whose address (TIX.id) or name changed since (``geocoded_input``), or
(TIX.id) whose coordinates never reached the theatre row. Queries and decisions are
cineradar/geocoding.py's; every answer is kept in ``geocode_answers`` (including "not found",
with its date) and no query key is ever sent twice: a second run sends no request. ``-a
force=1`` decides every place again from the kept answers (after a change of the city boxes),
still without a request; ``-a requery_days=N`` sends again the queries whose kept answer is "not
found" and older than N days.

Politeness (Nominatim's usage policy): one request at a time on one download slot, at most
GEOCODER_RATE_LIMIT per second, each gap GEOCODER_GAP_MARGIN longer (SITE_RATE_LIMITS["nominatim"],
cineradar/middlewares/site_rate.py, which also waits out a 429's Retry-After and slows down), a
User-Agent naming CineRadar and
GEOCODER_CONTACT (required by the public service). 429 and 5xx are retried with backoff by the
project's RetryAfterMiddleware; a query still failing leaves its place undecided (the crawl ends
PARTIAL) and changes nothing stored. A 403 (the service blocked us) stops the crawl.

Items: GeocodeAnswer per new answer, Geocode per place decided, and for a TIX.id theatre found a
TixTheatre carrying only its key, name, city, last_seen and lat/lng (every other field empty,
which the theatres' merge rules keep as stored), so Firestore's ``theatres/{id}`` gets
``lat``/``lng`` where the original's clients read them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import SETTINGS_PRIORITIES

from cineradar import __version__
from cineradar.args import GeocodeArgs, SpiderArgs
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.geocoding import Outcome, Target, cinema_target, decide, query_key, theatre_target
from cineradar.items import Geocode, GeocodeAnswer, TixTheatre
from cineradar.parsers.nominatim import NominatimError, Place, parse_search
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

SITE = "nominatim"  # meta["site"]: SITE_RATE_LIMITS["nominatim"]
SLOT = "nominatim"
PUBLIC_HOST = "nominatim.openstreetmap.org"
PUBLIC_MAX_RATE = 1.0  # the public service's usage policy: an absolute maximum of 1 request per second


class GeocoderStopped(Exception):
    """The geocoder refuses us (403): no more requests."""


class GeocodeSpider(CineSpider):
    name = "geocode"
    args_model: ClassVar[type[SpiderArgs]] = GeocodeArgs
    args: GeocodeArgs
    stats_prefix: ClassVar[str] = "cineradar/geocode"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # One request at a time on one slot, one gap apart: the site cap and the slot's delay agree
        # (the gap is 1/GEOCODER_RATE_LIMIT plus the margin), so neither undoes the other.
        rate = settings.getfloat("GEOCODER_RATE_LIMIT")
        if rate <= 0:
            return  # refused in from_crawler, before any request
        gap = 1.0 / rate + max(0.0, settings.getfloat("GEOCODER_GAP_MARGIN"))
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(SLOT, {"concurrency": 1, "delay": gap, "jitter": 0})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        if (settings.getpriority("DOWNLOAD_DELAY") or 0) < SETTINGS_PRIORITIES["spider"]:
            settings.set("DOWNLOAD_DELAY", gap, priority="spider")
        limits = dict(settings.getdict("SITE_RATE_LIMITS"))
        limits[SITE] = 1.0 / gap
        settings.set("SITE_RATE_LIMITS", limits, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GeocodeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, GeocodeSpider)
        settings = crawler.settings
        spider.contact = (settings.get("GEOCODER_CONTACT") or "").strip()
        rate = settings.getfloat("GEOCODER_RATE_LIMIT")
        public = (urlsplit(spider.endpoints.nominatim).hostname or "").lower() == PUBLIC_HOST
        problem = None
        if rate <= 0:
            problem = f"GEOCODER_RATE_LIMIT must be above 0, got {rate}"
        elif public and rate > PUBLIC_MAX_RATE:
            problem = (f"GEOCODER_RATE_LIMIT {rate}/s is above the public Nominatim's limit of {PUBLIC_MAX_RATE}/s "
                       "(its usage policy); use a self-hosted Nominatim (NOMINATIM_URL) to go faster")
        elif public and not spider.contact:
            problem = ("the public Nominatim needs a contact: set GEOCODER_CONTACT (or CINERADAR_GEOCODER_CONTACT) "
                       "to an e-mail address or URL, or NOMINATIM_URL to a self-hosted Nominatim")
        if problem and spider.start_error is None:
            spider.start_error = f"geocode: {problem}"
        return spider

    contact: str = ""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.now = dt.datetime.now(dt.UTC)
        self.answers: dict[str, dict[str, Any]] = {}  # query key -> kept answer row (store, then this run)
        self.outcomes: Counter[tuple[str, str]] = Counter()

    def endpoint_sources(self) -> list[str]:
        return ["nominatim"]

    @property
    def user_agent(self) -> str:
        contact = f"; contact: {self.contact}" if self.contact else ""
        return f"CineRadar/{__version__} (geocoding cinemas{contact}; +https://github.com/cineradar/cineradar)"

    def stat(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{self.stats_prefix}/{key}", count)

    # ------------------------------------------------------------------ crawl
    async def start(self) -> AsyncIterator[Any]:
        hub = storage_hub(self.crawler, f"{self.name} (it reads the stored theatres, cinemas and answers)")

        async def rows(entity: str) -> list[dict[str, Any]]:
            return await hub.call(hub.primary, lambda b: b.fetch(entity))

        targets: list[tuple[Target | None, dict[str, Any]]] = []
        if self.args.source in ("tix", "all"):
            targets += [(theatre_target(r), r) for r in await rows("tix_theatres")
                        if self.args.wants_city("tix", str(r.get("city") or ""))]
        if self.args.source in ("repertuary", "all"):
            targets += [(cinema_target(r), r) for r in await rows("repertuary_cinemas")
                        if self.args.wants_city("repertuary", str(r.get("city") or ""))]
        places = [t for t, _ in targets if t is not None]
        unplaceable = len(targets) - len(places)
        if unplaceable:  # a city without a box (a new city: add it to geo_cities.json), or nothing to search by
            self.stat("unplaceable", unplaceable)
            outcome.partial(self.crawler, "geocode places without a city box (cineradar/data/geo_cities.json) "
                                          "or anything to search by", unplaceable)
        stored = {(r["site"], r["place_key"]): r for r in await rows(Geocode.entity)}
        self.answers = {r["query_key"]: r for r in await rows(GeocodeAnswer.entity)}
        todo = [t for t in places if self._wanted(t, stored.get((t.site, t.place_key)))]
        self.logger.info("geocode: %d places, %d to geocode, %d answers kept (force=%s)", len(places), len(todo),
                         len(self.answers), self.force)
        self.crawler.stats.set_value(progress.UNIT, "places")
        self.crawler.stats.set_value(progress.TOTAL, len(todo))
        for target in todo:  # one after another: the geocoder sees one request at a time
            try:
                async for item in self._geocode(target):
                    yield item
            except GeocoderStopped:
                return
            self.crawler.stats.inc_value(progress.DONE)

    def _wanted(self, target: Target, row: dict[str, Any] | None) -> bool:
        if row is None:
            return True
        if row.get("geocoded_input") != target.geocoded_input:
            self.stat(f"{target.site}/input_changed")
            return True
        if target.site == "tix" and row.get("lat") is not None and (target.stored or {}).get("lat") is None:
            return True  # found, but the theatre row lacks it (a row written again from scratch)
        if self.force or self._requery(target, row):
            return True
        # Its decision stands: counted like items skipped as fresh (the rows its decision wrote, as
        # they are), so a run with nothing new is complete for the item-count monitors.
        stats = self.crawler.stats
        assert stats is not None
        self.stat(f"{target.site}/skipped_done")
        stats.inc_value(f"cineradar/fresh_skipped/{Geocode.entity}")
        kept = sum(1 for q in target.queries if query_key(q, target.countrycodes) in self.answers)
        stats.inc_value(f"cineradar/fresh_skipped/{GeocodeAnswer.entity}", kept)
        if target.site == "tix" and row.get("lat") is not None:
            stats.inc_value(f"cineradar/fresh_skipped/{TixTheatre.entity}")
        return False

    def _requery(self, target: Target, row: dict[str, Any]) -> bool:
        """Not found, and one of its kept "not found" answers is older than -a requery_days."""
        return row.get("status") == "not_found" and any(
            self._stale(self.answers.get(query_key(q, target.countrycodes)) or {}) for q in target.queries)

    async def _geocode(self, target: Target) -> AsyncIterator[Any]:
        outcomes: list[tuple[str, Outcome, dict[str, Any]]] = []
        for query in target.queries:
            key = query_key(query, target.countrycodes)
            answer, fresh = await self._answer(query, key, target)
            if answer is None:  # the request failed after its retries: nothing decided, nothing changed
                self.stat(f"{target.site}/failed")
                outcome.partial(self.crawler, "geocode places not decided (requests failed)", 1)
                return
            if fresh:
                yield GeocodeAnswer.model_construct(**answer)
            places = [Place.from_dict(p) for p in answer["results"]]
            decision = decide(places, target.box, target.by_name)
            outcomes.append((query, decision, answer))
            if decision.status == "found":
                break
        query, decision, answer = next((o for o in outcomes if o[1].status == "found"), None) or next(
            (o for o in outcomes if o[1].status == "refused"), outcomes[-1])
        self.outcomes[(target.site, decision.status)] += 1
        self.stat(f"{target.site}/{decision.status}")
        if decision.ambiguous:
            self.stat(f"{target.site}/ambiguous")
        yield self._geocode_item(target, [q for q, _, _ in outcomes], query, decision, answer)
        if target.site == "tix" and decision.place is not None and target.stored is not None:
            yield self._theatre_item(target.stored, decision.place)

    async def _answer(self, query: str, key: str, target: Target) -> tuple[dict[str, Any] | None, bool]:
        """The answer to ``query``: kept (store or this run), else one request. (answer, fresh)."""
        kept = self.answers.get(key)
        if kept is not None and not self._stale(kept):
            self.stat("cache_hits")
            return kept, False
        places = await self._search(query, target.countrycodes)
        if places is None:
            return None, False
        answer = {"query_key": key, "query": query, "countrycodes": target.countrycodes,
                  "status": "found" if places else "not_found", "results": [p.as_dict() for p in places],
                  "answered_at": dt.datetime.now(dt.UTC)}
        self.answers[key] = answer
        return answer, True

    def _stale(self, kept: dict[str, Any]) -> bool:
        """A kept "not found" older than requery_days (-a): asked again."""
        if self.args.requery_days is None or kept.get("status") != "not_found":
            return False
        when = kept.get("answered_at")
        when = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
        return when is None or self.now - when > dt.timedelta(days=self.args.requery_days)

    async def _search(self, query: str, countrycodes: str) -> list[Place] | None:
        """One /search request through the downloader (retries, rate cap); None if it failed."""
        request = self.search_request(query, countrycodes)
        self.stat("requests")
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - a network failure after retries: this place stays undecided
            self.logger.warning("geocode: %r not answered: %s: %s", query, type(exc).__name__, exc)
            return None
        if response.status == 403:
            outcome.fail(self.crawler, f"geocode: the geocoder refused our requests (HTTP 403 from "
                                       f"{urlsplit(response.url).netloc}): blocked? check GEOCODER_CONTACT and its "
                                       "usage policy")
            raise GeocoderStopped
        if response.status != 200:
            self.logger.warning("geocode: %r answered HTTP %d after retries", query, response.status)
            return None
        try:
            places, skipped = parse_search(response.body)
        except NominatimError as exc:
            self.stat("bad_answers")
            self.logger.warning("geocode: %r: unreadable answer: %s", query, exc)
            return None
        if skipped:
            self.stat("skipped_results", skipped)
        return places

    def search_request(self, query: str, countrycodes: str, callback: Any = NO_CALLBACK) -> scrapy.Request:
        params = {"q": query, "format": "jsonv2", "limit": self.settings.getint("GEOCODER_RESULTS"),
                  "countrycodes": countrycodes}
        return scrapy.Request(f"{self.endpoints.nominatim.rstrip('/')}/search?{urlencode(params)}",
                              callback=callback, dont_filter=True,
                              headers={"User-Agent": self.user_agent, "Accept": "application/json"},
                              meta={"download_slot": SLOT, "site": SITE, "handle_httpstatus_all": True})

    # ------------------------------------------------------------------ items
    def _geocode_item(self, target: Target, queries: list[str], query: str, decision: Outcome,
                      answer: dict[str, Any]) -> Geocode:
        place = decision.place
        located = {}
        if place is not None:
            located = {"lat": place.lat, "lng": place.lng, "display_name": place.display_name,
                       "osm_type": place.osm_type, "osm_id": place.osm_id, "importance": place.importance,
                       "place_class": place.place_class, "place_type": place.place_type,
                       "place_rank": place.place_rank, "confidence": decision.confidence,
                       "located_query": query, "located_at": answer["answered_at"]}
        return Geocode.model_construct(
            site=target.site, place_key=target.place_key, name=target.name, city=target.city,
            address=target.address, geocoded_input=target.geocoded_input, queries=queries,
            status=decision.status, ambiguous=decision.ambiguous,
            refused=[{"lat": p.lat, "lng": p.lng, "display_name": p.display_name, "osm_type": p.osm_type,
                      "osm_id": p.osm_id} for p in decision.refused],
            reason=decision.reason, checked_at=self.now, **located)

    def _theatre_item(self, row: dict[str, Any], place: Place) -> TixTheatre:
        # Only what geocoding knows; the empty fields keep what is stored (TixTheatre.merge_rules).
        return TixTheatre.model_construct(
            theatre_id=row["theatre_id"], name=row["name"], city=row["city"], last_seen=row["last_seen"],
            merchant=None, address=None, room_types=[], lat=place.lat, lng=place.lng, place_id=None)

    # ------------------------------------------------------------------ one page (scrapy parse / check)
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """One /search answer given alone: its results, as kept in ``geocode_answers``.

        @endpoint nominatim /search?q=Kino+Pod+Baranami%2C+Krak%C3%B3w%2C+Poland&format=jsonv2&countrycodes=pl
        @returns items 1 1
        @returns requests 0 0
        @scrapes query_key query countrycodes status results answered_at
        """
        params = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
        try:
            places, _ = parse_search(response.body)
        except NominatimError as exc:
            self.logger.error("geocode: %s: %s", response.url, exc)
            return
        query, codes = params.get("q", ""), params.get("countrycodes", "")
        yield GeocodeAnswer.model_construct(
            query_key=query_key(query, codes), query=query, countrycodes=codes,
            status="found" if places else "not_found", results=[p.as_dict() for p in places],
            answered_at=dt.datetime.now(dt.UTC))

    def closed(self, reason: str) -> None:
        for (site, status), count in sorted(self.outcomes.items()):
            self.logger.info("geocode: %s %s: %d", site, status, count)
