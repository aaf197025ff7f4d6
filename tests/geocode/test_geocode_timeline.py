"""Geocoding in timeline.toml: after the movies (the original's geocode followed its 1st-of-the-month movies
run) and after the repertuary crawl, every day (a day with no new place sends no request), in the crontab too."""

from __future__ import annotations

import datetime as dt

from cineradar import timeline
from cineradar.args import GeocodeArgs
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
    # In the crontab, on the line of the crawl it follows, after it (whatever the line's wrapping)
    lines = [line for line in timeline.crontab(schedule, ROOT).splitlines() if not line.startswith("#")]
    movies = next(line for line in lines if "crawl tix_movies" in line)
    assert movies.index("crawl tix_movies") < movies.index("crawl geocode -a source=tix")
    repertuary = next(line for line in lines if "crawl repertuary" in line)
    assert repertuary.index("crawl repertuary") < repertuary.index("crawl geocode -a source=repertuary")
