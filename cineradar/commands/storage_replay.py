"""``scrapy storage-replay``: write the rows the storage spools hold to their backends.

What it does and its exit status: ``Command`` below (``scrapy storage-replay -h`` shows it).
Each replay holds the backend's spool lock (storage/spool.py), so it is safe beside crawls.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cineradar.backends import open_backend
from cineradar.commands import ProjectCommand
from cineradar.defaults import defaulted
from cineradar.storage import BACKENDS
from cineradar.storage.spool import Spool

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", action="append", default=[], choices=sorted(BACKENDS), metavar="NAME",
                        help="replay only this backend's spool (repeatable; all by default)")


def backends_to_replay(settings: BaseSettings, spool_dir: Path, only: list[str]) -> list[str]:
    if only:
        return list(dict.fromkeys(only))
    spooled = [path.stem for path in sorted(spool_dir.glob("*.jsonl")) if path.stem in BACKENDS]
    return list(dict.fromkeys(defaulted(settings).getlist("STORAGE_BACKENDS") + spooled))


def main(settings: BaseSettings, opts: argparse.Namespace, out: TextIO) -> int:
    spool_dir = Path(defaulted(settings).get("STORAGE_SPOOL_DIR"))
    remaining = rejected = unopened = 0
    for name in backends_to_replay(settings, spool_dir, opts.backend):
        spool = Spool(spool_dir, name)
        pending = spool.count()
        if not spool.path.exists():
            out.write(f"{name}: nothing spooled\n")
            continue
        replayed, error = 0, ""
        try:
            backend = open_backend(name, settings, create=False)
            try:
                replayed = spool.replay(backend, defaulted(settings).getint("STORAGE_BATCH_SIZE"))
            finally:
                backend.close()
        except Exception as exc:  # noqa: BLE001 - reported; the rows stay in the spool
            error = f" ({type(exc).__name__}: {exc})"
        unopened += bool(error)  # e.g. a store that does not exist (never created here)
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
    return 1 if remaining or unopened else 3 if rejected else 0


class Command(ProjectCommand):
    default_settings = {"LOG_LEVEL": "WARNING"}
    usage = "[--backend NAME ...]"
    summary = "Replay the storage spools (rows a backend could not take during a crawl); exit 1 if rows remain"
    description = (
        "Writes every row waiting in the storage spools (STORAGE_SPOOL_DIR/<backend>.jsonl, left by "
        "crawls whose backend was down) to its backend, in the order the rows were spooled. Rows are "
        "upserted by their natural key, so running it twice never duplicates anything. Replays the "
        "backends of STORAGE_BACKENDS and any other backend that has a spool file, one line per backend. "
        "Rows a backend refuses as data are set aside in <backend>.rejected.jsonl with the error; "
        "unreadable lines in <backend>.jsonl.corrupt. Safe to run beside crawls."
    )
    exit_status = ("0  every spool written",
                   "1  rows remain (a backend still down, or unreadable lines)",
                   "3  all written but rows a backend refused as data (set aside)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_options(parser)

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        return main(settings, opts, sys.stdout)
