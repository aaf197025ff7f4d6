"""Mutation testing, one target at a time: `scripts/mutation [target ...]` (all targets by default).

Each target is one module and the few fast unit-test files that exercise it (no e2e crawls: a
crawl per mutant takes minutes). mutmut reads its settings from the working directory only, so
every target gets its own scratch copy of the project under mutants/<target>/ (git ignores it)
with a generated setup.cfg: the project's own setup.py, pytest.ini and install stay untouched,
and mutmut's per-target cache makes a re-run after a small change quick.

Score = killed / (mutants - excepted), where excepted mutants are survivors that only change the
text of a log line or of an error message (a string in a logging call, a raise or outcome.fail).
"""

from __future__ import annotations

import argparse
import filecmp
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "mutants"
MUTMUT = Path(sys.executable).with_name("mutmut")

# target -> (module to mutate, test selection). Tests that need the root user's immunity to
# file permissions lifted (read-only store) or an up-to-date migration count are left out.
TARGETS: dict[str, tuple[str, list[str]]] = {
    "items": ("cineradar/items.py", [
        "tests/pipelines/test_items_contract.py",
        "tests/pipelines/test_pipelines.py",
        "tests/tix/test_tix_parsers.py",
    ]),
    "freshness": ("cineradar/pipelines/freshness.py", [
        "tests/pipelines/test_pipelines.py",
        "tests/pipelines/test_freshness_and_store.py",
    ]),
    "store": ("cineradar/pipelines/store.py", [
        "tests/pipelines/test_pipelines.py",
        "tests/pipelines/test_freshness_and_store.py",
    ]),
    "spool": ("cineradar/storage/spool.py", [
        "tests/storage_sqlite/test_spool.py",
        "tests/storage/test_spool_processes.py",
    ]),
    "tix": ("cineradar/parsers/tix.py", [
        "tests/tix/test_tix_parsers.py",
        "tests/tix/test_tix_parser_edges.py",
    ]),
    "repertuary": ("cineradar/parsers/repertuary.py", [
        "tests/repertuary/test_parsers.py",
        "tests/repertuary/test_parser_edges.py",
    ]),
    "sqlite": ("cineradar/storage/sqlite.py", [
        "tests/storage_sqlite/test_sqlite.py",
        "tests/storage_sqlite/test_sqlite_batches.py",
        "tests/storage/test_storage_merge.py",
        "--deselect", "tests/storage_sqlite/test_sqlite.py::test_migrations_are_applied_once",
    ]),
}

# Files the tests need beside cineradar/ and tests/ (project settings, the replica, docs).
ALSO_COPY = ["scrapy.cfg", "setup.py", "pytest.ini", "replica", "tools", "docs"]
LOG_CALLS = ("log.", "logger.", "logging.", "warnings.warn")
KILLED = ("killed", "timeout", "caught by type check")
ERROR_TEXT = ("raise ", "outcome.fail(", "outcome.partial(", "Error(", "Exception(")


def project_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         check=True, capture_output=True).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def sync(workdir: Path) -> None:
    """Copy the project into workdir, touching only files that changed (mutmut's cache)."""
    wanted = set(project_files())
    for rel in wanted:
        src, dst = ROOT / rel, workdir / rel
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    for top in ("cineradar", "tests"):
        for path in (workdir / top).rglob("*.py"):
            if str(path.relative_to(workdir)) not in wanted:
                path.unlink()


def write_config(workdir: Path, module: str, tests: list[str]) -> None:
    lines = ["[mutmut]", "source_paths = cineradar", f"only_mutate = {module}",
             "also_copy =", *(f"    {p}" for p in ALSO_COPY),
             "pytest_add_cli_args_test_selection =",
             *(f"    {t}" for t in tests if not t.startswith("tests/") or (workdir / t.split("::")[0]).exists()),
             "pytest_add_cli_args =", "    -p", "    no:cacheprovider", ""]
    text = "\n".join(lines)
    cfg = workdir / "setup.cfg"
    if not cfg.exists() or cfg.read_text() != text:
        cfg.write_text(text)


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    old = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    new = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return old, new


def tokens(lines: list[str]) -> list[tuple[int, str]]:
    try:
        toks = tokenize.generate_tokens(io.StringIO("\n".join(s.strip() for s in lines) + "\n").readline)
        return [(t.type, t.string) for t in toks if t.type not in (tokenize.NL, tokenize.NEWLINE)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


def only_message(diff: str) -> bool:
    """True for a mutant that changes nothing but a log line or an error message's text."""
    old, new = changed_lines(diff)
    if not old or not new:
        return False
    text = " ".join(old)
    if any(call in text for call in LOG_CALLS):
        return True   # any change to a logging call's arguments only changes the log
    a, b = tokens(old), tokens(new)
    if len(a) != len(b) or not any(marker in text for marker in ERROR_TEXT):
        return False
    # Only string literals differ (or a message string became None).
    return all(x == y or (x[0] == tokenize.STRING and (y[0] == tokenize.STRING or y[1] == "None"))
               for x, y in zip(a, b, strict=True))


def mutmut(workdir: Path, *args: str) -> str:
    proc = subprocess.run([str(MUTMUT), *args], cwd=workdir, check=False, text=True, capture_output=True,
                          env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"})
    if proc.returncode:
        sys.exit(f"mutmut {' '.join(args)} failed in {workdir}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.stdout


def run_target(name: str, max_children: int, verbose: bool) -> dict[str, object]:
    module, tests = TARGETS[name]
    workdir = SCRATCH / name
    workdir.mkdir(parents=True, exist_ok=True)
    sync(workdir)
    write_config(workdir, module, tests)
    print(f"{name}: mutating {module} ...", file=sys.stderr, flush=True)
    mutmut(workdir, "run", "--max-children", str(max_children))
    results = mutmut(workdir, "results", "--all", "true")
    status: dict[str, str] = {}
    for line in results.splitlines():
        key, _, state = line.strip().rpartition(": ")
        if key:
            status[key] = state
    survivors = [k for k, s in status.items() if s not in (*KILLED, "skipped")]
    excepted, real = [], []
    for key in survivors:
        diff = mutmut(workdir, "show", key)
        (excepted if only_message(diff) else real).append((key, diff))
    total = sum(1 for s in status.values() if s != "skipped")
    killed = sum(1 for s in status.values() if s in KILLED)
    score = 100.0 * killed / max(1, total - len(excepted))
    if verbose:
        for key, diff in real:
            print(f"--- survived: {key} ({status[key]})\n{diff}")
    return {"target": name, "module": module, "mutants": total, "killed": killed,
            "survived": len(real), "excepted": len(excepted), "score": round(score, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="target",
                        help=f"one or more of {', '.join(TARGETS)} (default: all, one at a time)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test runs (default 2)")
    parser.add_argument("--show", action="store_true", help="print the diff of every surviving mutant")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args()
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    rows = [run_target(t, args.max_children, args.show) for t in (args.targets or TARGETS)]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'target':<12}{'module':<36}{'mutants':>8}{'killed':>8}{'survived':>9}{'excepted':>9}{'score':>8}")
        for r in rows:
            print(f"{r['target']:<12}{r['module']:<36}{r['mutants']:>8}{r['killed']:>8}{r['survived']:>9}"
                  f"{r['excepted']:>9}{r['score']:>7}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
