"""``scrapy tmdb-review``: the TMDB match review queue (listings scored 50-69 by ``tmdb_match``).

    scrapy tmdb-review                                  # list the queue
    scrapy tmdb-review --json                           # the same, as JSON
    scrapy tmdb-review --accept repertuary:wicked=402431 --reject tix:1980786174982879062
    scrapy tmdb-review --interactive                    # ask, listing by listing

A choice is stored in every configured backend as ``decided_by = "person"`` (status
``matched`` with the chosen id, or ``rejected``); ``tmdb_match`` never touches such a
listing again, even with ``-a force=1``. Exit 2 for a listing that is not in the store.

``--interactive`` asks with prompt_toolkit: each listing with its cinemas, dates, year and
original title, each candidate with its year, original title, director, runtime and the score's
parts; an answer that is not one of the choices asks again; each decision is stored the moment
it is made, so Ctrl-C or Ctrl-D ends the session keeping every decision taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import UsageError

from cineradar import sources
from cineradar.backends import open_backends
from cineradar.commands import ProjectCommand
from cineradar.items import TmdbMatch
from cineradar.matching import person_decision
from cineradar.storage import MissingStoreError
from cineradar.terminal import printable  # stored text: no escape sequence reaches the terminal

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _listing(text: str) -> tuple[str, str]:
    source, sep, key = text.partition(":")
    known = sources.matchable()  # the sources whose declarations have a matching
    if not sep or source not in known or not key:
        raise UsageError(f"expected {' or '.join(f'{name}:KEY' for name in known)}, got {text!r}")
    return source, key


class Command(ProjectCommand):
    usage = "[--json] [--accept SOURCE:KEY=TMDB_ID ...] [--reject SOURCE:KEY ...] [--interactive]"
    summary = "List the TMDB match review queue; accept a candidate or reject all"
    description = (
        "Lists the cinema listings whose TMDB match was uncertain (confidence 50-69), each with every "
        "candidate and its score. --accept SOURCE:KEY=TMDB_ID matches a listing to a movie (any TMDB id, "
        "not only a candidate), --reject SOURCE:KEY says none of the candidates is right; both repeat, so "
        "a script can decide many at once. --interactive asks listing by listing, showing the listing's "
        "cinemas, dates, year and original title and each candidate's year, original title, director, "
        "runtime and score parts; each answer is stored at once (Ctrl-C or Ctrl-D stops, keeping them). "
        "SOURCE is repertuary (KEY: the film's slug) or tix (KEY: the TIX.id movie id). A choice is stored "
        "in every storage backend and no later automatic matching run changes it, even a forced one."
    )
    exit_status = ("0  listed, or every choice stored (interactive: also when stopped with Ctrl-C/Ctrl-D)",
                   "1  storage could not be opened or written",
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
        new_rows: list[dict[str, Any]] = []
        try:
            rows = {(r["listing_source"], r["listing_key"]): r for r in backends[0].fetch(TmdbMatch.entity)}
            queue = sorted((r for r in rows.values() if r["status"] == "needs_review"),
                           key=lambda r: (r["listing_source"], r["listing_key"]))
            if opts.interactive:
                return Review(backends).run(queue)
            if not choices:
                _print(queue, as_json=opts.json)
                return 0
            missing = [f"{source}:{key}" for (source, key), _ in choices if (source, key) not in rows]
            if missing:
                print(f"tmdb-review: no match stored for {', '.join(missing)}: nothing stored", file=sys.stderr)
                return 2
            now = dt.datetime.now(dt.UTC)
            new_rows = [person_decision(rows[key], tmdb_id, now) for key, tmdb_id in choices]
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
        print(f"\n{printable(row['listing_source'])}:{printable(row['listing_key'])}  "
              f"{printable(repr(row['listing_title']))}  ({printable(row.get('reason'))})")
        for i, c in enumerate(row.get("candidates") or [], 1):
            print(f"  {i}. {c.get('tmdb_id'):>8}  {c.get('score'):>6}  {printable(c.get('title'))} / "
                  f"{printable(c.get('original_title'))} ({c.get('year')})")


# ----------------------------------------------------------------------------- interactive
def _span(dates: list[Any]) -> str:
    days = sorted({str(d) for d in dates if d})
    if not days:
        return "no showtimes stored"
    return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]} ({len(days)} days)"


def _some(names: list[str], limit: int = 4) -> str:
    names = sorted(set(names))
    if not names:
        return "none stored"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def listing_facts(backend: Any, row: dict[str, Any]) -> dict[str, str]:
    """What the store knows of the listing: its cinemas, dates, year and original title."""
    matching = sources.matchable()[row["listing_source"]].matching
    if matching is None or matching.facts is None:
        return {}
    return matching.facts(backend, row)  # each source's declaration knows its own tables


def candidate_facts(backend: Any, candidate: dict[str, Any]) -> dict[str, str]:
    """Year, original title, director, runtime and the score's parts of a candidate; director and
    runtime from the candidate (tmdb_match keeps them) or else from a stored tmdb_movies row."""
    directors, runtime = candidate.get("directors"), candidate.get("runtime")
    if (not directors or not runtime) and candidate.get("tmdb_id"):
        movie: dict[str, Any] = next(iter(backend.fetch("tmdb_movies", {"tmdb_id": candidate["tmdb_id"]})), {})
        directors = directors or [c["name"] for c in movie.get("crew") or [] if c.get("job") == "Director"]
        runtime = runtime or movie.get("runtime")
    parts = candidate.get("parts") or {}
    return {"year": str(candidate.get("year") or "unknown"),
            "original title": str(candidate.get("original_title") or "unknown"),
            "director": ", ".join(directors) if directors else "unknown",
            "runtime": f"{runtime} min" if runtime else "unknown",
            "parts": " ".join(f"{k} {v:.2f}" for k, v in parts.items()) or "none stored"}


class Review:
    """The interactive session: one prompt per listing, each answer stored before the next question."""

    def __init__(self, backends: list[Any]) -> None:
        self.backends = backends
        self.stored = 0

    def show(self, index: int, total: int, row: dict[str, Any]) -> None:
        backend = self.backends[0]
        facts = listing_facts(backend, row)
        print(f"\n[{index}/{total}] {printable(row['listing_source'])}:{printable(row['listing_key'])}  "
              f"{printable(row['listing_title'])}")
        for name, value in facts.items():
            print(f"    {name}: {printable(value)}")
        print(f"    why in review: {printable(row.get('reason'))}")
        for i, c in enumerate(row.get("candidates") or [], 1):
            f = candidate_facts(backend, c)
            print(f"  {i}. TMDB {c.get('tmdb_id')}  score {c.get('score')}  {printable(c.get('title'))}")
            print(f"       original title: {printable(f['original title'])}; year {printable(f['year'])}; "
                  f"director {printable(f['director'])}; runtime {printable(f['runtime'])}")
            print(f"       parts: {printable(f['parts'])}")

    def ask(self, row: dict[str, Any]) -> str:
        from prompt_toolkit import prompt
        from prompt_toolkit.validation import Validator

        count = len(row.get("candidates") or [])
        allowed = {str(i) for i in range(1, count + 1)} | {"r", "s", "q"}
        hint = f"1-{count} to accept, " if count else ""
        validator = Validator.from_callable(lambda text: text.strip().lower() in allowed,
                                            error_message=f"answer {hint}r to reject all, s to skip, q to stop",
                                            move_cursor_to_end=True)
        return str(prompt(f"{hint}r reject all, s skip, q stop: ", validator=validator,
                          validate_while_typing=False)).strip().lower()

    def save(self, row: dict[str, Any], tmdb_id: int | None) -> None:
        new = person_decision(row, tmdb_id, dt.datetime.now(dt.UTC))
        for backend in self.backends:
            backend.upsert(TmdbMatch.entity, [new])
        self.stored += 1
        print(f"stored: {printable(row['listing_source'])}:{printable(row['listing_key'])} -> {new['status']}"
              f"{' ' + str(new['tmdb_id']) if new['tmdb_id'] else ''}", flush=True)

    def run(self, queue: list[dict[str, Any]]) -> int:
        print(f"{len(queue)} listings to review; each answer is stored at once (Ctrl-C or Ctrl-D stops)")
        try:
            for index, row in enumerate(queue, 1):
                self.show(index, len(queue), row)
                answer = self.ask(row)
                if answer == "q":
                    break
                if answer == "r":
                    self.save(row, None)
                elif answer.isdigit():
                    self.save(row, int((row.get("candidates") or [])[int(answer) - 1]["tmdb_id"]))
        except (KeyboardInterrupt, EOFError):
            print("\nstopped")
        print(f"{self.stored} decisions stored; {len(queue) - self.stored} listings left in the queue")
        return 0
