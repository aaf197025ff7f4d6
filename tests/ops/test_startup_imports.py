"""Start-up of a `scrapy` command: heavy libraries are imported only by the code that uses them.

Every `scrapy ...` imports the project's settings, every command module (Scrapy lists them
all) and every spider module (the spider loader). A library imported at the top of one of
those is paid by every command, `scrapy list` included; here none of the heavy ones is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Storage clients, the login browser, monitors, date/fuzzy parsing, the timeline's HTTP and cron,
# the aiohttp handler (tix_seats only), the public suffix list (site_rate, hosts without a mapping).
HEAVY = ("spidermon", "google", "grpc", "playwright", "pyarrow", "psycopg", "tldextract", "dateparser", "rapidfuzz",
         "croniter", "requests", "aiohttp")

LOADED = """
import atexit, json, sys
HEAVY = {heavy!r}
def report():
    found = sorted({{m.split(".")[0] for m in sys.modules}} & set(HEAVY))
    sys.__stderr__.write("LOADED " + json.dumps(found) + "\\n")
"""


def _loaded(code: str) -> list[str]:
    script = LOADED.format(heavy=HEAVY) + code
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    lines = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, done.stderr[-2000:]
    return json.loads(lines[-1].removeprefix("LOADED "))


@pytest.mark.e2e
def test_settings_and_spider_list_import_no_heavy_library():
    loaded = _loaded("""
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
import cineradar.settings
names = SpiderLoader.from_settings(get_project_settings()).list()
assert "tix_seats" in names and "repertuary" in names, names
report()
""")
    assert loaded == []


@pytest.mark.e2e
def test_scrapy_list_imports_no_heavy_library():
    """The whole command, its command modules (timeline, tix-token, ...) included."""
    loaded = _loaded("""
atexit.register(report)
sys.argv = ["scrapy", "list"]
from scrapy.cmdline import execute
execute()
""")
    assert loaded == []


@pytest.mark.e2e
def test_a_crawls_components_import_no_spidermon():
    """Every extension, pipeline and middleware a crawl loads at start: Spidermon (jsonschema and
    its factories, about 0.3 s) is imported only when its monitors run, at spider close."""
    loaded = _loaded("""
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
for name in ("EXTENSIONS", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
    for path, order in settings.getwithbase(name).items():
        if order is not None:
            load_object(path)
report()
""")
    assert "spidermon" not in loaded, loaded
