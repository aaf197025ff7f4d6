"""One declaration per source: what the shared machinery needs to know of it, in one place.

A source module (``cineradar/sources/<name>.py``, or any module named in the environment's
``CINERADAR_SOURCE_MODULES``, comma-separated) calls ``declare(Source(...))`` with:

- its ENDPOINTS keys and the setting holding each one's real host (``endpoints``, ``urls``), and
  for a source with one base URL per city, its ``endpoint_group``;
- its site name for the per-site cap (``site``, ``rate_limit``, ``domains``), its freshness
  threshold (``freshness_hours``), its politeness and other settings' defaults (``settings``);
- the monitors' minimum of items per spider (``monitor_min_items``) and its spiders' own
  monitors (``monitors``: spider -> "module.Class", after the shared ones);
- for a source whose listings are matched to TMDB, its ``matching`` (region, language, the
  stored entity and how its rows become listings, what a review shows of a listing);
- its spiders' module (``spider_modules``: added to SPIDER_MODULES) and its replica site
  (``replica``: ``"module:factory"``, see replica/server.py ``ReplicaSite``).

cineradar/settings.py turns the declarations into the settings' defaults (``settings_defaults``:
URL settings, FRESHNESS_HOURS, SITE_RATE_LIMITS, SITE_DOMAINS, MONITOR_MIN_ITEMS and each
source's own), at the "project" priority: ``-s`` and ``CINERADAR_*`` variables still win.
endpoints.py, contracts.py, the monitors, tmdb_match and tmdb-review read the declarations.

Declarations are plain data, imported by every ``scrapy`` command: no Scrapy, no heavy import here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cineradar.matching import Listing

# The project's own sources, in this order (ENDPOINTS' keys and docs list them so).
BUILTIN = ("cineradar.sources.tix", "cineradar.sources.repertuary", "cineradar.sources.tmdb",
           "cineradar.sources.geocode")
# Further source modules (a source kept outside cineradar/, tests/house/test_toy_source.py): comma-separated.
ENVIRONMENT = "CINERADAR_SOURCE_MODULES"


@dataclass(frozen=True)
class EndpointGroup:
    """A source with one base URL per member (repertuary: one per city): ENDPOINTS' ``key`` is an
    object member -> URL; ``setting`` (a dict) overrides the defaults member by member."""

    key: str
    setting: str
    defaults: Callable[[], dict[str, str]]  # member -> real base URL


@dataclass(frozen=True)
class Matching:
    """How a source's stored listings are matched to TMDB movies (spiders/tmdb_match.py)."""

    region: str  # the cinemas' country (ISO 3166-1): its now_playing/upcoming confirm a 60-69 match
    language: str  # the local title is searched in this TMDB language
    entity: str  # the stored entity whose rows are the listings
    listings: Callable[[list[dict[str, Any]]], list[Listing]]  # stored rows -> one listing each
    key_help: str = "KEY"  # what KEY is in `tmdb-review --accept SOURCE:KEY=ID`
    search_english: bool = False  # its local title is often the English one too: search it in en-US as well
    # What `tmdb-review --interactive` shows of a listing: (a storage backend, the match row) -> facts
    facts: Callable[[Any, dict[str, Any]], dict[str, str]] | None = None


@dataclass(frozen=True)
class Source:
    name: str  # the items' ``source``, the ENDPOINTS namespace
    endpoints: Mapping[str, str] = field(default_factory=dict)  # ENDPOINTS key -> its URL setting
    urls: Mapping[str, str] = field(default_factory=dict)  # URL setting -> real host (the default)
    endpoint_group: EndpointGroup | None = None
    site: str | None = None  # meta["site"] / SITE_RATE_LIMITS key
    rate_limit: float | None = None  # requests/s over the whole site (None: the spider sets it, or no cap)
    domains: tuple[str, ...] = ()  # host or parent domain -> site, for requests without meta["site"]
    freshness_hours: float | None = None  # items of this source seen within it are not stored again
    settings: Mapping[str, Any] = field(default_factory=dict)  # defaults of the source's own settings
    monitor_min_items: Mapping[str, int] = field(default_factory=dict)  # spider -> items at least
    # spider -> its own Spidermon monitors ("module.Class"), run after the shared ones (cineradar/monitors.py)
    monitors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    matching: Matching | None = None
    spider_modules: tuple[str, ...] = ()  # besides cineradar.spiders
    replica: str | None = None  # "module:factory" of its replica site

    @property
    def endpoint_keys(self) -> tuple[str, ...]:
        return (*self.endpoints, *([self.endpoint_group.key] if self.endpoint_group else []))


SOURCES: dict[str, Source] = {}


def declare(source: Source) -> Source:
    """Register a declaration (its module calls this at import); a name or key twice is refused."""
    if source.name in SOURCES and SOURCES[source.name] != source:
        raise ValueError(f"source {source.name!r} is declared twice")
    taken = {key: s.name for s in SOURCES.values() if s.name != source.name for key in s.endpoint_keys}
    clash = sorted(key for key in source.endpoint_keys if key in taken)
    if clash:
        raise ValueError(f"source {source.name!r}: ENDPOINTS keys {clash} already belong to another source")
    SOURCES[source.name] = source
    return source


def module_names(environ: Mapping[str, str] | None = None) -> list[str]:
    extra = (os.environ if environ is None else environ).get(ENVIRONMENT, "")
    return [*BUILTIN, *(name.strip() for name in extra.split(",") if name.strip())]


def load(names: Iterable[str] | None = None) -> dict[str, Source]:
    """Import the source modules (the project's and CINERADAR_SOURCE_MODULES'): every declaration."""
    for name in module_names() if names is None else names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise SystemExit(f"{ENVIRONMENT}: source module {name!r} cannot be imported ({exc})") from None
    return SOURCES


def declared() -> list[Source]:
    return list(load().values())


def get(name: str) -> Source:
    return load()[name]


def matchable() -> dict[str, Source]:
    """The sources whose listings tmdb_match matches, by name."""
    return {s.name: s for s in declared() if s.matching is not None}


def endpoint_keys() -> dict[str, Source]:
    """ENDPOINTS key -> its source."""
    return {key: s for s in declared() for key in s.endpoint_keys}


def spider_monitors(spider: str) -> list[str]:
    """The monitors ("module.Class") the declarations add for a spider."""
    return [m for s in declared() for m in s.monitors.get(spider, ())]


def settings_defaults() -> dict[str, Any]:
    """The settings the declarations give defaults to (cineradar/settings.py applies them)."""
    values: dict[str, Any] = {"FRESHNESS_HOURS": {}, "SITE_RATE_LIMITS": {}, "SITE_DOMAINS": {},
                              "MONITOR_MIN_ITEMS": {}, "SPIDER_MODULES": []}
    for s in declared():
        values.update(s.urls)
        if s.endpoint_group is not None:
            values[s.endpoint_group.setting] = {}  # member -> base URL; unset members: the real hosts
        values.update(s.settings)
        if s.freshness_hours:
            values["FRESHNESS_HOURS"][s.name] = s.freshness_hours
        if s.site and s.rate_limit:
            values["SITE_RATE_LIMITS"][s.site] = s.rate_limit
        values["SITE_DOMAINS"] |= dict.fromkeys(s.domains, s.site)
        values["MONITOR_MIN_ITEMS"] |= s.monitor_min_items
        values["SPIDER_MODULES"] += [m for m in s.spider_modules if m not in values["SPIDER_MODULES"]]
    return values
