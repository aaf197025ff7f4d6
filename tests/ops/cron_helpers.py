"""Running crontab lines as cron does, and a recording stand-in for `scrapy` (a fake, named so):
the cron tests check what the lines start, in which order, with which arguments and environment,
where real crawls would only make them slow (tests/ops/test_crontab_run.py has one real run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

FAKE_SCRAPY = '''#!{python}
"""fake_scrapy: records its arguments and environment, exits 3 (partial) for tix_movies batch 1/3,
waits for SIGTERM when given mode=hang (then exits 3, like Scrapy's graceful stop)."""
import json, os, signal, sys
argv = sys.argv[1:]
record = {{"argv": argv, "cwd": os.getcwd(), "pid": os.getpid(),
          "env": {{k: v for k, v in os.environ.items() if k.startswith("CR_")}}}}
def write(event, **more):
    with open(os.environ["FAKE_SCRAPY_RECORD"], "a") as f:
        f.write(json.dumps(record | {{"event": event}} | more) + "\\n")
write("start")
print("fake scrapy ran:", " ".join(argv), flush=True)
code = 3 if "tix_movies" in argv and "batch=1/3" in argv else 0
if "mode=hang" in argv:
    signal.signal(signal.SIGTERM, lambda *_: (write("term"), sys.exit(3)))
    signal.pause()
write("end", exit=code)
sys.exit(code)
'''


def fake_scrapy_bin(folder: Path) -> Path:
    """A folder whose `scrapy` is the recording fake, to put first in the crontab's PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    stub = folder / "scrapy"
    stub.write_text(FAKE_SCRAPY.format(python=sys.executable))
    stub.chmod(0o755)
    return folder


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def cron_unescape(command: str) -> str:
    """What cron (cronie's do_command, Debian's cron alike) hands the shell: ``\\%`` becomes ``%``;
    an unescaped ``%`` ends the command (the rest is its standard input: our lines must have none)."""
    out: list[str] = []
    escaped = False
    for ch in command:
        if escaped:
            if ch == "%":
                out[-1] = "%"
            else:
                out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            out.append(ch)
            continue
        if ch == "%":
            raise AssertionError(f"unescaped % in a crontab command: {command!r}")
        out.append(ch)
    return "".join(out)


def parse_crontab(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(the variables set by the crontab, [(schedule, command)]) as cron reads them."""
    env: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        first = line.split()[0]
        if "=" in first and not first[0].isdigit() and first[0] not in "*@":
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
            continue
        fields = 1 if first.startswith("@") else 5
        parts = line.split(None, fields)
        lines.append((" ".join(parts[:fields]), parts[fields]))
    return env, lines


def run_like_cron(text: str, home: Path, *, only: str | None = None, timeout: float = 300) -> list[
        subprocess.CompletedProcess[str]]:
    """Run the crontab's lines (those whose command contains ``only``) one after another as cron
    would: through its SHELL, in HOME, with only the crontab's variables and cron's own."""
    env, lines = parse_crontab(text)
    base = {"HOME": str(home), "LOGNAME": os.environ.get("USER", "root"), "SHELL": "/bin/sh",
            "PATH": "/usr/bin:/bin"} | env
    results = []
    for _, command in lines:
        if only is not None and only not in command:
            continue
        results.append(subprocess.run([base["SHELL"], "-c", cron_unescape(command)], cwd=home, env=base,
                                      capture_output=True, text=True, timeout=timeout))
    return results
