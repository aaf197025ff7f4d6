"""A certificate that does not verify ends the crawl at once: FAILED, one ERROR line naming the host.

Retrying cannot make a certificate valid, and a host that shows a wrong one is not the host
the crawl was pointed at (a mirror with a private CA, a proxy, an attacker): the first such
failure fails the crawl (cineradar/extensions/outcome.py: run record FAILED, exit 1) and every
request that fails the same way is dropped as ``CertificateRejected`` (an IgnoreRequest), never
retried and never logged again. The TLS handshake fails before any request is sent, so no
header, token or key reached that host. Before the retry middleware (550) in the chain, after
the JWT middleware (560), which forgets its token first.

TLS_CA_FILE is checked here too, when the crawl opens: a path that cannot be used fails the
crawl with one line before any request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from cineradar import tls
from cineradar.crawl_errors import CertificateRejected
from cineradar.extensions import outcome

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

STAT = "cineradar/tls/certificate_rejected"


class TlsFailureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config_error: str | None = None
        try:
            tls.ca_file(crawler.settings)
        except tls.TlsConfigError as exc:
            self.config_error = str(exc)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TlsFailureMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        if self.config_error:
            outcome.fail(self.crawler, self.config_error)

    def process_request(self, request: Request) -> None:
        if self.config_error:
            raise IgnoreRequest(self.config_error)

    def process_exception(self, request: Request, exception: BaseException) -> None:
        reason = tls.certificate_failure(exception)
        if reason is None:
            return
        parsed = urlparse_cached(request)
        host = parsed.netloc or parsed.hostname or request.url
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STAT)
        outcome.fail(self.crawler, f"TLS: the certificate of {host} does not verify ({reason}); nothing was "
                                   f"sent to it and the crawl stops (a private mirror's CA goes in TLS_CA_FILE)")
        raise CertificateRejected(f"the certificate of {host} does not verify")
