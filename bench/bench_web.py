"""The web service's rate under a bounded loopback load, beside a bare ASGI "hello" on the same server.

One uvicorn process (one worker, pinned to one core) serves both the localgov app and ``/hello``;
wrk, pinned to the other core, keeps a fixed number of connections busy for a fixed time against
each path in turn. The ratio to ``/hello`` is what the framework, the engine and the page cost.

    python bench/bench_web.py            # the figures in docs/benchmarks.md
    python bench/bench_web.py --quick    # shorter runs

Needs wrk (Debian's ``wrk`` package; installed when missing and run as root).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.requests.support import open_engine, submit_building_permit

from localgov.testing.web import free_port

HERE = Path(__file__).parent
REQUESTS = 200
CONNECTIONS = 16


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench_web: wrk is needed (apt-get install wrk)")
    return found


def _pinned(core: int) -> list[str]:
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def _prepare(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    url = f"sqlite:///{folder / 'bench-web.db'}"
    engine = open_engine(url)
    made = [submit_building_permit(engine) for _ in range(REQUESTS)]
    engine.store.engine.dispose()  # type: ignore[attr-defined]
    return url, [(r.id, r.access_code) for r in made]


def _wrk_script(folder: Path, name: str, paths: list[str]) -> Path:
    # Each connection walks the list from its own offset, so every request is asked for.
    script = folder / f"{name}.lua"
    listed = ",".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{{listed}}}\n"
        "local i = 0\n"
        "function setup(thread) end\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n",
        encoding="utf-8",
    )
    return script


def _rate(wrk: str, base: str, script: Path, seconds: int) -> tuple[float, int]:
    output = subprocess.run(
        [*_pinned(1), wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2-second runs instead of 7 of 5")
    arguments = parser.parse_args()
    rounds, seconds = (3, 2) if arguments.quick else (7, 5)
    wrk = _ensure_wrk()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        database, made = _prepare(folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*_pinned(0), sys.executable, str(HERE / "web_server.py"), database, str(port)])
        try:
            _wait_for(base)
            cases = {
                "bare ASGI hello": ["/hello"],
                "Litestar hello (the framework's floor)": ["/framework-hello"],
                "status page (/track/{id}?c=...)": [f"/track/{n}?c={c}" for n, c in made],
                "Open311 GET requests/{id}.json": [f"/open311/v2/requests/{n}.json?access_code={c}" for n, c in made],
                "API GET requests/{id}/status": [f"/api/v1/requests/{n}/status?access_code={c}" for n, c in made],
                "status page, nothing kept (/uncached/track/...)": [f"/uncached/track/{n}?c={c}" for n, c in made],
            }
            scripts = {name: _wrk_script(folder, re.sub(r"\W+", "_", name), paths) for name, paths in cases.items()}
            for script in scripts.values():
                _rate(wrk, base, script, 1)  # warm the caches and the connection pool
            # Rounds interleave the cases, so a change in the machine's load between them falls on
            # each case alike; each round's ratio is to that round's hello.
            measured: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            for _ in range(rounds):
                hello, errors = _rate(wrk, base, scripts["bare ASGI hello"], seconds)
                measured["bare ASGI hello"].append((hello, 1.0))
                for name, script in scripts.items():
                    if name != "bare ASGI hello":
                        rate, errors = _rate(wrk, base, script, seconds)
                        if errors:
                            raise SystemExit(f"bench_web: {errors} answers to {name} were not 2xx")
                        measured[name].append((rate, rate / hello))
        finally:
            server.terminate()
            server.wait(10)
    print(
        f"{CONNECTIONS} connections, {rounds} interleaved rounds of {seconds} s, server and wrk on separate cores,"
        " SQLite file, one worker; median (range) of the rounds"
    )
    for name, runs in measured.items():
        rates, ratios = sorted(r for r, _ in runs), sorted(q for _, q in runs)
        print(
            f"  {name:<50} {statistics.median(rates):>9,.0f} req/s   "
            f"{statistics.median(ratios):5.2f} of hello ({ratios[0]:.2f}-{ratios[-1]:.2f})"
        )


def _wait_for(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/hello").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("bench_web: the server did not start")


if __name__ == "__main__":
    main()
