"""The progress line: exact text from known stats, driven by an injected clock (no sleeps).

The real crawl is in tests/tix/test_tix_progress.py."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from cineradar.extensions.progress import Progress, duration, progress_line


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def progress(stats: dict, elapsed: float) -> str:
    crawler = get_crawler(settings_dict={"PROGRESS_INTERVAL": 10})
    clock = FakeClock()
    ext = Progress(crawler, 10, clock=clock)
    ext.started = clock.now
    clock.now += elapsed
    assert crawler.stats is not None
    crawler.stats.set_stats(dict(stats))
    return ext.tick()


def test_known_total_gives_done_total_percent_eta_items_and_errors():
    stats = {"progress/total": 11_993, "progress/done": 1_234, "progress/unit": "seat layouts",
             "cineradar/valid/tix_seat_snapshot": 1_230, "cineradar/valid/tix_seat_failure": 4,
             "log_count/ERROR": 2, "downloader/exception_count": 5}
    # 1,234 layouts in 13.5 s: the other 10,759 at that pace take 117.7 s
    assert progress(stats, 13.5) == ("progress: 1,234/11,993 seat layouts (10%), ETA 1m58s; "
                                     "items: tix_seat_failure 4, tix_seat_snapshot 1,230; "
                                     "errors 2, failed downloads 5")


def test_nothing_done_yet_has_no_eta_and_no_items():
    stats = {"progress/total": 7, "progress/done": 0, "progress/unit": "city-days"}
    assert progress(stats, 10) == "progress: 0/7 city-days (0%); items: none yet; errors 0"


def test_without_a_total_the_count_or_the_responses():
    assert progress({"progress/done": 3, "progress/unit": "shows"}, 10) == \
        "progress: 3 shows; items: none yet; errors 0"
    assert progress({"response_received_count": 1_500, "cineradar/valid/tmdb_movie": 1_400}, 10) == \
        "progress: 1,500 responses; items: tmdb_movie 1,400; errors 0"


def test_a_finished_total_has_no_eta():
    assert progress_line({"progress/total": 83, "progress/done": 83, "progress/unit": "cities"}, 60) \
        == "progress: 83/83 cities (100%); items: none yet; errors 0"


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.4, "59s"), (130, "2m10s"), (3_900, "1h05m")])
def test_duration(seconds, text):
    assert duration(seconds) == text


def test_interval_0_turns_it_off():
    with pytest.raises(NotConfigured):
        Progress.from_crawler(get_crawler(settings_dict={"PROGRESS_INTERVAL": 0}))
