"""Feed checks made before a crawl starts: a CSV feed has one header row, so it takes one entity.

A spider declares the entities it yields (``CineSpider.entities``). A CSV feed (``-O out.csv``,
or a FEEDS entry with format csv) that would receive more than one of them wrote every row
under the first entity's header; it is refused instead, with one line pointing to per-entity
FEEDS (``item_classes``). JSON and JSON Lines feeds carry each item's own fields (and its
``entity``), so they take any mix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def mixed_csv_feed(spidercls: Any, settings: BaseSettings) -> str | None:
    """One line when a CSV feed would get several entities of ``spidercls``, else None."""
    entities = tuple(getattr(spidercls, "entities", ()) or ())
    if len(entities) < 2:
        return None
    for uri, options in settings.getdict("FEEDS").items():
        if str((options or {}).get("format", "")).lower() != "csv":
            continue
        classes = tuple(load_object(c) if isinstance(c, str) else c for c in options.get("item_classes") or ())
        covered = [e for e in entities if not classes or issubclass(e, classes)]
        if len(covered) > 1:
            first = covered[0]
            return (f"{spidercls.name}: the CSV feed {uri} would get {len(covered)} entities "
                    f"({', '.join(e.entity for e in covered)}) under one header; write one CSV per entity: "
                    f'FEEDS = {{"{first.entity}.csv": {{"format": "csv", "item_classes": '
                    f'["cineradar.items.{first.__name__}"]}}, ...}}, or use JSON Lines (-O out.jsonl)')
    return None
