"""`make bench`: run every benchmark in this folder, one after the other (none is in `make test`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    status = 0
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"## {script.name}\n", flush=True)
        status |= subprocess.call([sys.executable, str(script), *argv])
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
