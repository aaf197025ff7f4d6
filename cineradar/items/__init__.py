"""Typed items, one module per source (see base.py for the rules every model follows).

``from cineradar.items import X`` reaches every model and helper, whichever module holds it.
``ALL_ITEMS``: the project's models, found by importing every module of this package (a new
source's ``items/<source>.py`` is found without editing a list); a source living outside the
package registers its models by importing them (``cineradar.items.base.registered()``).
"""

from __future__ import annotations

import importlib
import pkgutil

from cineradar.items.base import (
    ENTITY_DESCRIPTION,
    ENTITY_FIELD,
    HHMM,
    REGISTRY,
    WARSAW,
    WIB,
    CineItem,
    CineItemAdapter,
    D,
    MergeRule,
    NonEmpty,
    NonNegative,
    NonNegativeFloat,
    Percent,
    Rupiah,
    TixId,
    UtcDatetime,
    WarsawDatetime,
    WibDatetime,
    _has_nul,
    _iso,
    registered,
    sanitize_id,
)
from cineradar.items.geocode import Geocode, GeocodeAnswer, GeocodeConfidence, GeocodeStatus
from cineradar.items.repertuary import RepertuaryCinema, RepertuaryFilm, RepertuaryShowtime  # noqa: I001
from cineradar.items.runs import CrawlRun
from cineradar.items.tix import (
    ChainLine,
    Merchant,
    SnapshotMode,
    TixDailySummary,
    TixDaySnapshot,
    TixMovie,
    TixSchedule,
    TixSeatFailure,
    TixSeatSnapshot,
    TixShowtime,
    TixTheatre,
)
from cineradar.items.tmdb import (
    MatchStatus,
    TmdbCompany,
    TmdbLogoEntity,
    TmdbMatch,
    TmdbMovie,
    TmdbNetwork,
    TmdbShow,
    TmdbWatchProvider,
)

# docs/data.md lists the project's sources in this order; any other module of the package after them.
_ORDER = ("tix", "repertuary", "tmdb", "runs", "geocode")
_MODULES = [*_ORDER, *sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in (*_ORDER, "base"))]
for _name in _MODULES:
    importlib.import_module(f"{__name__}.{_name}")

# The project's own models (docs/data.md, the storage's tables); sources outside the package add theirs
# to REGISTRY when imported (``registered()``).
ALL_ITEMS: tuple[type[CineItem], ...] = tuple(sorted(
    (model for model in REGISTRY.values() if model.__module__.startswith(f"{__name__}.")),
    key=lambda model: _MODULES.index(model.__module__.rsplit(".", 1)[1])))

__all__ = [
    "ALL_ITEMS", "ENTITY_DESCRIPTION", "ENTITY_FIELD", "HHMM", "REGISTRY", "WARSAW", "WIB", "ChainLine", "CineItem",
    "CineItemAdapter", "CrawlRun", "D", "Geocode", "GeocodeAnswer", "GeocodeConfidence", "GeocodeStatus",
    "MatchStatus", "Merchant", "MergeRule", "NonEmpty", "NonNegative", "NonNegativeFloat", "Percent",
    "RepertuaryCinema", "RepertuaryFilm", "RepertuaryShowtime", "Rupiah", "SnapshotMode", "TixDailySummary",
    "TixDaySnapshot", "TixId", "TixMovie", "TixSchedule", "TixSeatFailure", "TixSeatSnapshot", "TixShowtime",
    "TixTheatre", "TmdbCompany", "TmdbLogoEntity", "TmdbMatch", "TmdbMovie", "TmdbNetwork", "TmdbShow",
    "TmdbWatchProvider", "UtcDatetime", "WarsawDatetime", "WibDatetime", "_has_nul", "_iso", "registered",
    "sanitize_id",
]
