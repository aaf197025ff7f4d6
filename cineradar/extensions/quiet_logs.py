"""A crawl logs what is about it: known noise from dependencies is dropped at the crawl's start.

On a healthy replica a crawl logs no WARNING or ERROR line (tests/ops/test_quiet_logs.py). Two
lines came from dependencies and said nothing about the crawl:

- Scrapy's aiohttp download handler (chosen on purpose for tix_seats and the TMDB spiders,
  cineradar/compat.py) warns at each start, once per scheme, that it is experimental (twice);
- Spidermon's runner logs through ``Spider.log()``, which Scrapy 2.19 deprecates, so every
  crawl carried a ``ScrapyDeprecationWarning`` about Spidermon's code.

The first is said once, at INFO (through compat.py, which fences the logger it relies on), the
second dropped.
Repeated conditions of our own are summarized by the component that sees them (e.g. tix_movies
says once which cities listed no movies).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from scrapy.exceptions import ScrapyDeprecationWarning

from cineradar import compat

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class QuietLogs:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogs:
        compat.quiet_aiohttp_experimental_warning()
        warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated",
                                category=ScrapyDeprecationWarning, module=r"spidermon\.")
        return cls()
