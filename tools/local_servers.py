"""Throwaway local servers for tests and benchmarks: PostgreSQL 15, the Firestore emulator, Splash.

Both bind 127.0.0.1 only, live in a temporary folder, and are stopped (and the folder
removed) by ``stop()`` / leaving the ``with`` block. Nothing here is used by the crawler.

    with PostgresServer() as pg:          # initdb + pg_ctl on a free port
        pg.dsn                            # postgresql://postgres@127.0.0.1:PORT/postgres
        pg.stop(); pg.start()             # simulate an outage (same data directory)
    with FirestoreEmulator() as fs:       # node tools/firestore-emulator.js
        fs.host                           # "127.0.0.1:PORT" for FIRESTORE_EMULATOR_HOST
        fs.clear()                        # wipe every document
    with SplashServer() as splash:        # Splash 3.5 from scripts/install-splash
        splash.url                        # "http://127.0.0.1:PORT" for SPLASH_URL
        splash.log_path                   # its log (the test greps it for secrets)

    python -m tools.local_servers splash [--port 8050]   # a Splash in the foreground (Ctrl-C stops it)

``postgres_missing()`` / ``firestore_missing()`` / ``splash_missing()`` say why a server cannot start here
(binaries absent), or return None.
"""

from __future__ import annotations

import os
import pwd
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_SCRIPT = ROOT / "tools" / "firestore-emulator.js"
EMULATOR_PACKAGE = ROOT / "node_modules" / "@firestore-emulator" / "server"
SPLASH_PYTHON = Path(os.environ.get("SPLASH_VENV", ROOT / ".venv-splash")) / "bin" / "python"
# The Lua arguments Splash must never write to its log (cineradar/lua/tix_login.lua).
SPLASH_SECRET_ARGS = "phone,password"


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


def splash_missing() -> str | None:
    if not SPLASH_PYTHON.exists():
        return f"{SPLASH_PYTHON} missing: run scripts/install-splash (Debian's Qt5 WebKit + Splash 3.5)"
    if shutil.which("Xvfb") is None:
        return "Xvfb not found: run scripts/install-splash (apt-get install xvfb)"
    return None


def splash_command(port: int) -> list[str]:
    """Splash on loopback, no web UI, secret Lua arguments kept out of its log."""
    return [str(SPLASH_PYTHON), "-m", "splash.server", "-i", "127.0.0.1", "-p", str(port), "--disable-ui",
            "--max-timeout", "120", "--dont-log-args", SPLASH_SECRET_ARGS]


def splash_env() -> dict[str, str]:
    # Splash also loads QtWebEngine, whose Chromium refuses to start as root without --no-sandbox.
    flags = "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
    return dict(os.environ, QTWEBENGINE_CHROMIUM_FLAGS=flags)


class SplashServer:
    """``python -m splash.server`` (Splash 3.5) on 127.0.0.1; it starts its own Xvfb.

    It runs in its own process group, so ``stop()`` also ends the Xvfb and QtWebEngine
    processes it started. Its log goes to ``log_path`` (removed by ``close()``).
    """

    def __init__(self, port: int | None = None) -> None:
        reason = splash_missing()
        if reason:
            raise RuntimeError(reason)
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cineradar-splash-"))
        self.log_path = self.dir / "splash.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(splash_command(self.port), cwd=self.dir, env=splash_env(),
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"splash exited ({self.proc.returncode}): {self.log()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_ping", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"splash: no answer on {self.url}/_ping within {timeout} s")
            time.sleep(0.2)  # waiting for a child process to bind its port, not driving time

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        try:  # children (Xvfb, QtWebEngine) that outlived the server
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> SplashServer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.local_servers")
    parser.add_argument("server", choices=["splash"])
    parser.add_argument("--port", type=int, default=8050)
    opts = parser.parse_args(argv)
    reason = splash_missing()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    os.execve(str(SPLASH_PYTHON), splash_command(opts.port), splash_env())
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
