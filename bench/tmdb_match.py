"""Benchmark: TMDB matching accuracy on the replica's listings, as a confusion table.

    .venv/bin/python bench/tmdb_match.py

Stores every repertuary film (all 29 cities, one listing per film) and every TIX.id movie of
the replica's default preset (the hard cases included: format suffixes, homonyms of another
year, titles in capitals, a listing with no TMDB movie), runs ``scrapy crawl tmdb_match`` and
compares each outcome with the replica's truth. Targets: precision of automatic matches
>= 99 %, automatic recall >= 90 %. The original: 41 % automatic, 25 % review, 34 % no result
(version 1), about 30 % needing review (version 2).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ReplicaProcess, admin, crawl, open_store, workdir  # noqa: E402

from tests.tmdb.matching_truth import confusion, seed_listings  # noqa: E402

BEARER = "eyJhbGciOiJIUzI1NiJ9.replica-read-access-token.signature"  # the replica's default read token
COLUMNS = ("auto_right", "auto_wrong", "review_has_id", "review_no_id", "none_has_id", "none_no_id")


def main() -> int:
    work = workdir()
    with ReplicaProcess("--preset", "default", "--date", "2026-11-21") as replica:
        expected = seed_listings(work / "cineradar.db", admin(replica.urls["tmdb"], "truth"))
        result = crawl(["crawl", "tmdb_match"], work, replica.urls, "tmdb_match", env={"TMDB_READ_TOKEN": BEARER})
        replica.check_alive()
    table = confusion(open_store(work / "cineradar.db").fetch("tmdb_matches"), expected)
    print(f"{'source':12}" + "".join(f"{c:>15}" for c in COLUMNS) + f"{'precision':>11}{'recall':>8}")
    ok = True
    for source in ("repertuary", "tix"):
        row = table[source]
        print(f"{source:12}" + "".join(f"{row.get(c, 0):>15}" for c in COLUMNS)
              + f"{row['precision']:>10}%{row['recall']:>7}%")
        ok &= row["precision"] >= 99 and row["recall"] >= 90
    for wrong in table["wrong"]:
        print("wrong:", wrong)
    print(f"crawl wall {result['wall_s']:.1f} s, {result['stats'].get('downloader/request_count')} TMDB requests")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
