"""Budgets (inventory/budgets.py): a pathological inventory ends in an error, fast and small.

Bounds are generous (5 s, 200 MB) so that a slow machine never fails them; before the
budgets, the alias bomb below ran past 90 s and 1.4 GB.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from inventory_kit import CASES, SECRET_VALUES, SITE, load, problems, secrets_file, write

from camlink_provision.inventory import budgets

BOMBS = ["budget-alias-bomb.yml", "budget-merge-key-bomb.yml",
         "budget-bomb-in-template-variable.yml"]


@pytest.mark.parametrize("case", BOMBS)
def test_a_bomb_ends_in_an_error_within_5_s_and_200_mb(case: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        found = problems([CASES / case], CASES / "secrets.yml")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == 1
    assert "to more than 250,000 values" in found[0]
    assert elapsed < 5.0
    assert peak < 200 * 1024 * 1024


@pytest.mark.parametrize(("line", "kind"), [
    ("01234567", "an octal-looking number"), ("1234", "a number"), ("yes", "a boolean"),
    ("~", "null"), ("[a, b]", "a list"), ("1.5", "a float")])
def test_a_secret_that_is_not_text_is_an_error_naming_key_and_line(
        tmp_path: Path, line: str, kind: str) -> None:
    write(tmp_path, {"inventory.yml": "all: {}\n"})
    store = secrets_file(tmp_path, SECRET_VALUES)
    store.write_text(store.read_text() + f"pin_code: {line}\n")
    found = problems([tmp_path], store)
    assert found == [f"{store}:3:11: secret pin_code must be text — quote it: NAME: "
                     "\"value\" (YAML reads bare numbers, true/false and empty as other "
                     "types)"], kind


TEMPLATE_BOMBS = ["budget-template-repeat.yml", "budget-template-nested-loops.yml",
                  "budget-template-power.yml", "budget-template-list.yml",
                  "budget-template-many-values.yml", "budget-template-concat-doubling.yml",
                  "budget-template-filter-width.yml", "budget-template-method-width.yml"]


@pytest.mark.parametrize("case", TEMPLATE_BOMBS)
def test_a_template_bomb_ends_in_an_error_at_the_template_within_5_s_and_200_mb(
        case: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        found = problems([CASES / case], CASES / "secrets.yml")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == 1
    assert "the template makes" in found[0]
    assert f"cases/{case}:" in found[0]  # at the template's FILE:LINE
    assert elapsed < 5.0
    assert peak < 200 * 1024 * 1024


def test_a_long_but_bounded_template_value_loads(tmp_path: Path) -> None:
    size = budgets.MAX_TEMPLATE_OUTPUT - 10
    text = SITE.replace("  vars:\n", f"  vars:\n    padding: \"{{{{ 'x' * {size} }}}}\"\n"
                        "    copied: \"{{ padding }}\"\n")
    write(tmp_path, {"site.yml": text})
    load([tmp_path / "site.yml"], secrets_file(tmp_path))  # loads: under the bound
