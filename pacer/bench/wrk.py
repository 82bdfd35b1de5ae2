"""Load from wrk (a Debian package, `apt-get install wrk`), an efficient C client: with the
Python client the load generator took a core of its own and was what got measured.

Check-ins are spread over the key results given, in turn, by a Lua script that wrk runs;
each connection is kept alive, as a browser's or an API client's would be.
"""

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
CHECKIN_SCRIPT = """
local bodies = {bodies}
local paths = {paths}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  return wrk.format(nil, paths[i], nil, bodies[i])
end
"""
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_list(items: Sequence[str]) -> str:
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


def checkin_script(krs: Sequence[tuple[str, Decimal, Decimal]], token: str) -> str:
    """One request per key result, each a value between its start and target."""
    paths, bodies = [], []
    for i, (ref, start, target) in enumerate(krs):
        value = start + (target - start) * Decimal(i % 10) / 10
        paths.append(f"/api/v1/key-results/{ref}/checkins")
        bodies.append(json.dumps({"value": str(value), "confidence": "on_track"}))
    return CHECKIN_SCRIPT.format(bodies=lua_list(bodies), paths=lua_list(paths), token=token)


def run(
    port: int, path: str, *, seconds: float, connections: int, script: str = ""
) -> dict[str, Any]:
    """wrk against 127.0.0.1:`port`; its rate, errors and latency percentiles."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if script:
            lua = Path(folder) / "load.lua"
            lua.write_text(script)
            command += ["-s", str(lua)]
        command.append(f"http://127.0.0.1:{port}{path}")
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse(done.stdout) | {"client": "wrk", "connections": connections, "path": path}


def parse(output: str) -> dict[str, Any]:
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if total is None or rate is None:
        raise ValueError(f"wrk's output not understood:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    found: dict[str, Any] = {
        "requests": int(total.group(1)),
        "requests_per_second": float(rate.group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }
    for share, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)$", output, re.M):
        found[f"p{share}_ms"] = round(float(value) * UNIT_MS[unit], 2)
    found["acknowledged"] = found["requests"] - found["errors"]
    return found
