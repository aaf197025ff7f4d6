"""The base of every argument model: parsing, refusal messages, the date window (cineradar/args/)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from cineradar.args.validators import iso_day
from cineradar.cities import did_you_mean


class SpiderArgumentError(ValueError):
    """Raised at spider start when ``-a`` arguments are invalid."""


class SpiderInputError(ValueError):
    """An input named by an argument (a file) cannot be used at all: the crawl fails at start."""


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
        return iso_day(value)

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
