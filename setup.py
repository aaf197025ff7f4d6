"""Packaging for scrapyd-deploy (the egg carries cineradar/ and its data files) and for the
project's own commands: ``scrapy daily-summary`` etc. are entry points (group
``scrapy.commands``), so scripts/setup installs the project into the venv (editable)."""

from setuptools import find_packages, setup

COMMANDS = {  # `scrapy <name>` -> the module holding its Command (cineradar/commands/)
    "backup": "backup",  # SQLite online backup (docs/operations.md)
    "daily-summary": "daily_summary",
    "geocode-review": "geocode_review",  # geocoding (issue 20)
    "storage-replay": "storage_replay",
    "stored": "stored",
    "tix-aggregates": "tix_aggregates",
    "tix-token": "tix_token",
    "timeline": "timeline",
    "tmdb-review": "tmdb_review",
    "view": "view",  # says so when no browser is there (Scrapy's exits 0 silently)
    # --- web view, report, exports (docs/web.md) ---
    "web": "web",
    "report": "report",
    "export": "export",
}

setup(
    name="cineradar",
    version="0.1.0",
    packages=find_packages(include=["cineradar", "cineradar.*"]),
    package_data={"cineradar": ["data/*.json", "lua/*.lua", "js/*.js", "web/templates/*.html", "web/static/*"]},  # lua, js: the Splash login
    entry_points={
        "scrapy": ["settings = cineradar.settings"],
        "scrapy.commands": [f"{name} = cineradar.commands.{module}:Command" for name, module in COMMANDS.items()],
    },
)
