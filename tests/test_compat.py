"""The fences of cineradar/compat.py: each fails here, by name, when an upgrade moves what it relies on.
(The Firestore one needs the emulator: tests/storage/test_compat_firestore.py.)"""

from __future__ import annotations

import importlib
import inspect
import logging

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.utils.misc import load_object

from cineradar import compat, handlers
from cineradar.spiders.tix_seats import TixSeatsSpider


def test_scrapy_still_has_its_aiohttp_download_handler_at_the_fenced_path():
    handler = load_object(compat.AIOHTTP_DOWNLOAD_HANDLER)  # ImportError/NameError: Scrapy moved it
    assert isinstance(handler, type) and issubclass(handler, BaseDownloadHandler), handler
    assert handler.__name__ == "AiohttpDownloadHandler"
    # compat.py says Scrapy logs it as experimental; when it stops being so, the note (and maybe a
    # public path) should be revisited.
    assert handler.experimental is True


def test_tix_seats_downloads_through_the_fenced_handler_by_default_and_twisted_on_request(make_crawler):
    crawler = make_crawler(TixSeatsSpider)
    assert crawler.settings.getdict("DOWNLOAD_HANDLERS")["https"] == handlers.AIOHTTP  # Scrapy's + TLS_CA_FILE
    assert issubclass(load_object(handlers.AIOHTTP), load_object(compat.AIOHTTP_DOWNLOAD_HANDLER))
    twisted = make_crawler(TixSeatsSpider, TIX_SEATS_HTTP_HANDLER="twisted")
    assert twisted.settings.getdict("DOWNLOAD_HANDLERS")["https"] == handlers.HTTP11


async def test_scrapy_handlers_still_keep_the_tls_objects_the_ca_setting_extends(make_crawler, tmp_path):
    # compat.trust_ca_aiohttp / trust_ca_twisted: _ssl_context and _contextFactory (tests/security has the crawls)
    import trustme

    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    crawler = make_crawler(TixSeatsSpider, TLS_CA_FILE=str(ca_file))
    aio = load_object(handlers.AIOHTTP)(crawler)
    assert aio._ssl_context.cert_store_stats()["x509_ca"] >= 1
    await aio.close()
    twisted = load_object(handlers.HTTP11)(crawler)
    assert type(twisted._contextFactory).__name__ == "Policy"
    assert twisted._contextFactory.creatorForNetloc(b"127.0.0.1", 443) is not None


def test_scrapy_view_still_shows_pages_through_the_overridden_print_response():
    # cineradar/commands/view.py overrides ScrapyView._print_response (private) to say when no
    # browser can show the page; if Scrapy renames it, the override would silently do nothing.
    import inspect

    from scrapy.commands.fetch import Command as ScrapyFetch
    from scrapy.commands.view import Command as ScrapyView

    assert "_print_response" in ScrapyView.__dict__ and "_print_response" in ScrapyFetch.__dict__
    assert "callback=self._print_response" in inspect.getsource(ScrapyFetch.run)


def test_the_aiohttp_experimental_warning_comes_from_the_fenced_logger_and_is_dropped_there(caplog):
    # compat.quiet_aiohttp_experimental_warning filters one logger by the message's end: Scrapy's
    # handler must still say it there, in those words, or the filter silently stops working.
    module = importlib.import_module(compat.AIOHTTP_EXPERIMENTAL_LOGGER)
    assert module.logger.name == compat.AIOHTTP_EXPERIMENTAL_LOGGER
    assert "is experimental and is not recommended for production use." in inspect.getsource(module)
    assert load_object(compat.AIOHTTP_DOWNLOAD_HANDLER).experimental is True
    caplog.set_level(logging.INFO, logger=compat.AIOHTTP_EXPERIMENTAL_LOGGER)
    earlier = module.logger.filters[:]  # a crawler built by an earlier test may have installed (and used) it
    for f in earlier:
        module.logger.removeFilter(f)
    compat.quiet_aiohttp_experimental_warning()
    compat.quiet_aiohttp_experimental_warning()  # idempotent: one filter
    try:
        for _ in range(2):  # once per scheme (http, https)
            module.logger.warning(f"AiohttpDownloadHandler {compat.AIOHTTP_EXPERIMENTAL_MESSAGE}")
        module.logger.warning("another warning of that module")
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            ("INFO", f"AiohttpDownloadHandler {compat.AIOHTTP_EXPERIMENTAL_MESSAGE}"),
            ("WARNING", "another warning of that module")]
        assert len(module.logger.filters) == 1
    finally:
        module.logger.removeFilter(module.logger.filters[0])
        for f in earlier:
            module.logger.addFilter(f)
