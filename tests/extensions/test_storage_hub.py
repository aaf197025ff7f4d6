"""The StorageHub extension: one per crawl, fetched by every component with crawler.get_extension,
and a clear refusal from the components that need it when it is disabled."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured

from cineradar.extensions.storage_hub import PATH, StorageHub
from cineradar.pipelines.freshness import FreshnessPipeline
from cineradar.pipelines.store import StorePipeline


async def test_every_component_gets_the_crawls_one_hub(make_crawler):
    crawler = make_crawler()
    hub = crawler.get_extension(StorageHub)
    assert isinstance(hub, StorageHub)
    assert StorePipeline.from_crawler(crawler).hub is hub
    assert FreshnessPipeline.from_crawler(crawler).hub is hub
    await hub.close()


@pytest.mark.parametrize("component", [StorePipeline, FreshnessPipeline])
def test_a_component_that_needs_the_disabled_hub_says_which_and_how(make_crawler, component):
    crawler = make_crawler(EXTENSIONS={PATH: None})
    assert crawler.get_extension(StorageHub) is None
    with pytest.raises(NotConfigured, match=f"{component.__name__} needs the storage hub.*{PATH} is disabled"):
        component.from_crawler(crawler)
