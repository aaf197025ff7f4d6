"""Every distribution installed in the venv is pinned (==) in requirements.txt or
requirements-dev.txt, at the version installed; pip itself is pinned in scripts/setup.

An unpinned transitive package is whatever the index serves on the day of the install: a
compromised or broken release would reach Scrapyd's jobs unreviewed.
"""

from __future__ import annotations

import importlib.metadata
import re

from tests.conftest import ROOT


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    found = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            match = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==(\S+)", line.split("#", 1)[0].strip())
            if match:
                found[canonical(match.group(1))] = match.group(3)
    return found


def test_every_installed_distribution_is_pinned_at_its_version():
    pinned = pins()
    pip_pin = re.search(r"pip install -q pip==(\S+)", (ROOT / "scripts/setup").read_text())
    assert pip_pin, "scripts/setup does not pin pip"
    pinned["pip"] = pip_pin.group(1)
    installed = {canonical(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    installed.pop("cineradar", None)  # the project itself (editable)
    wrong = {name: (version, pinned.get(name)) for name, version in installed.items() if pinned.get(name) != version}
    assert wrong == {}, "installed (version, pin): " + repr(wrong)


def test_every_requirement_line_is_an_exact_pin():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            text = line.split("#", 1)[0].strip()
            assert not text or text.startswith("-r ") or "==" in text, f"{name}: {line!r} is not pinned with =="
