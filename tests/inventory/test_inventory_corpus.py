"""The corpus of broken inventories: each yields exactly its expected problems, at its lines.

Cases are data (see cases/README.md), collected here; adding one needs no code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from inventory_kit import CASES, problems

SECRETS = CASES / "secrets.yml"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir()
                  if (p.is_dir() or p.suffix == ".yml") and p != SECRETS)


def _name(case: Path) -> str:
    return case.stem if case.is_file() else case.name


@pytest.mark.parametrize("case", _cases(), ids=_name)
def test_case_reports_exactly_the_expected_problems(case: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    expected = (CASES / f"{_name(case)}.expected").read_text().splitlines()
    found = problems([Path(case.name)], Path(SECRETS.name))
    assert found == expected


def test_no_case_prints_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    values = [str(v) for v in yaml.safe_load(SECRETS.read_text()).values()]
    printed = "\n".join(line for case in _cases()
                        for line in problems([Path(case.name)], Path(SECRETS.name)))
    assert values and not any(value in printed for value in values)


def test_the_corpus_is_large_and_every_case_has_its_expectation() -> None:
    cases = _cases()
    assert len(cases) >= 25
    assert all((CASES / f"{_name(c)}.expected").is_file() for c in cases)
    assert all((CASES / f"{_name(c)}.expected").read_text().strip() for c in cases)
