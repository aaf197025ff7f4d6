"""``scrapy web`` and ``scrapy report``: the collected data as web pages and a daily HTML report.

``queries`` computes what each page shows from the store (``storage.read``), ``app`` serves it
(Flask, Jinja2 templates), ``charts`` draws SVG charts (pygal), ``report`` writes one
self-contained HTML file. Usage and login setup: docs/web.md.
"""
