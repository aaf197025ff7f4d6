"""The day's plan from timeline.toml (cineradar/timeline.py) and `scrapy timeline --dry-run`."""

from __future__ import annotations

import argparse
import datetime as dt
import re

import pytest
from scrapy.settings import Settings

from cineradar import timeline
from cineradar.commands.timeline import Command
from tests.conftest import ROOT

SUNDAY, MONDAY = dt.date(2026, 1, 18), dt.date(2026, 1, 19)


@pytest.fixture
def schedule():
    return timeline.load(ROOT / "timeline.toml")


def names_at(jobs, hhmm):
    return [j.name for j in jobs if j.at and j.at.strftime("%H:%M") == hhmm]


def test_the_originals_morning_in_wib(schedule):
    jobs = timeline.plan(schedule, MONDAY)
    assert all(j.at is None or j.at.utcoffset() == dt.timedelta(hours=7) for j in jobs)
    assert names_at(jobs, "05:50") == ["token_check"]
    assert names_at(jobs, "06:00") == [f"tix_movies[{i}/9]" for i in range(9)] + ["tmdb_quick@06:00"]
    order = [j.name for j in jobs]
    assert order.index("token_check") < order.index("tix_movies[0/9]")
    # The morning seats wait for every movie batch and come right after them, in batch order.
    seats = [j for j in jobs if j.group == "tix_seats_morning"]
    assert [j.args["batch"] for j in seats] == [f"{i}/9" for i in range(9)]
    assert all(j.at is None and j.after == ("tix_movies",) for j in seats)
    assert order.index("tix_seats_morning[0/9]") == order.index("tix_movies[8/9]") + 1


def test_summary_is_for_yesterday_and_tmdb_full_only_on_sunday(schedule):
    monday = timeline.plan(schedule, MONDAY)
    summary = next(j for j in monday if j.group == "daily_summary")
    assert summary.at.strftime("%H:%M") == "00:05" and summary.command == "daily-summary --date 2026-01-18"
    assert not any(j.group == "tmdb_full" for j in monday)
    sunday = timeline.plan(schedule, SUNDAY)
    assert [j.at.strftime("%H:%M") for j in sunday if j.group == "tmdb_full"] == ["02:00"]
    assert [j.at.strftime("%H:%M") for j in monday if j.group == "tmdb_quick"] == ["00:00", "06:00", "12:00", "18:00"]


def test_jit_and_final_seat_jobs_through_the_day(schedule):
    jobs = timeline.plan(schedule, MONDAY)
    final = [j for j in jobs if j.group == "tix_seats_final"]
    assert len(final) == 16 * 12 and final[0].at.strftime("%H:%M") == "08:00"
    assert final[-1].at.strftime("%H:%M") == "23:55" and final[0].args["mode"] == "final"
    assert len({j.name for j in jobs}) == len(jobs)  # every job of the day has its own name


def test_repertuary_per_city_then_matching(schedule):
    jobs = timeline.plan(schedule, MONDAY)
    cities = [j.args["city"] for j in jobs if j.group == "repertuary"]
    assert cities == sorted(cities) and "krakow" in cities
    order = [j.name for j in jobs]
    assert order.index("tmdb_match_repertuary") > max(order.index(f"repertuary[{c}]") for c in cities)
    assert order.index("tmdb_match_tix") > order.index("tix_seats_morning[8/9]")
    assert {c for c in cities} == {"krakow", "warszawa", "wroclaw", "poznan", "gdansk"}


@pytest.mark.parametrize(("text", "error"), [
    ('[[job]]\nname = "a"\nspider = "x"\ncron = "61 * * * *"\n', "invalid cron"),
    ('[[job]]\nname = "a"\nspider = "x"\nafter = ["nope"]\n', "unknown jobs"),
    ('[[job]]\nname = "a"\ncron = "0 6 * * *"\n', "exactly one of spider or command"),
])
def test_bad_schedules_are_refused(tmp_path, text, error):
    (tmp_path / "t.toml").write_text(text)
    with pytest.raises(timeline.ScheduleError, match=error):
        timeline.load(tmp_path / "t.toml")


def run_command(capsys, *argv):
    settings = Settings({"TIMELINE_FILE": str(ROOT / "timeline.toml")})
    command = Command()
    command.settings = settings
    parser = argparse.ArgumentParser()
    command.add_options(parser)
    code = command.main(settings, parser.parse_args(list(argv)))
    return code, capsys.readouterr().out


def test_dry_run_prints_the_plan(capsys):
    code, out = run_command(capsys, "--dry-run", "--date", str(MONDAY))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("timeline for 2026-01-19 (Asia/Jakarta), ")
    assert any("05:50  token_check" in line and "tix-token --refresh --min-ttl 25" in line for line in lines)
    assert any("after tix_movies  tix_seats_morning[0/9]" in line for line in lines)


def test_date_without_dry_run_is_a_usage_error(capsys):
    code, out = run_command(capsys, "--date", str(MONDAY))
    assert code == 2


def spider_args_models():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name).args_model for name in loader.list()}


@pytest.mark.parametrize("day", [SUNDAY, MONDAY])
def test_every_planned_job_is_valid_for_its_spider(schedule, day):
    models = spider_args_models()
    now = dt.datetime.combine(day, dt.time(8), dt.timezone(dt.timedelta(hours=7))).isoformat()
    for job in timeline.plan(schedule, day):
        if job.spider:
            assert job.spider in models, job.name
            args = {k: v.replace("{now}", now) for k, v in job.args.items()}
            parsed = models[job.spider].parse(job.spider, args, today=day)  # planned for that day: its today
            assert not parsed.unknown, (job.name, parsed.unknown)
        else:
            assert job.command and job.command.split()[0] in {"tix-token", "daily-summary", "report"}


def test_crontab_is_the_same_timeline(schedule, capsys):
    code, out = run_command(capsys, "--crontab")
    assert code == 0
    lines = [line for line in out.splitlines() if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert "CRON_TZ=Asia/Jakarta" in out.splitlines()
    crons = {spec["name"]: spec["cron"] for spec in schedule["job"] if spec.get("cron")}
    assert len(lines) == len(crons)
    firsts = {re.search(r"([\w-]+) -- ", line).group(1): line for line in lines}
    assert {name: line.split("  ")[0].strip() for name, line in firsts.items()} == crons
    movies = firsts["tix_movies"]
    # The batches side by side in one job runner, then the dependents once they have all ended (`;`).
    assert "--batches 9 tix_movies -- crawl tix_movies" in movies and "&&" not in movies.split("{", 1)[1]
    assert all(len(line) < 1000 for line in lines)  # vixie-derived crons cap a command near 1000 bytes
    assert movies.index("--batches 9 tix_movies --") < movies.index(
        "--batches 9 --after tix_movies tix_seats_morning -- crawl tix_seats -a mode=morning") < movies.index(
        "--after tix_movies tmdb_match_tix -- crawl tmdb_match -a source=tix")
    assert "'date={date}'" in movies  # filled when the job starts, in the schedule's timezone
    assert "tmdb_match_repertuary -- crawl tmdb_match -a source=repertuary" in firsts["repertuary"]
    assert "daily_summary -- daily-summary --date '{yesterday}'" in firsts["daily_summary"]
    assert "--timeout 14 tix_seats_jit" in firsts["tix_seats_jit"]
