"""Run every benchmark (``make bench``): each bench_*.py script in turn, output as it comes.

Each script compares localgov's work against the raw cost of the same work measured in the same
run (the signature primitive, the database's own write rate) and prints the ratio. The current
figures are kept in docs/benchmarks.md.

    python bench/run.py            # everything
    python bench/run.py --quick    # smaller runs, for a quick look
    python bench/run.py tokens     # only bench_tokens.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description="Run localgov's benchmarks.")
    parser.add_argument("only", nargs="*", help="topics to run (tokens, engine, documents...)")
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark that takes it")
    arguments = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if arguments.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in arguments.only]
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        command = [sys.executable, str(script)]
        if arguments.quick and "--quick" in script.read_text(encoding="utf-8"):
            command.append("--quick")
        if subprocess.run(command, cwd=HERE.parent, check=False).returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
