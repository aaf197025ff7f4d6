"""A bare Scrapy spider for bench/tix_seats.py: the same layout URLs, no project code.

    scrapy runspider bench/bare_layouts.py -a urls=urls.json -a out=stats.json (from a folder with no scrapy.cfg)

No project settings, pipelines or middlewares: Scrapy's defaults plus the framework settings
the benchmark passes (concurrency, HTTP handler, reactor). Each answer is decoded as JSON,
nothing more; the stats (elapsed time, 200 answers) are written to ``out`` when it closes.
The benchmark gates the project's rate on this one, measured in the same run on the same machine.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class BareLayouts(scrapy.Spider):
    name = "bare_layouts"

    def __init__(self, urls: str = "", out: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        spec = json.loads(Path(urls).read_text())
        self.urls: list[str] = spec["urls"]
        self.token: str = spec["token"]
        self.out = Path(out)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self.token}"}
        for url in self.urls:
            yield scrapy.Request(url, headers=headers, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        if json.loads(response.body).get("success") is True:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("bare/layouts")

    def closed(self, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        # Measured here, as CoreStats measures the project's: spider opened to spider closed.
        stats["bare/elapsed_s"] = (datetime.now(tz=UTC) - stats["start_time"]).total_seconds()
        self.out.write_text(json.dumps({k: v for k, v in stats.items() if isinstance(v, int | float | str)}))
