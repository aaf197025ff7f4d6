"""Project-wide policies, checked over every spider and component (the alltheplaces habit)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
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


def test_storage_adapters_import_nothing_from_scrapy():
    for path in (ROOT / "cineradar" / "storage").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("scrapy", "twisted") for n in names), path.name


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


def test_politeness_floor():
    settings = get_project_settings()
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
