"""Exceptions the crawl's rooms share: raised by a middleware, recognised by the spiders' errbacks.

Here, beside both rooms rather than in either, so that no import arrow runs from the spiders to the
middlewares (tests/test_layers.py); cineradar/tls.py stays free of Scrapy for the auth client."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CertificateRejected(IgnoreRequest):
    """The request's host showed a certificate that did not verify (the crawl has failed)."""
