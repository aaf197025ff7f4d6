"""Throwaway local servers for tests and benchmarks: PostgreSQL 15 and the Firestore emulator.

Both bind 127.0.0.1 only, live in a temporary folder, and are stopped (and the folder
removed) by ``stop()`` / leaving the ``with`` block. Nothing here is used by the crawler.

    with PostgresServer() as pg:          # initdb + pg_ctl on a free port
        pg.dsn                            # postgresql://postgres@127.0.0.1:PORT/postgres
        pg.stop(); pg.start()             # simulate an outage (same data directory)
    with FirestoreEmulator() as fs:       # node tools/firestore-emulator.js
        fs.host                           # "127.0.0.1:PORT" for FIRESTORE_EMULATOR_HOST
        fs.clear()                        # wipe every document

``postgres_missing()`` / ``firestore_missing()`` say why a server cannot start here
(binaries absent), or return None.
"""

from __future__ import annotations

import os
import pwd
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_SCRIPT = ROOT / "tools" / "firestore-emulator.js"
EMULATOR_PACKAGE = ROOT / "node_modules" / "@firestore-emulator" / "server"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bindir() -> Path | None:
    """Where initdb/pg_ctl live: $PG_BINDIR, Debian's postgresql-15, or pg_config's."""
    candidates = [os.environ.get("PG_BINDIR"), "/usr/lib/postgresql/15/bin"]
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            candidates.append(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                             check=True).stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def postgres_missing() -> str | None:
    if postgres_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql-15 (.ci/services.sh)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no 'postgres' user to run the server as"
    return None


def firestore_missing() -> str | None:
    if shutil.which("node") is None:
        return "node not found: the Firestore emulator needs Node.js (apt-get install nodejs npm)"
    if not EMULATOR_PACKAGE.exists():
        return f"{EMULATOR_PACKAGE.relative_to(ROOT)} missing: run `npm ci` in the repository root"
    return None


class PostgresServer:
    """A throwaway PostgreSQL cluster: initdb in a temp folder, pg_ctl on 127.0.0.1:port.

    ``durable=False`` (tests) turns fsync off for speed; benchmarks keep the defaults.
    As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
    """

    def __init__(self, port: int | None = None, durable: bool = False) -> None:
        reason = postgres_missing()
        if reason:
            raise RuntimeError(reason)
        self.bindir = postgres_bindir()
        assert self.bindir is not None
        self.port = port or free_port()
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="cineradar-pg-"))
        self.data = self.dir / "data"
        self._user = "postgres" if os.geteuid() == 0 else None
        self.running = False

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run(list(args), capture_output=True, text=True, user=self._user, cwd=self.dir,
                                check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr or result.stdout}")

    def init(self) -> PostgresServer:
        if self._user:
            shutil.chown(self.dir, self._user, self._user)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        return self

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            self.init()
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class FirestoreEmulator:
    """``node tools/firestore-emulator.js`` on 127.0.0.1; commands go through its stdin."""

    def __init__(self, port: int = 0) -> None:
        reason = firestore_missing()
        if reason:
            raise RuntimeError(reason)
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.proc = subprocess.Popen(
            ["node", str(EMULATOR_SCRIPT), "--port", str(self.port)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        threading.Thread(target=self._read, daemon=True).start()
        line = self._expect("listening ", timeout)
        self.port = int(line.rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _expect(self, prefix: str, timeout: float) -> str:
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError(f"firestore emulator: no {prefix.strip()!r} within {timeout} s") from None
            if line is None:
                raise RuntimeError("firestore emulator exited")
            if line.startswith(prefix):
                return line

    def clear(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write("clear\n")
        self.proc.stdin.flush()
        self._expect("cleared", 10.0)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.stdin:
                self.proc.stdin.close()  # the script stops when its stdin ends
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> FirestoreEmulator:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
