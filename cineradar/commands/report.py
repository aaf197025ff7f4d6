"""``scrapy report``: one day's self-contained HTML report (cineradar/web/report.py)."""
from __future__ import annotations

from cineradar.commands import ProjectCommand


class Command(ProjectCommand):
    summary = "Write one day's report as a self-contained HTML file"
