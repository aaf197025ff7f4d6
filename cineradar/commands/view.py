"""``scrapy view``, saying so when there is no web browser to show the page in.

Scrapy's own command hands the page to ``webbrowser.open``, whose False ("no browser") it
ignores: without a browser it printed nothing and exited 0. This one ends with one ERROR
line and exit 1 instead; the page was fetched, ``scrapy fetch URL > page.html`` saves it.
"""

from __future__ import annotations

import argparse
import logging
import webbrowser

from scrapy.commands.view import Command as ScrapyView
from scrapy.http import Response, TextResponse
from scrapy.utils.response import open_in_browser

from cineradar.commands import HelpFormatter
from cineradar.commands.debugging import read_only

logger = logging.getLogger(__name__)


class Command(ScrapyView):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)

    def long_desc(self) -> str:
        return ("Fetch a URL with the project's downloader (TIX.id token and all) and open the page\n"
                "in a web browser, as the spider sees it. Without a browser (none found, BROWSER\n"
                "unset) it says so in one line; `scrapy fetch URL > page.html` saves the page.\n\n"
                "Exit status:\n"
                "  0  the page was handed to a browser\n"
                "  1  no browser to show it in")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter

    def _print_response(self, response: Response, opts: argparse.Namespace) -> None:
        if not isinstance(response, TextResponse):
            super()._print_response(response, opts)  # Scrapy's "Cannot view a non-text response."
            return
        try:
            webbrowser.get()  # the browser BROWSER or the platform names; raises if there is none
            shown = open_in_browser(response)
        except webbrowser.Error:
            shown = False
        if not shown:
            logger.error("scrapy view: no web browser found (set BROWSER, e.g. BROWSER=chromium); "
                         "`scrapy fetch %s > page.html` saves the page instead", response.url)
            self.exitcode = 1
