"""Validate every item against its pydantic model; drop the invalid with a counted reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from cineradar.items import CineItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ValidationPipeline:
    """Items arrive built with ``model_construct`` (unvalidated); they leave validated.

    An invalid item is dropped, counted in ``cineradar/invalid/<entity>/<field>`` and
    logged at WARNING the first time each (entity, field) fails, at DEBUG afterwards,
    so a systematic error shows once instead of flooding the log. Anything that is not
    a CineItem is dropped too (``cineradar/invalid/untyped``): nothing unvalidated
    reaches storage.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> CineItem:
        stats = self.crawler.stats
        assert stats is not None
        if not isinstance(item, CineItem):
            stats.inc_value("cineradar/invalid/untyped")
            raise DropItem(f"untyped item {type(item).__name__}; spiders must yield CineItem models")
        model = type(item)
        try:
            # The field values the item holds (model_construct keeps them in __dict__, defaults
            # filled in), validated once; CineItem.validate_constructed reads the same values
            # through ItemAdapter, which cost as much as the validation itself.
            valid = model.model_validate(item.__dict__)
        except ValidationError as exc:
            fields = sorted({".".join(map(str, err["loc"])) or "__root__" for err in exc.errors()})
            for field in fields:
                stats.inc_value(f"cineradar/invalid/{model.entity}/{field}")
                kind = f"{model.entity}/{field}"
                level = logging.DEBUG if kind in self._logged else logging.WARNING
                self._logged.add(kind)
                logger.log(level, "invalid %s (%s): %s", model.entity, field,
                           "; ".join(e["msg"] for e in exc.errors() if ".".join(map(str, e["loc"])) == field)
                           or exc.errors()[0]["msg"])
            stats.inc_value(f"cineradar/invalid/{model.entity}")
            raise DropItem(f"invalid {model.entity}: {', '.join(fields)}", log_level="DEBUG") from None
        stats.inc_value(f"cineradar/valid/{model.entity}")
        return valid
