"""The hazard log's controls each name a test that exists."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers.named_tests import functions_in

ROOT = Path(__file__).resolve().parents[1]
HAZARD_LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.yaml"


def test_every_control_names_a_test_that_exists():
    hazards = yaml.safe_load(HAZARD_LOG.read_text(encoding="utf-8"))["hazards"]
    assert hazards
    missing = []
    for hazard in hazards:
        assert hazard["id"] and hazard["title"] and hazard["causes"] and hazard["controls"], hazard
        for control in hazard["controls"]:
            assert control["tests"], f"{hazard['id']}: a control with no test"
            for reference in control["tests"]:
                file_name, _sep, name = reference.partition("::")
                path = ROOT / file_name
                if not path.exists() or name not in functions_in(path):
                    missing.append(f"{hazard['id']}: {reference}")
    assert not missing, "hazard log names tests that do not exist:\n" + "\n".join(missing)
