"""Benchmark: how many TIX.id seat-layout responses per second the replica serves.

The replica must never be the crawler's bottleneck: the limit is 1,500 layouts/s on
this 2-core machine with no added latency. Starts ``python -m replica --preset default``
(clock frozen before the first showtime), logs in through the replica's login call,
then runs Debian's ``wrk`` (a separate load generator) cycling over every showtime.

    .venv/bin/python bench/replica_layouts.py [--seconds 15] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CREDENTIALS, ReplicaProcess, admin  # noqa: E402

LIMIT = 1500.0
PATHS = {"XXI": "xxi", "CGV": "cgv", "Cinépolis": "cinepolis"}


def login(api: str) -> str:
    body = json.dumps({"phone_number": CREDENTIALS["TIX_PHONE_NUMBER"],
                       "password": CREDENTIALS["TIX_PASSWORD"]}).encode()
    request = urllib.request.Request(f"{api}/v1/users/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "platform": "web"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]["token"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    date = "2026-11-21"
    with ReplicaProcess("--preset", "default", "--date", date, "--now", f"{date}T05:00:00+07:00") as replica:
        api = replica.urls["tix_api"]
        token = login(api)
        showtimes = admin(api, "truth?source=tix")["showtimes"]
        paths = [f"/v1/movies/{PATHS[s['merchant']]}/layout?show_time_id={s['showtime_id']}&tz=7" for s in showtimes]
        script = Path(tempfile.mkdtemp()) / "layouts.lua"
        script.write_text(
            "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
            "local i = 0\n"
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
            "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n"
            "done = function(summary, latency, requests)\n"
            "  io.write(string.format(\"non2xx %d\\n\", summary.errors.status))\nend\n")
        cmd = ["wrk", "-t1", f"-c{opts.connections}", f"-d{opts.seconds}s", "-s", str(script), api]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = int(re.search(r"non2xx (\d+)", out)[1])  # type: ignore[index]
    print(f"replica seat layouts, default preset, {len(paths)} showtimes cycled, wrk -t1 -c{opts.connections}")
    print(f"  served      {rate:8.0f} layouts/s  ({errors} non-2xx)")
    print(f"  limit       {LIMIT:8.0f} layouts/s  (the replica must never be the bottleneck)")
    print("  crawler target 300 layouts/s end to end; the original called one every 0.3-0.5 s")
    return 0 if rate >= LIMIT and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
