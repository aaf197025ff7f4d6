"""Stored text printed to a terminal carries no control character (cineradar/terminal.py).

A title with an escape sequence (set the window title, clear the screen) is stored through the
real SQLite backend and printed by a real ``scrapy stored``: the output has the escapes written
out, and not one control byte.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cineradar.terminal import printable
from tests.conftest import ROOT, open_store

HOSTILE = "Diuna\x1b]0;pwned\x07\x1b[2J\u202eevil\r\n\x9b31m"


@pytest.mark.e2e
def test_scrapy_stored_prints_no_control_character(tmp_path):
    store = open_store(tmp_path / "c.db")
    store.upsert("repertuary_films", [{"city": "krakow", "slug": "diuna", "title_pl": HOSTILE,
                                       "original_title": "Dune"}])
    store.close()
    proc = subprocess.run([sys.executable, "-m", "scrapy", "stored", "-s", f"SQLITE_PATH={tmp_path / 'c.db'}",
                           "--sample", "1"], cwd=ROOT, capture_output=True, timeout=120, check=False,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "title_pl=Diuna\\x1b]0;pwned\\x07" in out, out
    controls = [c for c in out if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]
    assert controls == [], controls


def test_printable_keeps_text_and_escapes_only_controls():
    assert printable("Zażółć gęślą jaźń — 東京 😀") == "Zażółć gęślą jaźń — 東京 😀"
    assert printable("a\tb\x00c\x7fd\u2066\x9b") == "a\\x09b\\x00c\\x7fd\\u2066\\x9b"
