"""Rewrite the golden outputs of tests/cases/*/ from the current code; the only way they change.

    .venv/bin/python -m tests.cases.update_golden            # every case
    .venv/bin/python -m tests.cases.update_golden NAME...    # only these cases

Then review `git diff tests/cases`. A case whose exit code differs from its case.yaml is
reported and its goldens are left alone.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from reconciler.sandbox import Sandbox
from tests.conftest import CALENDAR, Store

from .runner import discover, run_case


def main(names: list[str]) -> int:
    cases = [c for c in discover() if not names or c.name in names]
    failed = 0
    with Sandbox(**CALENDAR) as sandbox, tempfile.TemporaryDirectory() as tmp:
        store = Store(sandbox)
        for case in cases:
            produced = run_case(case, store, Path(tmp))
            codes = set(produced.exit_codes.values())
            if codes != {case.expect_exit}:
                print(f"{case.name}: exit {sorted(codes)}, case.yaml says {case.expect_exit}")
                print(produced.outputs.get("text", ""))
                failed += 1
                continue
            for fmt, path in case.expected_files().items():
                new = produced.outputs[fmt]
                old = path.read_text(encoding="utf-8") if path.exists() else None
                if new != old:
                    path.write_text(new, encoding="utf-8", newline="\n")
                    print(f"updated {case.name}/{path.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
