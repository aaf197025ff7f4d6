"""The spool file on its own: what append writes, what replay writes back, marks and refuses,
and what it keeps (blank and torn lines, order, file modes). A recording backend stands in."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest

from cineradar.storage.base import RejectedDataError, StorageError
from cineradar.storage.spool import Spool, upsert_bisecting

WHEN = dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)


class Recorder:
    """Keeps every upsert and mark; refuses rows whose "bad" field is set, fails when told."""

    name = "rec"

    def __init__(self, fail: Exception | None = None) -> None:
        self.upserts: list[tuple[str, list[dict]]] = []
        self.marks: list[tuple[str, list[str], dt.datetime]] = []
        self.fail = fail

    def upsert(self, entity, rows):
        if self.fail:
            raise self.fail
        if any(r.get("bad") for r in rows):
            raise RejectedDataError(f"bad row in {len(rows)}")
        self.upserts.append((entity, list(rows)))
        return len(rows)

    def mark_seen(self, source, keys, when):
        self.marks.append((source, list(keys), when))


def rows(n, start=0):
    return [{"id": i} for i in range(start, start + n)]


def test_append_writes_one_record_per_row_with_its_seen_mark(tmp_path):
    spool = Spool(tmp_path / "spool", "rec")
    spool.append("films", rows(2), [("repertuary", "films:0", WHEN), None])
    lines = [json.loads(line) for line in spool.path.read_text().splitlines()]
    assert lines == [{"entity": "films", "row": {"id": 0}, "seen": ["repertuary", "films:0", WHEN.isoformat()]},
                     {"entity": "films", "row": {"id": 1}}]
    assert spool.exists() and spool.count() == 2
    assert spool.pending() == {"films": rows(2)}


def test_files_are_private(tmp_path):
    spool = Spool(tmp_path / "spool", "rec")
    spool.append("films", rows(1))
    assert stat.S_IMODE(os.stat(spool.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(spool.directory).st_mode) == 0o700
    assert spool.lock_path == tmp_path / "spool" / "rec.lock"
    assert spool.rejected_path == tmp_path / "spool" / "rec.rejected.jsonl"
    assert spool.corrupt_path == tmp_path / "spool" / "rec.jsonl.corrupt"


def test_a_blank_line_loses_no_later_row(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.append("films", rows(1))
    with spool.path.open("a") as fh:
        fh.write("\n   \n")
    spool.append("films", rows(2, start=1))
    backend = Recorder()
    assert spool.replay(backend) == 3
    assert [r["id"] for _, batch in backend.upserts for r in batch] == [0, 1, 2]
    assert not spool.path.exists() and not spool.corrupt_path.exists()


def test_a_torn_line_is_kept_aside_and_the_next_append_starts_a_new_line(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.append("films", rows(1))
    with spool.path.open("a") as fh:
        fh.write('{"entity": "films", "ro')   # a crash mid-append
    spool.append("films", rows(1, start=1))
    for junk in ('["a list"]', '{"entity": 3, "row": {}}', '{"entity": "films", "row": []}',
                 '{"entity": "films", "row": {}, "seen": ["only source"]}'):
        with spool.path.open("a") as fh:
            fh.write(junk + "\n")
    assert spool.count() == 2
    backend = Recorder()
    assert spool.replay(backend) == 2
    corrupt = spool.corrupt_path.read_text().splitlines()
    assert corrupt[0] == '{"entity": "films", "ro' and len(corrupt) == 5
    assert not spool.path.exists()


def test_replay_writes_in_batches_in_order_and_marks_what_it_wrote(tmp_path):
    spool = Spool(tmp_path, "rec")
    later = WHEN + dt.timedelta(hours=1)
    spool.append("films", rows(5), [("repertuary", f"films:{i}", WHEN if i < 3 else later) for i in range(5)])
    backend = Recorder()
    assert spool.replay(backend, batch_size=2) == 5
    assert [[r["id"] for r in batch] for _, batch in backend.upserts] == [[0, 1], [2, 3], [4]]
    assert backend.marks == [("repertuary", ["films:0", "films:1"], WHEN), ("repertuary", ["films:2"], WHEN),
                             ("repertuary", ["films:3"], later), ("repertuary", ["films:4"], later)]
    assert spool.last_rejected == 0


def test_replay_sets_refused_rows_aside_and_marks_only_the_others(tmp_path):
    spool = Spool(tmp_path, "rec")
    batch = rows(4)
    batch[2]["bad"] = True
    spool.append("films", batch, [("repertuary", f"k{i}", WHEN) for i in range(4)])
    backend = Recorder()
    assert spool.replay(backend) == 3
    assert spool.last_rejected == 1
    assert sorted(k for _, keys, _ in backend.marks for k in keys) == ["k0", "k1", "k3"]
    rejected = [json.loads(line) for line in spool.rejected_path.read_text().splitlines()]
    assert rejected == [{"entity": "films", "row": {"id": 2, "bad": True}, "error": "bad row in 1"}]
    assert spool.rejected_count() == 1 and not spool.path.exists()


def test_a_failed_replay_keeps_the_file_untouched(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.append("films", rows(3))
    before = spool.path.read_bytes()
    with pytest.raises(StorageError):
        spool.replay(Recorder(fail=StorageError("down")))
    assert spool.path.read_bytes() == before
    assert spool.rejected_count() == 0 and not spool.rejected_path.exists()


def test_an_empty_spool_replays_nothing(tmp_path):
    spool = Spool(tmp_path, "rec")
    assert not spool.exists() and spool.count() == 0 and spool.replay(Recorder()) == 0


def test_bisecting_isolates_each_refused_row_and_writes_the_rest():
    backend = Recorder()
    batch = rows(7)
    batch[1]["bad"] = batch[5]["bad"] = True
    written, refused = upsert_bisecting(backend, "films", batch)
    assert written == 5
    assert [i for i, _ in refused] == [1, 5] and all(e == "bad row in 1" for _, e in refused)
    assert upsert_bisecting(backend, "films", []) == (0, [])


def test_a_drivers_os_error_is_an_outage():
    with pytest.raises(StorageError, match="rec upsert into films failed: disk gone"):
        upsert_bisecting(Recorder(fail=OSError("disk gone")), "films", rows(1))


def test_text_is_written_as_is_and_appends_add_no_blank_lines(tmp_path):
    spool = Spool(tmp_path, "rec")
    assert spool.last_rejected == 0
    spool.append("films", [{"title": "Amélie"}])
    spool.append("films", [{"title": "Zoë"}])
    assert spool.path.read_text(encoding="utf-8") == (
        '{"entity": "films", "row": {"title": "Amélie"}}\n{"entity": "films", "row": {"title": "Zoë"}}\n')


def test_refused_rows_are_kept_readable_with_odd_values(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.reject("films", [({"title": "Zoë", "at": WHEN}, "bad")])
    assert spool.rejected_path.read_text(encoding="utf-8") == (
        '{"entity": "films", "row": {"title": "Zoë", "at": "2026-11-21 06:00:00+00:00"}, "error": "bad"}\n')


def test_undecodable_and_unterminated_lines_are_kept_byte_for_byte(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.append("films", rows(1))
    with spool.path.open("ab") as fh:
        fh.write(b"\xff\xfe not utf-8\n{torn")
    assert spool.replay(Recorder()) == 1
    assert spool.corrupt_path.read_bytes() == b"\xff\xfe not utf-8\n{torn\n"


def test_replay_counts_refused_rows_over_every_entity_in_batches_of_500(tmp_path):
    spool = Spool(tmp_path, "rec")
    spool.append("films", rows(501))
    spool.append("films", [{"id": "x", "bad": True}])
    spool.append("cinemas", [{"id": "y", "bad": True}])
    backend = Recorder()
    assert spool.replay(backend) == 501
    assert [(entity, len(batch)) for entity, batch in backend.upserts][:2] == [("films", 500), ("films", 1)]
    assert spool.last_rejected == 2
    assert spool.replay(Recorder()) == 0 and spool.last_rejected == 0
