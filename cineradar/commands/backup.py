"""``scrapy backup DEST``: a consistent copy of the SQLite store while crawls keep writing.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the pages of a live database
as of one moment, which a plain ``cp`` of a store being written (and of its -wal file) does not.
The copy is written next to DEST under a temporary name, readable by its owner only (the store
holds the TIX.id tokens), checked with ``PRAGMA integrity_check`` and only then renamed to DEST,
so DEST is either the previous good backup or the new one. PostgreSQL: pg_dump (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cineradar.commands import ProjectCommand

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class Command(ProjectCommand):
    usage = "DEST [--store FILE]"
    summary = "Copy the SQLite store to DEST consistently while it is in use (online backup API)"
    description = (
        "Copies the SQLite store (SQLITE_PATH, or --store) to DEST with SQLite's online backup API, "
        "so crawls may keep writing meanwhile; the copy is checked (PRAGMA integrity_check), made "
        "readable by its owner only and renamed into place only when whole. DEST may be a folder: "
        "the copy is then named cineradar-YYYYMMDDTHHMMSS.db. For PostgreSQL use pg_dump "
        "(see the operations guide in docs)."
    )
    exit_status = ("0  backup written (its path on stdout)", "1  the store does not exist or the copy failed",
                   "2  usage error")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("dest", metavar="DEST", help="the backup file, or a folder to put it in")
        parser.add_argument("--store", default=None, metavar="FILE", help="the store (default SQLITE_PATH)")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        import datetime as dt

        source = Path(opts.store or settings.get("SQLITE_PATH"))
        if not source.is_file():
            print(f"backup: no SQLite store at {source}: nothing copied", file=sys.stderr)
            return 1
        dest = Path(opts.dest)
        if dest.is_dir():
            dest = dest / f"cineradar-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.db"
        try:
            backup(source, dest)
        except (OSError, sqlite3.Error) as exc:
            print(f"backup: {source} -> {dest} failed: {exc}", file=sys.stderr)
            return 1
        print(dest)
        return 0


def backup(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` through the online backup API, checked, atomically, mode 600."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")  # mode 600
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
                problems = out.execute("PRAGMA integrity_check").fetchall()
                if problems != [("ok",)]:
                    raise sqlite3.DatabaseError(f"integrity_check of the copy: {problems[:3]}")
            finally:
                out.close()
        finally:
            src.close()
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
