"""``tmdb_tv``: TV shows from TMDB, by IMDb id, with networks, companies, providers and logos.

    scrapy crawl tmdb_tv -a imdb_ids=tt0944947,tt0903747
    scrapy crawl tmdb_tv -a file=shows.txt          # one IMDb id a line
    scrapy crawl tmdb_tv                            # refresh every stored show

Per IMDb id: ``/3/find/{imdb_id}?external_source=imdb_id`` gives the TMDB id (a miss is five
empty arrays: counted, not an error), then one ``/3/tv/{id}?append_to_response=external_ids,
watch/providers`` gives the typed show (plus the whole answer in ``raw``), its networks and
production companies (their own rows, linked from the show by id) and its watch providers per
region and offer type. Logos of networks, companies and providers go to the logo pipeline
(cineradar/pipelines/logos.py) only when their TMDB path differs from the stored one.

A page given alone (``scrapy parse --spider tmdb_tv URL``) is read from its URL: a find
page's IMDb id, or a show page's TMDB id (its IMDb id is then the answer's own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cineradar.args import SpiderArgs, SpiderInputError, TmdbTvArgs, comma_items
from cineradar.args.tmdb import IMDB_ID
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import TmdbCompany, TmdbLogoEntity, TmdbNetwork, TmdbShow, TmdbWatchProvider
from cineradar.parsers import tmdb as parse
from cineradar.spiders.tmdb_base import TmdbSpider

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

APPENDS = "external_ids,watch/providers"


class TmdbTvSpider(TmdbSpider):
    name = "tmdb_tv"
    entities: ClassVar = (TmdbShow, TmdbNetwork, TmdbCompany, TmdbWatchProvider)
    store_logos = True  # enables cineradar.pipelines.logos.LogoPipeline
    stats_prefix: ClassVar[str] = "cineradar/tmdb_tv"
    args_model: ClassVar[type[SpiderArgs]] = TmdbTvArgs
    args: TmdbTvArgs

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.stored_logos: dict[tuple[str, int], dict[str, Any]] = {}
        self.entities_sent: set[tuple[str, int]] = set()

    def endpoint_sources(self) -> list[str]:
        return [*super().endpoint_sources(), "tmdb_image"]  # logos: never the real image host by default

    async def start(self) -> AsyncIterator[Any]:
        hub = storage_hub(self.crawler, "tmdb_tv (it reads the stored shows and logos)")
        for cls in (TmdbNetwork, TmdbCompany, TmdbWatchProvider):
            for row in await hub.call(hub.primary, lambda b, e=cls.entity: b.fetch(e)):
                self.stored_logos[(cls.entity, int(row["tmdb_id"]))] = row
        ids = self._imdb_ids()
        self.crawler.stats.set_value(progress.UNIT, "shows")
        if ids:
            self.crawler.stats.set_value(progress.TOTAL, len(ids))
            for imdb_id in ids:
                yield self.api_request(self.url(f"/find/{imdb_id}", external_source="imdb_id"), self.parse_find,
                                       errback=self.failed, cb_kwargs={"imdb_id": imdb_id})
            return
        shows = await hub.call(hub.primary, lambda b: b.fetch(TmdbShow.entity))
        self.logger.info("tmdb_tv: no imdb_ids or file: refreshing %d stored shows", len(shows))
        self.crawler.stats.set_value(progress.TOTAL, len(shows))
        for row in shows:
            yield self.show_request(int(row["tmdb_id"]), row.get("imdb_id") or "")

    def _imdb_ids(self) -> list[str]:
        ids = comma_items(self.args.imdb_ids) if self.args.imdb_ids else []
        if self.args.file:
            ids += read_imdb_ids(self.args.file)
        return list(dict.fromkeys(ids))

    def show_request(self, tmdb_id: int, imdb_id: str) -> Any:
        return self.api_request(self.url(f"/tv/{tmdb_id}", append_to_response=APPENDS), self.parse_show,
                                errback=self.failed, cb_kwargs={"imdb_id": imdb_id})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page given alone: ``/3/find/<imdb id>`` is a find page, ``/3/tv/<id>`` a show.

        @endpoint tmdb /3/find/tt0944947?external_source=imdb_id
        @returns requests 1 1
        """
        path = response.url.split("?", 1)[0]
        if "/3/find/" in path:
            yield from self.parse_find(response)
        else:
            yield from self.parse_show(response)

    def parse_find(self, response: Response, imdb_id: str | None = None) -> Iterator[Any]:
        """An IMDb id looked up (``/3/find``): the request for its TV show, if TMDB knows one.

        @endpoint tmdb /3/find/tt0944947?external_source=imdb_id
        @returns requests 1 1
        @returns items 0 0
        """
        imdb_id = imdb_id or response.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            return
        tmdb_id = parse.find_tv_id(body)
        if tmdb_id is None:
            self.stat("not_found")
            self.crawler.stats.inc_value(progress.DONE)
            self.logger.info("%s: no TV show on TMDB", imdb_id)
            return
        yield self.show_request(tmdb_id, imdb_id)

    def parse_show(self, response: Response, imdb_id: str = "") -> Iterator[Any]:
        """A TV show with external ids and watch providers: the show, its networks, companies, providers.

        @endpoint tmdb /3/tv/1399?append_to_response=external_ids,watch/providers
        @returns items 3
        @scrapes tmdb_id name
        """
        self.crawler.stats.inc_value(progress.DONE)
        if response.status == 404:
            self.stat("gone")
            self.logger.info("%s: TMDB answers 404 for %s", imdb_id, response.url)
            return
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            return
        show, networks, companies, providers = parse.show_from_details(body)
        if not show.imdb_id and imdb_id:  # found by this IMDb id: TMDB's external_ids may omit it
            show.imdb_id = imdb_id
            self.stat("imdb_id_from_lookup")
        self.stat("shows")
        yield show
        for entity in (*networks, *companies, *providers):
            yield from self.with_logo(entity)

    def with_logo(self, entity: TmdbLogoEntity) -> Iterator[TmdbLogoEntity]:
        key = (entity.entity, entity.tmdb_id)
        if key in self.entities_sent:  # many shows share a network or provider
            return
        self.entities_sent.add(key)
        stored = self.stored_logos.get(key) or {}
        if entity.logo_path and (stored.get("logo_path") != entity.logo_path or not stored.get("logo_file")):
            entity.logo_urls = [self.endpoints.tmdb_image + entity.logo_path]  # ENDPOINTS or TMDB_IMAGE_URL
        elif entity.logo_path:
            self.stat("logos_unchanged")
        yield entity

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.stat("failed")
        self.crawler.stats.inc_value(progress.DONE)
        outcome.partial(self.crawler, "tmdb tv shows not fetched", 1)
        self.logger.warning("%s failed: %s", request.url, failure.getErrorMessage())


def read_imdb_ids(path: str) -> list[str]:
    """The ids of an ``-a file``: one IMDb id a line, ``#`` comments and blank lines skipped.

    A file that cannot be used is named with what is wrong and where, never with its content:
    it may be any file the crawl can read (/proc/self/environ, a key file)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpiderInputError(f"cannot read the ids file {path}: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise SpiderInputError(f"the ids file {path} is not UTF-8 text (binary?)")
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    numbered = [(n, line) for n, line in numbered if line and not line.startswith("#")]
    bad = [n for n, line in numbered if not IMDB_ID.match(line)]
    if bad:
        raise SpiderInputError(f"the ids file {path}: {len(bad)} of {len(numbered)} line(s) are not an IMDb id "
                               f"(tt and 5 to 10 digits; first at line {bad[0]})")
    return [line for _, line in numbered]
