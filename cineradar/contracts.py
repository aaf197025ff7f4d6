"""Spider contracts (``scrapy check``) that reach only the hosts ENDPOINTS names.

Scrapy's ``@url`` would send ``scrapy check`` to whatever host a docstring names, i.e. the
real sites; it is switched off in settings (SPIDER_CONTRACTS) and every callback says
instead::

    @endpoint tix_api /v1/movies?city_id=967969975509716992&movie_type=NOW_PLAYING&timezone=7

``@endpoint SOURCE PATH`` requests SOURCE's base URL from ENDPOINTS (a key a source declares:
``tix_api``, ``tix_app``, ``tmdb``, ``nominatim``..., or ``repertuary:<city>``) followed by PATH. Without ENDPOINTS, or
with one that lacks SOURCE, the contract refuses (one error for that callback) rather than
fall back to the real host.

The paths name the local replica's data of ``python -m replica --preset tiny --seed 1
--date 2026-11-21 --now 2026-11-21T08:00:00+07:00`` (REPLICA_DAY below): the TIX.id,
repertuary and TMDB ids and dates in the docstrings exist there, and its showtimes have not
started at that ``--now``.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract

from cineradar import sources
from cineradar.endpoints import Endpoints, EndpointsError

# The replica the contracts' ids belong to (README, "Debugging").
REPLICA_DAY = {"preset": "tiny", "seed": 1, "date": "2026-11-21", "now": "2026-11-21T08:00:00+07:00"}


class EndpointRefused(ValueError):
    """The contract's source has no base URL in ENDPOINTS: the real host is not used."""


class EndpointContract(Contract):
    """``@endpoint SOURCE PATH``: the request URL is SOURCE's ENDPOINTS base URL + PATH."""

    name = "endpoint"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.method = method

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        if len(self.args) != 2 or not str(self.args[1]).startswith("/"):
            raise ValueError(f"@endpoint takes SOURCE /PATH, got {' '.join(map(str, self.args))!r}")
        source, path = self.args
        endpoints: Endpoints | None = getattr(self.method.__self__, "endpoints", None)
        if endpoints is None or endpoints.given is None:
            raise EndpointRefused(f"@endpoint {source}: no ENDPOINTS given; contracts run against a replica "
                                  "only (-s ENDPOINTS=replica.json), never the real host")
        if source not in endpoints.given:
            raise EndpointRefused(f"@endpoint {source}: ENDPOINTS has no {source!r}; refusing the real host")
        try:
            base = endpoints.url(source)  # a declared key, or group:member (repertuary:krakow)
        except EndpointsError:
            raise ValueError(f"@endpoint: unknown source {source!r}; allowed: the declared ENDPOINTS keys "
                             f"({', '.join(sources.endpoint_keys())}), repertuary:<city>") from None
        args["url"] = base.rstrip("/") + path
        return args
