"""Budgets (inventory/budgets.py): a pathological inventory ends in an error, fast and small.

Bounds are generous (5 s, 200 MB) so that a slow machine never fails them; before the
budgets, the alias bomb below ran past 90 s and 1.4 GB.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from inventory_kit import CASES, SECRET_VALUES, problems, secrets_file, write

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
