"""The checks the form and the FHIR record share live apart from the web form module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from webapp.support import checks, forms

ROOT = Path(__file__).resolve().parents[2]


def test_the_record_builder_does_not_import_the_web_form_module():
    probe = "import sys, webapp.support.record; print('webapp.support.forms' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False"]


def test_the_form_asks_exactly_the_risk_questions_the_record_reads():
    assert tuple(forms.RISK_QUESTIONS) == checks.RISK_FIELDS == forms.RISK_FIELDS
    assert forms.NOT_SURE == checks.NOT_SURE


def test_nhs_numbers_are_checked_by_their_check_digit():
    assert checks.nhs_number_is_valid("943 476 5919")
    assert not checks.nhs_number_is_valid("943 476 5918") and not checks.nhs_number_is_valid("12345")
