"""Base URLs of every source, from settings. Defaults are the real hosts.

The keys and their URL settings are the sources' declarations (cineradar/sources/: a new
source declares its own, this module names none). ``ENDPOINTS`` (a JSON object, or the path of a
file holding one) overrides them all at once, with the project's keys ``tix_app``,
``tix_api``, ``tmdb``, ``tmdb_image`` (the logo URL prefix,
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

from cineradar import sources

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class EndpointsError(ValueError):
    pass


@dataclass(frozen=True)
class Endpoints:
    """Every declared source's base URL(s): ``urls`` (key -> URL, read as attributes:
    ``endpoints.tix_api``) and ``groups`` (a key with one URL per member: ``repertuary``)."""

    urls: dict[str, str] = field(default_factory=dict)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    # Sources the ENDPOINTS object named ("tix_api", "repertuary:krakow"...); None: no ENDPOINTS.
    given: frozenset[str] | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Endpoints:
        urls: dict[str, Any] = {}
        groups: dict[str, dict[str, str]] = {}
        for source in sources.declared():
            urls |= {key: settings.get(setting) or "" for key, setting in source.endpoints.items()}
            if (group := source.endpoint_group) is not None:
                groups[group.key] = group.defaults() | settings.getdict(group.setting)
        override = settings.get("ENDPOINTS")
        given = None
        if override:
            loaded = load(override)
            given = frozenset([k for k in loaded if k not in groups]
                              + [f"{k}:{member}" for k in groups for member in loaded.get(k, {})])
            for key in groups:
                groups[key] |= loaded.pop(key, {})
            urls.update(loaded)
        return cls(urls=_strip(urls), groups=_strip(groups), given=given)

    def __getattr__(self, key: str) -> str:
        # a declared key's URL (endpoints.tix_api); a group is its dict (endpoints.repertuary)
        if key.startswith("__"):
            raise AttributeError(key)
        urls, groups = self.__dict__.get("urls", {}), self.__dict__.get("groups", {})
        if key in urls:
            return urls[key]  # type: ignore[no-any-return]
        if key in groups:
            return groups[key]  # type: ignore[no-any-return]
        raise AttributeError(f"no source declares the ENDPOINTS key {key!r}")

    def url(self, source: str) -> str:
        """The base URL of a key (``tix_api``) or of a group's member (``repertuary:krakow``)."""
        key, _, member = source.partition(":")
        if member:
            return self.member_url(key, member)
        try:
            return self.urls[key]
        except KeyError:
            raise EndpointsError(f"no source declares the ENDPOINTS key {key!r}") from None

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

    def member_url(self, key: str, member: str) -> str:
        try:
            return self.groups[key][member]
        except KeyError:
            raise EndpointsError(f"no base URL for {key} {member!r}") from None

    def repertuary_url(self, city: str) -> str:
        return self.member_url("repertuary", city)


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
    allowed = sources.endpoint_keys()
    unknown = set(data) - set(allowed) - {"admin"}
    if unknown:
        raise EndpointsError(f"ENDPOINTS has unknown keys {sorted(unknown)}; allowed: {', '.join(allowed)} "
                             f"(the keys the sources declare, cineradar/sources/)")
    data.pop("admin", None)
    _check_values(data, {key: s.endpoint_group.defaults() for key, s in allowed.items() if s.endpoint_group})
    return data


URL = re.compile(r"https?://[^\s/]+", re.IGNORECASE)


def _check_values(data: dict[str, Any], groups: dict[str, dict[str, str]]) -> None:
    """Every value an http(s) URL string; a group (repertuary) an object of known member -> URL."""
    for key, value in data.items():
        if key in groups:
            if not isinstance(value, dict):
                raise EndpointsError(f"ENDPOINTS {key} must be an object of city -> base URL, "
                                     f"not {type(value).__name__}")
            unknown = sorted(set(value) - set(groups[key]))
            if unknown:
                raise EndpointsError(f"ENDPOINTS {key} has unknown cities {unknown}")
            for city, url in value.items():
                _check_url(f"{key}.{city}", url)
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
