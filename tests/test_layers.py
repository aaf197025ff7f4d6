"""No import arrow runs from a lower room of cineradar/ to a higher one (issue 18: one arrow ran back up,
middlewares/jwt_auth.py importing the spider base class and spiders/tix_login.py the middleware)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cineradar"
# room -> the rooms it may not import (higher ones): pure code at the bottom, the crawl's runtime
# (pipelines, middlewares, extensions) above it, spiders above those, commands and the web on top.
TOP = {"commands", "web"}
FORBIDDEN = {
    "parsers": {"pipelines", "middlewares", "extensions", "spiders"} | TOP,
    "items": {"pipelines", "middlewares", "extensions", "spiders", "storage"} | TOP,
    "storage": {"pipelines", "middlewares", "extensions", "spiders"} | TOP,
    "auth": {"pipelines", "middlewares", "extensions", "spiders"} | TOP,
    "pipelines": {"spiders"} | TOP,
    "middlewares": {"spiders", "pipelines"} | TOP,
    "extensions": {"spiders", "middlewares"} | TOP,
    "spiders": {"middlewares", "pipelines"} | TOP,
}


def imported_rooms(path: Path) -> set[str]:
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "cineradar" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_no_arrow_runs_up_from(room: str) -> None:
    wrong = {str(p.relative_to(PACKAGE)): sorted(imported_rooms(p) & FORBIDDEN[room])
             for p in (PACKAGE / room).rglob("*.py")}
    assert not {k: v for k, v in wrong.items() if v}
