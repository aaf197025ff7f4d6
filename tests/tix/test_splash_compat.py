"""The scrapy-splash shims (cineradar/splash_compat.py): each test pins the upstream fact a shim
works around, so an upstream fix fails here and the shim can go. And the Lua script ships in the egg."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from scrapy.core.downloader import Downloader

from cineradar import splash_compat as compat

ROOT = Path(__file__).resolve().parents[2]


def site_file(module: str) -> str:
    """The source of scrapy_splash.<module>, read without importing it."""
    spec = importlib.util.find_spec("scrapy_splash")
    assert spec is not None and spec.origin is not None
    return (Path(spec.origin).parent / f"{module}.py").read_text()


# Shim 1: canonicalize_url is no longer in scrapy.utils.url, scrapy_splash still imports it from there.
@pytest.mark.e2e
def test_shim1_upstream_scrapy_utils_url_still_lacks_canonicalize_url():
    code = "import scrapy.utils.url; print(hasattr(scrapy.utils.url, 'canonicalize_url'))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_shim1_upstream_scrapy_splash_still_imports_it_from_there():
    for module in ("request", "dupefilter"):
        assert "from scrapy.utils.url import canonicalize_url" in site_file(module)


@pytest.mark.e2e
def test_shim1_makes_scrapy_splash_importable():
    code = ("from cineradar import splash_compat; splash_compat.apply(); import scrapy_splash; "
            "print(scrapy_splash.SplashRequest.__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "SplashRequest", result.stderr[-500:]


# Shim 2: SplashDeduplicateArgsMiddleware has only sync spider output, so it is left out.
def test_shim2_upstream_dedup_middleware_still_has_no_async_output():
    compat.apply()
    from scrapy_splash import SplashDeduplicateArgsMiddleware

    assert not inspect.isasyncgenfunction(SplashDeduplicateArgsMiddleware.process_spider_output)
    assert not hasattr(SplashDeduplicateArgsMiddleware, "process_spider_output_async")


def test_shim2_bundle_leaves_the_dedup_middleware_out():
    assert "SPIDER_MIDDLEWARES" not in compat.SPLASH_SETTINGS
    assert "SplashDeduplicateArgsMiddleware" not in repr(compat.SPLASH_SETTINGS)


# Shim 3: the default PER_DOMAIN slot policy calls Downloader._get_slot_key, which is gone.
def test_shim3_upstream_downloader_still_lacks_get_slot_key():
    assert not hasattr(Downloader, "_get_slot_key")
    assert "downloader._get_slot_key(" in site_file("middleware")


def test_shim3_requests_use_the_single_slot():
    from scrapy_splash import SlotPolicy

    request = compat.splash_request("http://127.0.0.1:1/login", endpoint="execute", args={"lua_source": "x"})
    assert request.meta["splash"]["slot_policy"] == SlotPolicy.SINGLE_SLOT


@pytest.mark.e2e
def test_the_project_applies_no_shim_by_itself():
    """Loading the spiders, the auth package and the Splash renderer leaves Scrapy untouched."""
    code = ("import cineradar.spiders.tix_login, cineradar.auth.manager, cineradar.auth.splash_login, "
            "scrapy.utils.url, sys; print(hasattr(scrapy.utils.url, 'canonicalize_url'), "
            "'scrapy_splash' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["False", "False"], result.stderr[-800:]


# ----------------------------------------------------------------------- package data
@pytest.mark.e2e
def test_lua_script_and_polyfill_load_from_the_built_egg(tmp_path):
    """``setup.py bdist_egg`` (what scrapyd-deploy builds) carries the Lua script, read from the zip."""
    src = tmp_path / "src"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "cineradar", "setup.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes((ROOT / name).read_bytes())
    subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg"], cwd=src, capture_output=True, check=True)
    egg = next((src / "dist").glob("*.egg"))
    names = zipfile.ZipFile(egg).namelist()
    assert {"cineradar/lua/tix_login.lua", "cineradar/js/whatwg-fetch.umd.js"} <= set(names)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from cineradar.auth import splash_login as m; "
            "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
            "print(len(m.lua_source()) > 1000 and 'private_mode_enabled = false' in m.lua_source(), "
            "'g.fetch = fetch' in m.fetch_polyfill())")
    result = subprocess.run([sys.executable, "-c", code, str(egg)], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.split() == ["True", "True"], result.stderr[-800:]
