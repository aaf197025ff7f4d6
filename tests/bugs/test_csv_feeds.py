"""Which feeds a multi-entity spider may write (cineradar/feeds.py): one entity per CSV."""

from __future__ import annotations

from scrapy.settings import Settings

from cineradar.feeds import mixed_csv_feed
from cineradar.spiders.tix_movies import TixMoviesSpider
from cineradar.spiders.tmdb_movies import TmdbMoviesSpider


def feeds(value: dict) -> Settings:
    return Settings({"FEEDS": value})


def test_one_entity_per_csv_passes():
    per_entity = {f"{n}.csv": {"format": "csv", "item_classes": [f"cineradar.items.{n}"]}
                  for n in ("TixMovie", "TixTheatre", "TixShowtime")}
    assert mixed_csv_feed(TixMoviesSpider, feeds(per_entity)) is None


def test_json_lines_take_any_mix_and_a_one_entity_spider_any_csv():
    assert mixed_csv_feed(TixMoviesSpider, feeds({"all.jsonl": {"format": "jsonlines"}})) is None
    assert mixed_csv_feed(TmdbMoviesSpider, feeds({"all.csv": {"format": "csv"}})) is None


def test_a_csv_of_two_entities_is_refused():
    two = {"x.csv": {"format": "csv", "item_classes": ["cineradar.items.TixMovie", "cineradar.items.TixTheatre"]}}
    assert "would get 2 entities (tix_movies, tix_theatres)" in (mixed_csv_feed(TixMoviesSpider, feeds(two)) or "")
