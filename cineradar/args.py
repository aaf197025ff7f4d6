"""Spider arguments (``-a name=value``) as pydantic models, validated before the crawl starts.

A bad value stops the command with one line that names the argument and says what is
allowed (``scrapy crawl`` exits 2 before the engine starts: cineradar/commands/crawl.py).
An unknown argument is refused like a bad value (most often a typo: ``-a cty=krakow`` would
crawl the default city), with a "did you mean"; only Scrapyd's own ``_job``, ``_version`` and
``_project`` are accepted besides the model's fields. City names are accepted with or without
diacritics, in any case, and a near miss gets a "did you mean" (``cineradar/cities.py``).

``-a date`` must be a day the source offers, counted from today in the source's timezone
(``date_window``); ``CRAWL_TODAY`` (setting, or CINERADAR_TODAY in the environment) moves
"today" for a replica or mirror of a fixed day.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from cineradar.cities import REPERTUARY_CITIES, city_key, did_you_mean, repertuary_city, tix_cities


class SpiderArgumentError(ValueError):
    """Raised at spider start when ``-a`` arguments are invalid."""


class SpiderInputError(ValueError):
    """An input named by an argument (a file) cannot be used at all: the crawl fails at start."""


def comma_items(value: str) -> list[str]:
    """The items of a comma-separated argument (``-a cities=JAKARTA, BANDUNG``), blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def comma_list(value: str, known: Callable[[str], str | None], refused: Callable[[list[str]], str], *,
               unique: bool = False) -> str:
    """The shared validator of comma-separated arguments: each item as ``known`` names it (None:
    unknown); ``ValueError(refused(unknown items))`` if any is unknown or none is given. Returns the
    names joined by commas (``unique``: each once, in the order given)."""
    given = comma_items(value)
    names = [known(item) for item in given]
    bad = [item for item, name in zip(given, names, strict=True) if name is None]
    if bad or not given:
        raise ValueError(refused(bad))
    kept = [str(name) for name in names]
    return ",".join(dict.fromkeys(kept) if unique else kept)


def crawl_today(settings: Any) -> dt.date | None:
    """CRAWL_TODAY from ``settings`` (a mapping with ``get``), or None for the sources' own clocks."""
    value = settings.get("CRAWL_TODAY")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SpiderArgumentError(f"CRAWL_TODAY must be YYYY-MM-DD, got {value!r}") from None


class SpiderArgs(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    timezone: ClassVar[str] = "UTC"
    # The days the source offers, as (first, last) offsets from its today; None: it takes no date.
    date_window: ClassVar[tuple[int, int] | None] = None
    # Why the window is what it is, said with a refused date.
    window_note: ClassVar[str] = ""

    force: bool = Field(False, description="bypass the freshness check (1/true/yes)")
    date: dt.date | None = Field(None, description="crawl day, YYYY-MM-DD (default: today in the source's timezone)")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"expected a day as YYYY-MM-DD, got {value!r}") from None
        return value

    # CRAWL_TODAY (a setting, known once the spider has its crawler): the default day too, not
    # only the window, so a replay of a fixed day needs no -a date (CineSpider.from_crawler).
    _today: dt.date | None = PrivateAttr(None)

    def use_today(self, today: dt.date | None) -> None:
        self._today = today

    @property
    def day(self) -> dt.date:
        return self.date or self.today(self._today)

    # Scrapyd's own arguments (the job id, the egg version, the project): not the spider's.
    SCRAPYD_ARGUMENTS: ClassVar[frozenset[str]] = frozenset({"_job", "_version", "_project"})

    @property
    def unknown(self) -> list[str]:
        return sorted(k for k in (self.model_extra or {}) if k not in self.SCRAPYD_ARGUMENTS)

    @classmethod
    def today(cls, override: dt.date | None = None) -> dt.date:
        """The source's today: ``override`` (CRAWL_TODAY) or the clock in its timezone."""
        return override or dt.datetime.now(ZoneInfo(cls.timezone)).date()

    @classmethod
    def parse(cls, spider_name: str, kwargs: dict[str, Any], *, today: dt.date | None = None,
              check_date: bool = True) -> SpiderArgs:
        """Validated arguments, or SpiderArgumentError with one line naming each bad one.

        ``check_date``: also refuse a ``date`` outside the source's window around ``today``
        (default: the clock in the source's timezone)."""
        try:
            args = cls.model_validate(kwargs)
        except ValidationError as exc:
            problems = "; ".join(f"-a {'.'.join(map(str, e['loc']))}: {cls._problem(e)}" for e in exc.errors())
            raise SpiderArgumentError(f"{spider_name}: {problems}") from None
        if args.unknown:
            known = sorted(cls.model_fields)
            problems = "; ".join(f"-a {name}: unknown argument{did_you_mean(name, known)}; allowed: {', '.join(known)}"
                                 for name in args.unknown)
            raise SpiderArgumentError(f"{spider_name}: {problems}")
        if check_date:
            args.check_date(spider_name, today)
        return args

    @classmethod
    def _problem(cls, error: Any) -> str:
        ctx = error.get("ctx") or {}
        field = cls.model_fields.get(str(error["loc"][0])) if error["loc"] else None
        if error["type"] in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and field:
            # The field's bounds (pydantic keeps Field(ge=..., le=...) as annotated_types metadata).
            low = high = None
            for m in field.metadata:
                if isinstance(m, annotated_types.Ge):
                    low = f"{m.ge}"
                elif isinstance(m, annotated_types.Gt):
                    low = f"more than {m.gt}"
                elif isinstance(m, annotated_types.Le):
                    high = f"{m.le}"
                elif isinstance(m, annotated_types.Lt):
                    high = f"less than {m.lt}"
            allowed = f"{low} to {high}" if low and high else low or high or ctx
            return f"got {error['input']!r}; allowed: {allowed}"
        message = str(error["msg"]).removeprefix("Value error, ")
        if (field is not None and field.description and error["type"] != "literal_error"
                and "allowed" not in message and "expected" not in message):
            message += f"; allowed: {field.description}"
        return message

    def check_date(self, spider_name: str, today: dt.date | None = None) -> None:
        """Refuse ``-a date`` outside the days the source offers (SpiderArgumentError)."""
        if self.date is None:
            return
        if self.date_window is None:
            raise SpiderArgumentError(f"{spider_name}: -a date: {spider_name} takes no date; allowed: no -a date")
        today = self.today(today)
        first, last = (today + dt.timedelta(days=n) for n in self.date_window)
        if not first <= self.date <= last:
            allowed = f"{first}" if first == last else f"{first} to {last}"
            raise SpiderArgumentError(
                f"{spider_name}: -a date: {self.date} is outside the source's window ({self.window_note}; "
                f"today is {today} in {self.timezone}); allowed: {allowed}, or no -a date for today")


class RepertuaryArgs(SpiderArgs):
    timezone: ClassVar[str] = "Europe/Warsaw"
    # The site offers today and the next 6 days (set_day/0..6); the spider selects them by that
    # offset, so the first day must be the site's today and `days` reaches the rest.
    date_window: ClassVar[tuple[int, int] | None] = (0, 0)
    window_note: ClassVar[str] = "day 0 is the site's today, -a days=1..7 reaches the week"

    city: str = Field("krakow", description="a city key or 'all'")
    days: int = Field(7, ge=1, le=7, description="how many days from the date (the site offers 7)")

    @field_validator("city")
    @classmethod
    def _city(cls, value: str) -> str:
        def refused(bad: list[str]) -> str:
            hint = did_you_mean(city_key(bad[0]), list(REPERTUARY_CITIES)) if len(bad) == 1 else ""
            return (f"unknown city {','.join(bad) or value!r}{hint}; "
                    f"allowed: all, {', '.join(REPERTUARY_CITIES)} (with or without diacritics)")

        return comma_list(value, lambda n: "all" if city_key(n) == "all" else repertuary_city(n), refused)

    @property
    def cities(self) -> list[str]:
        if self.city == "all":
            return list(REPERTUARY_CITIES)
        return comma_items(self.city)


class TixArgs(SpiderArgs):
    timezone: ClassVar[str] = "Asia/Jakarta"
    # TIX.id's window is not documented (docs/sources/tix.md): schedules are asked per WIB day and
    # the original only asked for today; presale movies list later days, so a week is allowed.
    date_window: ClassVar[tuple[int, int] | None] = (0, 6)
    window_note: ClassVar[str] = "TIX.id days from today to 6 days ahead"

    cities: str | None = Field(None, description="comma-separated TIX.id city names, e.g. JAKARTA,BANDUNG")
    batch: str | None = Field(None, description="N/M: the N-th of M batches of the 83 cities (0-based)")

    @field_validator("cities")
    @classmethod
    def _cities(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = {city_key(name): name for _, name in tix_cities()}

        def refused(bad: list[str]) -> str:
            hint = did_you_mean(city_key(bad[0]), list(names), show=names) if len(bad) == 1 else ""
            return f"unknown TIX.id cities {bad or value!r}{hint}; allowed: {', '.join(sorted(names.values()))}"

        return comma_list(value, lambda c: names.get(city_key(c)), refused)

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = re.fullmatch(r"(\d+)/(\d+)", value)
        if not match or not 0 <= int(match[1]) < int(match[2]) <= 83:
            raise ValueError(f"got {value!r}; allowed: N/M with 0 <= N < M <= 83 (e.g. 2/9)")
        return value

    def selected_cities(self) -> list[tuple[str, str]]:
        cities = list(tix_cities())
        if self.cities:
            wanted = comma_items(self.cities)
            cities = [c for c in cities if c[1] in wanted]
        if self.batch:
            index, total = map(int, self.batch.split("/"))
            # Contiguous, balanced slices (the original's len//9+1 left the last batch with 3).
            size, extra = divmod(len(cities), total)
            start = index * size + min(index, extra)
            cities = cities[start:start + size + (1 if index < extra else 0)]
        return cities


class TixSeatsArgs(TixArgs):
    """``tix_seats``: which showtimes get a seat snapshot.

    ``mode=morning``: every showtime of the day; ``jit``: those starting within the next
    ``window`` minutes (default 20); ``final``: those starting within ``window`` minutes
    (default 5), each requested ``lead`` minutes (default 5) before its start. Showtimes
    come from the store (tix_showtimes of the day) or from ``showtimes=file.jsonl``.
    ``cities`` filters them; ``batch=N/M`` takes the N-th of M contiguous slices of the
    list (the original's seat batching).
    """

    mode: Literal["morning", "jit", "final"] = Field("morning", description="morning, jit or final")
    showtimes: str | None = Field(None, description="a JSONL file of showtime rows instead of the store")
    window: float | None = Field(None, gt=0, le=24 * 60, description="minutes ahead (jit 20, final 5)")
    lead: float = Field(5.0, ge=0, le=120, description="final: minutes before the start to snapshot")
    now: dt.datetime | None = Field(None, description="the reference instant, ISO with offset (default: now)")

    @field_validator("showtimes")
    @classmethod
    def _showtimes_file(cls, value: str | None) -> str | None:
        # Whether it exists is known now; whether its lines are usable is known when read (start).
        if value is not None:
            path = Path(value)
            if not path.exists():
                raise ValueError(f"no such file: {value}")
            if not path.is_file():
                raise ValueError(f"not a file: {value}")
            if not os.access(path, os.R_OK):
                raise ValueError(f"not readable: {value}")
        return value

    @field_validator("now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give an offset, e.g. 2026-01-15T18:40:00+07:00")
        return value

    @property
    def window_minutes(self) -> float:
        return self.window or {"morning": 0.0, "jit": 20.0, "final": 5.0}[self.mode]

    def reference_time(self) -> dt.datetime:
        return self.now or dt.datetime.now(ZoneInfo(self.timezone))

    def slice(self, items: list[Any]) -> list[Any]:
        if not self.batch:
            return items
        index, total = map(int, self.batch.split("/"))
        size, extra = divmod(len(items), total)
        start = index * size + min(index, extra)
        return items[start:start + size + (1 if index < extra else 0)]
