"""docs/data-inventory.yaml names every stored column with its purpose and retention."""

from __future__ import annotations

from pathlib import Path

import yaml

from webapp.extensions import db

INVENTORY = Path(__file__).resolve().parents[1] / "docs" / "data-inventory.yaml"


def test_every_column_is_in_the_data_inventory(app):
    inventory = yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))["tables"]
    missing, stale = [], []
    for table in db.metadata.sorted_tables:
        listed = inventory.get(table.name)
        if listed is None:
            missing.append(table.name)
            continue
        assert listed.get("purpose") and listed.get("retention"), table.name
        columns = listed.get("columns", {})
        missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in columns]
        stale += [f"{table.name}.{name}" for name in columns if name not in table.columns]
        for name, entry in columns.items():
            assert isinstance(entry.get("personal"), bool) and entry.get("purpose"), f"{table.name}.{name}"
    stale += [name for name in inventory if name not in db.metadata.tables]
    assert not missing, f"add to docs/data-inventory.yaml: {missing}"
    assert not stale, f"no longer stored, remove from docs/data-inventory.yaml: {stale}"
