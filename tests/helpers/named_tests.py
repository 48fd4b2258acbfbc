"""Documents that name tests (the hazard log in tests/test_hazard_log.py, the Children's Code in
tests/test_childrens_code.py) are checked against the functions each test file defines."""

from __future__ import annotations

import ast
from pathlib import Path


def functions_in(path: Path) -> set[str]:
    """The names of the functions defined in the Python file at `path` (tests and helpers alike)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
