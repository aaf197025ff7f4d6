"""Base URLs of every source, from settings. Defaults are the real hosts.

``ENDPOINTS`` (a JSON object, or the path of a file holding one) overrides them all at
once, with the keys ``tix_app``, ``tix_api``, ``tmdb``, ``tmdb_image`` (the logo URL prefix,
as TMDB_IMAGE_URL), ``nominatim`` (the geocoder: a self-hosted Nominatim is this one key, or the
NOMINATIM_URL setting) and ``repertuary`` (city key -> base URL): the same object a local replica
prints on its first line, so
``scrapy crawl NAME -s ENDPOINTS=replica.json`` points any spider at it.

An ENDPOINTS object must name every source the crawl touches (``require``): a missing key
would otherwise fall back to the REAL host, sending a test crawl to production. Values
must be http(s) URL strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cineradar.cities import REPERTUARY_CITIES, repertuary_host

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class EndpointsError(ValueError):
    pass


@dataclass(frozen=True)
class Endpoints:
    tix_app: str
    tix_api: str
    tmdb: str
    repertuary: dict[str, str] = field(default_factory=dict)
    tmdb_image: str = ""  # TMDB_IMAGE_URL: the image host and size path that logo paths follow
    nominatim: str = ""  # the geocoder (issue 20): NOMINATIM_URL, or ENDPOINTS "nominatim"
    # Sources the ENDPOINTS object named ("tix_api", "repertuary:krakow"...); None: no ENDPOINTS.
    given: frozenset[str] | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Endpoints:
        values: dict[str, Any] = {
            "tix_app": settings.get("TIX_APP_URL"),
            "tix_api": settings.get("TIX_API_URL"),
            "tmdb": settings.get("TMDB_API_URL"),
            "tmdb_image": settings.get("TMDB_IMAGE_URL"),
            "nominatim": settings.get("NOMINATIM_URL"),
            "repertuary": {city: repertuary_host(city) for city in REPERTUARY_CITIES}
            | settings.getdict("REPERTUARY_URLS"),
        }
        override = settings.get("ENDPOINTS")
        given = None
        if override:
            loaded = load(override)
            given = frozenset([k for k in loaded if k != "repertuary"]
                              + [f"repertuary:{city}" for city in loaded.get("repertuary", {})])
            values["repertuary"] |= loaded.pop("repertuary", {})
            values.update(loaded)
        return cls(**{k: _strip(v) for k, v in values.items()}, given=given)

    def require(self, sources: Iterable[str]) -> None:
        """Refuse an ENDPOINTS object that lacks a source the crawl touches.

        ``sources`` are keys ("tix_api") or "repertuary:<city>". Without ENDPOINTS the real
        hosts are meant, so nothing is required.
        """
        if self.given is None:
            return
        missing = [s for s in sources if s not in self.given]
        if missing:
            raise EndpointsError(
                f"ENDPOINTS lacks {', '.join(missing)}: refusing to crawl the real host instead; "
                "give every source this crawl touches (or no ENDPOINTS at all for the real sites)")

    def repertuary_url(self, city: str) -> str:
        try:
            return self.repertuary[city]
        except KeyError:
            raise EndpointsError(f"no base URL for repertuary city {city!r}") from None


def load(value: str | dict[str, Any]) -> dict[str, Any]:
    """Parse ENDPOINTS: a dict, a JSON string, or the path of a JSON file."""
    if isinstance(value, dict):
        data = dict(value)
    else:
        text = value.strip()
        if not text.startswith("{"):
            path = Path(text)
            if not path.is_file():
                raise EndpointsError(f"ENDPOINTS is neither a JSON object nor a readable file: {text!r}")
            lines = path.read_text(encoding="utf-8").splitlines()
            if not lines:
                raise EndpointsError(f"ENDPOINTS file {text!r} is empty (is the replica still starting?)")
            text = lines[0]  # a replica's whole stdout may be saved: its first line is the object
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EndpointsError(f"ENDPOINTS is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EndpointsError(f"ENDPOINTS must be a JSON object, not {type(data).__name__}")
    unknown = set(data) - {"tix_app", "tix_api", "tmdb", "tmdb_image", "nominatim", "repertuary", "admin"}
    if unknown:
        raise EndpointsError(f"ENDPOINTS has unknown keys {sorted(unknown)}; "
                             "allowed: tix_app, tix_api, tmdb, tmdb_image, nominatim, repertuary")
    data.pop("admin", None)
    _check_values(data)
    return data


URL = re.compile(r"https?://[^\s/]+", re.IGNORECASE)


def _check_values(data: dict[str, Any]) -> None:
    """Every value an http(s) URL string; repertuary an object of known city -> URL."""
    for key, value in data.items():
        if key == "repertuary":
            if not isinstance(value, dict):
                raise EndpointsError(f"ENDPOINTS repertuary must be an object of city -> base URL, "
                                     f"not {type(value).__name__}")
            unknown = sorted(set(value) - set(REPERTUARY_CITIES))
            if unknown:
                raise EndpointsError(f"ENDPOINTS repertuary has unknown cities {unknown}")
            for city, url in value.items():
                _check_url(f"repertuary.{city}", url)
        else:
            _check_url(key, value)


def _check_url(name: str, value: Any) -> None:
    if not isinstance(value, str) or not URL.match(value.strip()):
        raise EndpointsError(f"ENDPOINTS {name} must be an http(s) URL string, not {value!r}")


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.rstrip("/")
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    return value
