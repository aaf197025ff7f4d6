"""Project-wide policies, checked over every spider and component (the alltheplaces habit)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

import cineradar.spiders
from cineradar.args import SpiderArgs
from cineradar.spiders.base import CineSpider

ROOT = Path(__file__).resolve().parent.parent
SPIDERS = SpiderLoader.from_settings(get_project_settings())
NAMES = sorted(SPIDERS.list())


def test_there_are_spiders():
    assert "repertuary" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_spider_lives_in_a_file_named_after_it(name):
    cls = SPIDERS.load(name)
    assert cls.__module__ == f"cineradar.spiders.{name}"


@pytest.mark.parametrize("name", NAMES)
def test_spider_has_typed_arguments(name):
    cls = SPIDERS.load(name)
    assert issubclass(cls, CineSpider) and issubclass(cls.args_model, SpiderArgs)


@pytest.mark.parametrize("name", NAMES)
def test_spider_uses_async_start_not_start_requests(name):
    cls = SPIDERS.load(name)
    assert "start_requests" not in vars(cls)


@pytest.mark.parametrize("name", NAMES)
def test_spider_accepts_scrapyd_job_argument(name):
    assert SPIDERS.load(name).args_model.parse(name, {"_job": "x"}).unknown == []


@pytest.mark.parametrize("name", NAMES)
def test_spider_has_a_test_that_names_it(name):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    assert f'"{name}"' in sources


def test_every_spider_module_defines_at_most_one_spider():
    for info in pkgutil.iter_modules(cineradar.spiders.__path__):
        module = importlib.import_module(f"cineradar.spiders.{info.name}")
        named = [v for v in vars(module).values()
                 if isinstance(v, type) and issubclass(v, CineSpider) and v.__module__ == module.__name__
                 and getattr(v, "name", None)]
        assert len(named) <= 1, info.name


def pydantic_models(module):
    return [name for name, v in vars(module).items()
            if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == module.__name__]


def test_argument_models_live_in_args_not_in_spider_modules():
    # One place for argument models and their shared validators (cineradar/args/): a spider module
    # defines no pydantic model, and every spider's model comes from cineradar.args.
    for info in pkgutil.iter_modules(cineradar.spiders.__path__):
        models = pydantic_models(importlib.import_module(f"cineradar.spiders.{info.name}"))
        assert not models, f"{info.name} defines {models}: argument models go in cineradar/args/"
    for name in NAMES:
        assert SPIDERS.load(name).args_model.__module__.startswith("cineradar.args."), name


def test_the_argument_model_policy_sees_a_model_in_a_spider_module(tmp_path, monkeypatch):
    # The check above, on a spider module that does define one.
    (tmp_path / "policy_sneaky_spider.py").write_text("from cineradar.args import SpiderArgs\n\n"
                                        "class SneakyArgs(SpiderArgs):\n    x: int = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert pydantic_models(importlib.import_module("policy_sneaky_spider")) == ["SneakyArgs"]


def test_storage_adapters_import_nothing_from_scrapy():
    # storage/ (the adapters, the spool, the writer's policy, the freshness marks) and the settings
    # defaults the Scrapy-free auth code reads through
    for path in [*(ROOT / "cineradar" / "storage").glob("*.py"), ROOT / "cineradar" / "defaults.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("scrapy", "twisted") for n in names), path.name


@pytest.mark.e2e
def test_auth_loads_neither_scrapy_nor_twisted():
    """cineradar/auth is Scrapy-free even through what it imports: checked in a fresh interpreter."""
    code = ("import pkgutil, importlib, sys, cineradar.auth as a\n"
            "[importlib.import_module(f'cineradar.auth.{m.name}') for m in pkgutil.iter_modules(a.__path__)]\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.e2e
def test_storage_loads_neither_scrapy_nor_twisted():
    """cineradar/storage (the writer included) is Scrapy-free even through what it imports."""
    code = ("import pkgutil, importlib, sys, cineradar.storage as s\n"
            "[importlib.import_module(f'cineradar.storage.{m.name}') for m in pkgutil.iter_modules(s.__path__)]\n"
            "import cineradar.defaults as d; d.project_defaults()\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_parsers_are_pure():
    for path in (ROOT / "cineradar" / "parsers").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import scrapy" not in source and "from scrapy" not in source, path.name


def _imports(folder: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(a.name.split(".")[0], path.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(((node.module or "").split(".")[0], path.name))
    return found


def test_the_crawler_never_imports_the_replica():
    assert not {(m, f) for m, f in _imports("cineradar") if m == "replica"}


def test_the_replica_never_imports_the_crawler():
    assert not {(m, f) for m, f in _imports("replica") if m == "cineradar"}


def test_one_pipeline_class_per_file():
    for path in (ROOT / "cineradar" / "pipelines").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        assert len(classes) <= 1, path.name


# Every spider's EFFECTIVE settings (project settings + its custom_settings/update_settings), not
# the project defaults: a spider can loosen any of them. Exceptions are allow-listed with the reason.
ITEM_PIPELINE_EXEMPT = {"tix_login": "makes the token, yields no items"}
RETRY_EXEMPT = {"tix_login": "a failed login is reported, not hammered"}
# Per-slot concurrency above 1 only for APIs whose load the original itself put on them.
API_CONCURRENCY = {"tix_movies": 4, "tix_seats": 32, "tix_login": 1, "tmdb_movies": 16, "tmdb_match": 16, "tmdb_tv": 16}
PROJECT_PIPELINES = set(get_project_settings().getdict("ITEM_PIPELINES"))


def effective_settings(name):
    settings = get_project_settings().copy()
    SPIDERS.load(name).update_settings(settings)
    return settings


@pytest.mark.parametrize("name", NAMES)
def test_every_item_goes_through_every_pipeline(name):
    pipelines = set(effective_settings(name).getdict("ITEM_PIPELINES"))
    assert pipelines == (set() if name in ITEM_PIPELINE_EXEMPT else PROJECT_PIPELINES)


@pytest.mark.parametrize("name", NAMES)
def test_failed_requests_are_retried(name):
    settings = effective_settings(name)
    assert settings.getbool("RETRY_ENABLED") is (name not in RETRY_EXEMPT)
    assert settings.getint("RETRY_TIMES") >= (0 if name in RETRY_EXEMPT else 2)


@pytest.mark.parametrize("name", NAMES)
def test_per_slot_politeness(name):
    settings = effective_settings(name)
    if name in API_CONCURRENCY:
        assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= API_CONCURRENCY[name]
        slots = settings.getdict("DOWNLOAD_SLOTS")
        assert all(slot.get("concurrency", 1) <= API_CONCURRENCY[name] for slot in slots.values())
    else:  # web pages: one request at a time per session slot, at least a second apart
        assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
        assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0


@pytest.mark.parametrize("name", NAMES)
def test_a_stuck_request_times_out(name):
    assert 0 < effective_settings(name).getfloat("DOWNLOAD_TIMEOUT") <= 60


@pytest.mark.parametrize("name", NAMES)
def test_crawls_report_their_outcome(name):
    extensions = effective_settings(name).getdict("EXTENSIONS")
    assert extensions.get("cineradar.extensions.outcome.CrawlOutcome") is not None


def test_the_allow_lists_name_real_spiders():
    assert set(ITEM_PIPELINE_EXEMPT) | set(RETRY_EXEMPT) | set(API_CONCURRENCY) <= set(NAMES)


# ---------------------------------------------------------------- defaults once (issue 18, point 4)
GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getwithbase"}
SETTING_NAME = r"[A-Z][A-Z0-9_]+"
EMPTY = (None, "", 0, 0.0, False)  # `or ""` only normalizes None; it repeats no default


def _settings_names() -> set[str]:
    from cineradar.defaults import project_defaults

    return set(project_defaults())


def _second_defaults(source: str, names: set[str]) -> list[str]:
    """`x.get*("NAME", default)` and `x.get*("NAME") or <value>` where NAME is a setting: a second
    default beside cineradar/settings.py's (an environment variable read with a default is not)."""
    import re

    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        calls: list[tuple[ast.Call, ast.expr | None]] = []
        if isinstance(node, ast.Call):
            default = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "default"), None)
            calls.append((node, default))
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for call, fallback in zip(node.values, node.values[1:], strict=False):
                if isinstance(call, ast.Call) and not (
                        isinstance(fallback, ast.Constant) and fallback.value in EMPTY) and not isinstance(
                        fallback, (ast.Call, ast.Attribute)):
                    calls.append((call, fallback))
        for call, default in calls:
            func = call.func
            if default is None or not isinstance(func, ast.Attribute) or func.attr not in GETTERS or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and re.fullmatch(SETTING_NAME, first.value)):
                continue
            receiver = ast.unparse(func.value)
            if first.value in names or "settings" in receiver.lower():
                found.append(f"line {call.lineno}: {ast.unparse(call)} with default {ast.unparse(default)}")
    return found


def test_no_setting_default_is_written_twice():
    names = _settings_names()
    offenders = {}
    for path in sorted((ROOT / "cineradar").rglob("*.py")):
        if path.name == "settings.py" and path.parent.name == "cineradar":
            continue
        found = _second_defaults(path.read_text(encoding="utf-8"), names)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "read these through cineradar.defaults.defaulted, without a second default"


def test_the_policy_sees_a_second_default():
    names = {"STORAGE_BATCH_SIZE", "TMDB_REGION", "SPLASH_URL"}
    assert len(_second_defaults('settings.getint("STORAGE_BATCH_SIZE", 500)', names)) == 1
    assert len(_second_defaults('self.settings.get("OTHER", default="x")', names)) == 1
    assert len(_second_defaults('str(crawler.settings.get("TMDB_REGION") or "US")', names)) == 1
    assert len(_second_defaults('settings.get("SPLASH_URL") or DEFAULT_SPLASH_URL', names)) == 1
    assert _second_defaults('defaulted(settings).getint("STORAGE_BATCH_SIZE")', names) == []
    assert _second_defaults('settings.get("TMDB_REGION") or ""', names) == []
    assert _second_defaults('os.environ.get("PATH", "/usr/bin")', names) == []
    assert _second_defaults('settings.getfloat("A") or settings.getfloat("B")', names) == []


def test_a_setting_missing_from_bare_settings_reads_settings_py():
    from scrapy.settings import Settings

    from cineradar import settings as project
    from cineradar.defaults import defaulted

    bare = defaulted(Settings())
    assert bare.getint("STORAGE_BATCH_SIZE") == project.STORAGE_BATCH_SIZE
    assert bare.getlist("STORAGE_BACKENDS") == ["sqlite"]
    assert defaulted(Settings({"STORAGE_BATCH_SIZE": "7"})).getint("STORAGE_BATCH_SIZE") == 7
    assert bare.getfloat("DOWNLOAD_TIMEOUT") == Settings().getfloat("DOWNLOAD_TIMEOUT")  # Scrapy's own default held
    with pytest.raises(KeyError, match="NO_SUCH_SETTING has no default in cineradar/settings.py"):
        bare.getint("NO_SUCH_SETTING")
