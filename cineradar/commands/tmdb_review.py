"""``scrapy tmdb-review``: the TMDB match review queue (listings scored 50-69 by ``tmdb_match``).

    scrapy tmdb-review                                  # list the queue
    scrapy tmdb-review --json                           # the same, as JSON
    scrapy tmdb-review --accept repertuary:wicked=402431 --reject tix:1980786174982879062
    scrapy tmdb-review --interactive                    # ask, listing by listing

A choice is stored in every configured backend as ``decided_by = "person"`` (status
``matched`` with the chosen id, or ``rejected``); ``tmdb_match`` never touches such a
listing again, even with ``-a force=1``. Exit 2 for a listing that is not in the store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import UsageError

from cineradar.backends import open_backends
from cineradar.commands import ProjectCommand
from cineradar.items import TmdbMatch
from cineradar.storage import MissingStoreError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _listing(text: str) -> tuple[str, str]:
    source, sep, key = text.partition(":")
    if not sep or source not in ("repertuary", "tix") or not key:
        raise UsageError(f"expected repertuary:KEY or tix:KEY, got {text!r}")
    return source, key


def decision(row: dict[str, Any], tmdb_id: int | None, now: dt.datetime) -> dict[str, Any]:
    """The row a person's choice stores: accept ``tmdb_id``, or reject every candidate (None)."""
    chosen = next((c for c in row.get("candidates") or [] if c.get("tmdb_id") == tmdb_id), None)
    if tmdb_id is None:
        status, reason, confidence = "rejected", "every candidate rejected by a person", 0.0
    elif chosen is not None:
        status, confidence = "matched", min(1.0, float(chosen.get("score", 0)) / 100)
        reason = f"accepted by a person (candidate score {chosen.get('score')})"
    else:
        status, reason, confidence = "matched", "set by a person (not among the candidates)", 1.0
    return TmdbMatch.model_validate(row | {
        "tmdb_id": tmdb_id, "status": status, "reason": reason, "confidence": confidence,
        "decided_by": "person", "checked_at": now}).row()


class Command(ProjectCommand):
    usage = "[--json] [--accept SOURCE:KEY=TMDB_ID ...] [--reject SOURCE:KEY ...] [--interactive]"
    summary = "List the TMDB match review queue; accept a candidate or reject all"
    description = (
        "Lists the cinema listings whose TMDB match was uncertain (confidence 50-69), each with every "
        "candidate and its score. --accept SOURCE:KEY=TMDB_ID matches a listing to a movie (any TMDB id, "
        "not only a candidate), --reject SOURCE:KEY says none of the candidates is right; both repeat, so "
        "a script can decide many at once. --interactive asks listing by listing. SOURCE is repertuary "
        "(KEY: the film's slug) or tix (KEY: the TIX.id movie id). A choice is stored in every storage "
        "backend and no later automatic matching run changes it, even a forced one."
    )
    exit_status = ("0  listed, or every choice stored", "1  storage could not be opened or written",
                   "2  a listing given is not in the store (nothing stored)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="print the queue as JSON")
        parser.add_argument("--accept", action="append", default=[], metavar="SOURCE:KEY=TMDB_ID",
                            help="match the listing to this TMDB id (repeatable)")
        parser.add_argument("--reject", action="append", default=[], metavar="SOURCE:KEY",
                            help="reject every candidate of the listing (repeatable)")
        parser.add_argument("--interactive", action="store_true", help="ask for each listing in the queue")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        choices: list[tuple[tuple[str, str], int | None]] = []
        for text in opts.accept:
            listing, sep, ident = text.rpartition("=")
            if not sep or not ident.isdigit():
                raise UsageError(f"--accept expects SOURCE:KEY=TMDB_ID, got {text!r}")
            choices.append((_listing(listing), int(ident)))
        choices += [(_listing(text), None) for text in opts.reject]
        try:
            backends = open_backends(settings, create=False)
        except MissingStoreError:
            raise  # ProjectCommand: one line, exit 1
        except Exception as exc:  # noqa: BLE001 - one line for the user, not a traceback
            print(f"tmdb-review: storage could not be opened ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        try:
            rows = {(r["listing_source"], r["listing_key"]): r for r in backends[0].fetch(TmdbMatch.entity)}
            queue = sorted((r for r in rows.values() if r["status"] == "needs_review"),
                           key=lambda r: (r["listing_source"], r["listing_key"]))
            if opts.interactive:
                choices += _ask(queue)
            elif not choices:
                _print(queue, as_json=opts.json)
                return 0
            missing = [f"{source}:{key}" for (source, key), _ in choices if (source, key) not in rows]
            if missing:
                print(f"tmdb-review: no match stored for {', '.join(missing)}: nothing stored", file=sys.stderr)
                return 2
            now = dt.datetime.now(dt.UTC)
            new_rows = [decision(rows[key], tmdb_id, now) for key, tmdb_id in choices]
            for backend in backends:
                backend.upsert(TmdbMatch.entity, new_rows)
        except Exception as exc:  # noqa: BLE001
            print(f"tmdb-review: storage failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        finally:
            for backend in backends:
                backend.close()
        for row in new_rows:
            print(f"{row['listing_source']}:{row['listing_key']} -> {row['status']} {row['tmdb_id'] or ''}".rstrip())
        return 0


def _print(queue: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(queue, ensure_ascii=False, default=str, indent=1))
        return
    print(f"{len(queue)} listings to review")
    for row in queue:
        print(f"\n{row['listing_source']}:{row['listing_key']}  {row['listing_title']!r}  ({row.get('reason')})")
        for i, c in enumerate(row.get("candidates") or [], 1):
            print(f"  {i}. {c.get('tmdb_id'):>8}  {c.get('score'):>6}  {c.get('title')} / {c.get('original_title')}"
                  f" ({c.get('year')})")


def _ask(queue: list[dict[str, Any]]) -> list[tuple[tuple[str, str], int | None]]:
    choices: list[tuple[tuple[str, str], int | None]] = []
    for row in queue:
        _print([row], as_json=False)
        answer = input("number to accept, r to reject all, Enter to skip, q to stop: ").strip().lower()
        candidates = row.get("candidates") or []
        key = (row["listing_source"], row["listing_key"])
        if answer == "q":
            break
        if answer == "r":
            choices.append((key, None))
        elif answer.isdigit() and 1 <= int(answer) <= len(candidates):
            choices.append((key, int(candidates[int(answer) - 1]["tmdb_id"])))
    return choices
