"""Run every `benchmarks/*_bench.py` module's `main()` (or only those named on the command line)."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> None:
    here = Path(__file__).resolve().parent
    names = sorted(path.stem for path in here.glob("*_bench.py"))
    chosen = [name for name in names if not argv or name in argv or name.removesuffix("_bench") in argv]
    failed = []
    for name in chosen:
        print(f"== {name} ==", flush=True)
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception:  # one broken benchmark must not stop the others; the exit status still says so
            traceback.print_exc()
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
