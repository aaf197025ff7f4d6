"""Every setting's default once, in cineradar/settings.py: components read through ``defaulted``.

``defaulted(crawler.settings).getint("STORAGE_BATCH_SIZE")`` reads the crawl's value when its
settings hold the name (at any priority, Scrapy's own defaults included); when they lack it (a
crawler built from bare ``Settings``: unit tests, a script's CrawlerProcess without the project
settings) it reads the value written in cineradar/settings.py, before the environment replaced
it (``config.DEFAULTS``). So no component repeats a default as a second literal that can drift
from settings.py; tests/test_policies.py fails on one.

Why not Scrapy's own mechanism (the defaults set at "default" priority by an add-on or a
spider's ``update_settings``): an add-on runs only when ADDONS lists it, which bare Settings do
not, and loading every settings.py value into bare Settings would also switch on the project's
pipelines and extensions in a test that builds one component alone. This falls back per name,
only where a component asks for it.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol


class SettingsReader(Protocol):
    """Scrapy's Settings fits, and so does a test double with typed getters (no Scrapy import here:
    the Scrapy-free auth code reads its settings through this module too)."""

    def get(self, name: str, default: Any = None) -> Any: ...

    def getint(self, name: str, default: int = 0) -> int: ...

    def getfloat(self, name: str, default: float = 0.0) -> float: ...

    def getbool(self, name: str, default: bool = False) -> bool: ...


@functools.cache
def project_defaults() -> dict[str, Any]:
    """cineradar/settings.py's own values (not the environment's)."""
    import cineradar.settings as module  # imported here: settings.py applies the environment when loaded
    from cineradar import config

    values: dict[str, Any] = {name: value for name, value in vars(module).items() if name.isupper()}
    values.update(config.DEFAULTS)  # what settings.py wrote for the settings the environment may replace
    return values


class Defaulted:
    """Typed reads of ``settings``; a name they lack falls back to cineradar/settings.py's value."""

    def __init__(self, settings: SettingsReader) -> None:
        self.settings = settings

    def _holds(self, name: str) -> bool:
        priority = getattr(self.settings, "getpriority", None)
        if priority is not None:  # Scrapy's settings: held at any priority, even as None
            return priority(name) is not None
        return self.settings.get(name) is not None

    def _default(self, name: str) -> Any:
        defaults = project_defaults()
        if name not in defaults:
            raise KeyError(f"setting {name} has no default in cineradar/settings.py")
        return defaults[name]

    # Each getter converts settings.py's value as Scrapy's getter of the same name converts a
    # Python value (None is the type's empty value).
    def get(self, name: str) -> Any:
        return self.settings.get(name) if self._holds(name) else self._default(name)

    def getint(self, name: str) -> int:
        return self.settings.getint(name) if self._holds(name) else int(self._default(name) or 0)

    def getfloat(self, name: str) -> float:
        return self.settings.getfloat(name) if self._holds(name) else float(self._default(name) or 0.0)

    def getbool(self, name: str) -> bool:
        return self.settings.getbool(name) if self._holds(name) else bool(self._default(name))

    def getlist(self, name: str) -> list[Any]:
        if self._holds(name):
            return list(self.settings.getlist(name))  # type: ignore[attr-defined]
        return list(self._default(name) or [])

    def getdict(self, name: str) -> dict[Any, Any]:
        if self._holds(name):
            return dict(self.settings.getdict(name))  # type: ignore[attr-defined]
        return dict(self._default(name) or {})


def defaulted(settings: SettingsReader) -> Defaulted:
    return Defaulted(settings)
