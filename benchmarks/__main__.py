"""Run every `benchmarks/*_bench.py` module's `main()` (or only those named on the command line)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    here = Path(__file__).resolve().parent
    names = sorted(path.stem for path in here.glob("*_bench.py"))
    chosen = [name for name in names if not argv or name in argv or name.removesuffix("_bench") in argv]
    for name in chosen:
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
