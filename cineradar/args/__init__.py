"""Spider arguments (``-a name=value``) as pydantic models, validated before the crawl starts.

Every spider's model lives here, none in a spider module (tests/test_policies.py): ``base`` (SpiderArgs:
parsing, messages, the date window), ``validators`` (the checks the models share: comma lists,
cities, files, batches, days, countries, languages) and one module per source.

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

from cineradar.args.base import SpiderArgs, SpiderArgumentError, SpiderInputError, crawl_today
from cineradar.args.geocode import GeocodeArgs
from cineradar.args.repertuary import KinoKrakowArgs, RepertuaryArgs
from cineradar.args.tix import TixArgs, TixSeatsArgs
from cineradar.args.tmdb import TmdbMatchArgs, TmdbMoviesArgs, TmdbTvArgs
from cineradar.args.validators import comma_items, comma_list

__all__ = [
    "GeocodeArgs", "KinoKrakowArgs", "RepertuaryArgs", "SpiderArgs", "SpiderArgumentError", "SpiderInputError",
    "TixArgs", "TixSeatsArgs", "TmdbMatchArgs", "TmdbMoviesArgs", "TmdbTvArgs", "comma_items", "comma_list",
    "crawl_today",
]
