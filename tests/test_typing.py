"""cineradar/ is type-checked with --strict (scripts/test runs mypy; docs/development.md#typing), and the
stubs of our own for untyped libraries (stubs/) say what the pinned libraries really have."""

from __future__ import annotations

import configparser
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_mypy_is_strict_and_ignores_missing_imports_only_per_library():
    config = configparser.ConfigParser()
    config.read(ROOT / "mypy.ini")
    assert config.getboolean("mypy", "strict")
    assert not config.has_option("mypy", "ignore_missing_imports")
    for section in config.sections():
        for option in ("ignore_missing_imports", "ignore_errors", "follow_imports"):
            if config.has_option(section, option):
                # only for a third-party library, never for a module of the project
                assert section.startswith("mypy-") and not section.startswith("mypy-cineradar"), section
    assert config.get("mypy", "mypy_path") == "stubs"


@pytest.mark.e2e
def test_our_stubs_match_the_installed_libraries():
    # mypy's stubtest imports spidermon and scrapyd and compares every name the stubs declare (a name
    # they leave out is not checked: the stubs cover what cineradar uses).
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "spidermon", "scrapyd", "--ignore-missing-stub",
         "--mypy-config-file", "mypy.ini", "--allowlist", "stubs/stubtest-allowlist.txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
