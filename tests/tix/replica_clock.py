"""TIX_AUTH_CLOCK for end-to-end tests: the crawler reads "now" from the replica's clock.

The replica's address comes from REPLICA_CLOCK_URL (its POST /_replica/clock, which answers
the current instant when given no change). A blocking local call per token check: test only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.request


def now() -> dt.datetime:
    request = urllib.request.Request(os.environ["REPLICA_CLOCK_URL"], data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dt.datetime.fromisoformat(json.loads(response.read())["now"])
