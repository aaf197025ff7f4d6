"""Geocoding in timeline.toml: after the movies (the original's geocode followed its 1st-of-the-month movies
run) and after the repertuary crawl, every day (a day with no new place sends no request), in the crontab too."""

from __future__ import annotations

import datetime as dt

from cineradar import timeline
from cineradar.spiders.geocode import GeocodeArgs
from tests.conftest import ROOT

FIRST_OF_MONTH, LATER = dt.date(2026, 2, 1), dt.date(2026, 2, 17)


def test_geocoding_follows_the_movies_and_the_repertuary_crawl_every_day():
    schedule = timeline.load(ROOT / "timeline.toml")
    for day in (FIRST_OF_MONTH, LATER):
        jobs = {j.name: j for j in timeline.plan(schedule, day)}
        assert jobs["geocode_tix"].after == ("tix_movies",) and jobs["geocode_tix"].args == {"source": "tix"}
        assert jobs["geocode_repertuary"].after == ("repertuary",)
        for name in ("geocode_tix", "geocode_repertuary"):
            assert jobs[name].spider == "geocode" and jobs[name].at is None
            GeocodeArgs.parse("geocode", jobs[name].args, today=day)  # valid arguments
    crontab = timeline.crontab(schedule, ROOT)
    movies = next(line for line in crontab.splitlines() if "cron-tix_movies.lock" in line)
    assert movies.index("batch=8/9") < movies.index("scrapy crawl geocode -a source=tix")
    repertuary = next(line for line in crontab.splitlines() if "cron-repertuary.lock" in line)
    assert "scrapy crawl geocode -a source=repertuary" in repertuary
