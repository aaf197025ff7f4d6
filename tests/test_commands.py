"""The project's commands: each listed once by `scrapy -h`, each -h written for users, and the
`crawl` override (its exit code) working from a Scrapyd egg, where no entry point is installed."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS: dict[str, str] = next(  # setup.py's table of entry points: command -> module
    ast.literal_eval(node.value) for node in ast.parse((ROOT / "setup.py").read_text()).body
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMMANDS")

OURS = [*COMMANDS, "crawl"]
ENV = os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


def scrapy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.e2e
def test_every_command_is_listed_once_under_its_hyphenated_name():
    result = scrapy("-h")
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  (\S+)\s", result.stdout, flags=re.MULTILINE)
    for name in OURS:
        assert listed.count(name) == 1, (name, listed)
    modules = {module for name, module in COMMANDS.items() if module != name}  # e.g. daily_summary
    assert not modules & set(listed), "a command module is also listed under its module name"


@pytest.mark.parametrize("name", OURS)
@pytest.mark.e2e
def test_help_is_written_for_users(name):
    result = scrapy(name, "-h")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    description = text.split("\nOptions\n=======")[0].split("\n\n", 1)[1]  # between the usage and Options
    assert len(description) > 80, text
    assert re.search(r"Exit status:\s+0\b", description), text
    for internal in ("docs/sources", ".md", "tix.md", ".py", "the original"):
        assert internal not in text, (internal, text)


@pytest.mark.e2e
def test_the_crawl_exit_code_works_from_a_scrapyd_egg(tmp_path):
    subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "--dist-dir", str(tmp_path / "eggs")], cwd=ROOT,
                   check=True, capture_output=True)
    (egg,) = (tmp_path / "eggs").glob("cineradar-*.egg")
    run = tmp_path / "run"
    run.mkdir()
    # As scrapyd.runner does: activate the egg, then Scrapy's command line; no project on the path.
    script = ("import sys; from scrapyd.runner import activate_egg; egg = sys.argv.pop(1); activate_egg(egg); "
              "sys.path.insert(0, egg); import cineradar; assert cineradar.__file__.startswith(egg); "
              "from scrapy.cmdline import execute; execute()")
    env = {k: v for k, v in ENV.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    result = subprocess.run([sys.executable, "-c", script, str(egg), "crawl", "repertuary", "-a", "city=atlantis",
                             # As Scrapyd 1.6 passes it: the crawl runs, then fails. A Scrapyd job sets no
                             # -s of its own (cineradar/scrapyd_guard.py): its store is the default, in run/.
                             "-a", "_job=egg-job"],
                            cwd=run, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "crawl FAILED" in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, result.stderr[-3000:]  # Scrapy's own crawl would exit 0
