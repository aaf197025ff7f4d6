"""The logic of ``scrapy storage-replay`` (the command itself is in ``storage-replay.py``).

    scrapy storage-replay [--backend NAME ...]

Writes every row waiting in the storage spools (``STORAGE_SPOOL_DIR/<backend>.jsonl``,
left by crawls whose backend was down) to its backend, in the order they were
spooled; upserts by natural key, so running it twice never duplicates. Replays the
configured STORAGE_BACKENDS plus any other backend that has a spool file. Prints one
line per backend and exits with status 1 when rows remain (backend still down,
unreadable lines moved to ``<backend>.jsonl.corrupt``), 3 when every row was either
written or refused by the backend as data (set aside with the error in
``<backend>.rejected.jsonl``: they no longer block the spool), 0 when every spool
was written. Safe beside running crawls: each replay holds the backend's spool lock.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cineradar.hub import SPECS, backend_options
from cineradar.storage import BACKENDS, build_backend
from cineradar.storage.spool import Spool

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", action="append", default=[], choices=sorted(BACKENDS), metavar="NAME",
                        help="replay only this backend's spool (repeatable; default: all)")


def backends_to_replay(settings: BaseSettings, spool_dir: Path, only: list[str]) -> list[str]:
    if only:
        return list(dict.fromkeys(only))
    spooled = [path.stem for path in sorted(spool_dir.glob("*.jsonl")) if path.stem in BACKENDS]
    return list(dict.fromkeys(settings.getlist("STORAGE_BACKENDS", ["sqlite"]) + spooled))


def main(settings: BaseSettings, opts: argparse.Namespace, out: TextIO) -> int:
    spool_dir = Path(settings.get("STORAGE_SPOOL_DIR", "data/spool"))
    remaining = rejected = 0
    for name in backends_to_replay(settings, spool_dir, opts.backend):
        spool = Spool(spool_dir, name)
        pending = spool.count()
        if not spool.path.exists():
            out.write(f"{name}: nothing spooled\n")
            continue
        replayed, error = 0, ""
        try:
            backend = build_backend(name, backend_options(name, settings))
            try:
                backend.open(SPECS)
                replayed = spool.replay(backend)
            finally:
                backend.close()
        except Exception as exc:  # noqa: BLE001 - reported; the rows stay in the spool
            error = f" ({type(exc).__name__}: {exc})"
        left = spool.count()
        corrupt = spool.corrupt_path.exists()
        remaining += left + int(corrupt)
        rejected += spool.last_rejected
        line = f"{name}: {pending} spooled, {replayed} replayed, {left} remain{error}"
        if spool.last_rejected:
            line += f"; {spool.last_rejected} refused by {name}, kept in {spool.rejected_path}"
        if corrupt:
            line += f"; unreadable lines kept in {spool.corrupt_path}"
        out.write(line + "\n")
    return 1 if remaining else 3 if rejected else 0
