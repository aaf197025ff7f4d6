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
import ast
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "mutants"
MUTMUT = Path(sys.executable).with_name("mutmut")

# target -> (module to mutate, test selection). Tests that need the root user's immunity to
# file permissions lifted (read-only store) or an up-to-date migration count are left out.
TARGETS: dict[str, tuple[str, list[str]]] = {
    "items": ("cineradar/items/base.py", [
        "tests/pipelines/test_items_contract.py",
        "tests/pipelines/test_pipelines.py",
        "tests/pipelines/test_nul_check.py",
        "tests/pipelines/test_items_base_rules.py",
        "tests/tix/test_tix_parsers.py",
    ]),
    "args": ("cineradar/args/validators.py", [
        "tests/test_args_endpoints.py",
        "tests/bugs/test_arguments.py",
        "tests/test_args_validators.py",
    ]),
    "freshness": ("cineradar/pipelines/freshness.py", [
        "tests/pipelines/test_pipelines.py",
        "tests/pipelines/test_freshness_and_store.py",
    ]),
    "store": ("cineradar/pipelines/store.py", [
        "tests/pipelines/test_pipelines.py",
        "tests/pipelines/test_freshness_and_store.py",
        "tests/pipelines/test_store_edges.py",
    ]),
    "writer": ("cineradar/storage/writer.py", [
        "tests/storage/test_writer.py",
        "tests/pipelines/test_store_edges.py",
        "tests/pipelines/test_freshness_and_store.py",
    ]),
    "seen": ("cineradar/storage/freshness.py", [
        "tests/storage/test_writer.py",
        "tests/storage_sqlite/test_spool.py",
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
        "tests/storage_sqlite/test_sqlite_edges.py",
        "tests/storage/test_storage_merge.py",
        "tests/storage/test_storage_renames.py::test_sqlite_renames_columns_and_keeps_every_row",
    ]),
}

# Files the tests need beside cineradar/ and tests/ (project settings, the replica, docs).
ALSO_COPY = ["scrapy.cfg", "setup.py", "pytest.ini", "replica", "tools", "docs"]
LOGGERS = ("log", "logger", "logging", "warnings")
KILLED = ("killed", "timeout", "caught by type check")


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


class _MessagesBlanked(ast.NodeTransformer):
    """Blank what only reaches a log line or an error's text, so two versions of a module
    that differ in nothing else dump to the same AST."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in LOGGERS:
                return ast.Call(func=func, args=[], keywords=[])   # the whole log line
            if func.value.id == "outcome":
                node.args = [self._blank(a) for a in node.args]
        return self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        if isinstance(node.exc, ast.Call):
            node.exc.args = [self._blank(a) for a in node.exc.args]
        return self.generic_visit(node)

    @staticmethod
    def _blank(arg: ast.expr) -> ast.expr:
        if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and arg.value is None) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return ast.Constant("message")
        return arg


def apply_hunk(source: str, diff: str) -> str | None:
    """The module with the mutant's diff applied (mutmut shows it relative to the function)."""
    body = [line for line in diff.splitlines() if line[:1] in (" ", "-", "+") and line[:3] not in ("---", "+++")]
    old = [line[1:] for line in body if line[0] in " -"]
    new = [line[1:] for line in body if line[0] in " +"]
    lines = source.splitlines()
    wanted = [line.strip() for line in old]
    for i in range(len(lines) - len(old) + 1):
        if [line.strip() for line in lines[i:i + len(old)]] == wanted:
            first = next(j for j, line in enumerate(old) if line.strip())
            shift = (len(lines[i + first]) - len(lines[i + first].lstrip())) - (
                len(old[first]) - len(old[first].lstrip()))
            pad = " " * max(0, shift)
            return "\n".join(lines[:i] + [pad + line if line.strip() else line for line in new]
                             + lines[i + len(old):])
    return None


def only_message(source: str, diff: str) -> bool:
    """True for a mutant that changes nothing but a log line or an error message's text."""
    mutated = apply_hunk(source, diff)
    if mutated is None:
        return False
    try:
        a, b = (_MessagesBlanked().visit(ast.parse(text)) for text in (source, mutated))
    except SyntaxError:
        return False
    return ast.dump(a) == ast.dump(b)


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
    # mutmut keeps a survivor's verdict although a new test would now kill it: start afresh.
    shutil.rmtree(workdir / "mutants", ignore_errors=True)
    print(f"{name}: mutating {module} ...", file=sys.stderr, flush=True)
    mutmut(workdir, "run", "--max-children", str(max_children))
    results = mutmut(workdir, "results", "--all", "true")
    status: dict[str, str] = {}
    for line in results.splitlines():
        key, _, state = line.strip().rpartition(": ")
        if key:
            status[key] = state
    survivors = [k for k, s in status.items() if s not in (*KILLED, "skipped")]
    excepted: list[tuple[str, str]] = []
    real: list[tuple[str, str]] = []
    source = (ROOT / module).read_text()
    for key in survivors:
        diff = mutmut(workdir, "show", key)
        (excepted if only_message(source, diff) else real).append((key, diff))
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
