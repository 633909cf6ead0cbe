"""The corpus of broken inventories: each yields exactly its expected problems, at its lines.

Cases are data (see cases/README.md), collected here; adding one needs no code. A case
directory holding its own ``secrets.yml`` or ``secrets/`` is loaded with that one (found
beside the inventory, as the loader finds it), so that secrets files have cases too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from inventory_kit import CASES, problems

SECRETS = CASES / "secrets.yml"
OWN_SECRETS = ("secrets.yml", "secrets")


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir()
                  if (p.is_dir() or p.suffix == ".yml") and p != SECRETS)


def _name(case: Path) -> str:
    return case.stem if case.is_file() else case.name


def _secrets(case: Path) -> Path | None:
    """The shared secrets file, or None when the case brings its own (found by default)."""
    own = case.is_dir() and any((case / n).exists() for n in OWN_SECRETS)
    return None if own else Path(SECRETS.name)


def _secret_values() -> list[str]:
    """Every secret value of the corpus (the shared file and the cases' own), as written."""
    values = [str(v) for v in yaml.safe_load(SECRETS.read_text()).values()]
    for case in _cases():
        for path in [case / "secrets.yml", *sorted((case / "secrets").glob("**/*"))]:
            if not path.is_file():
                continue
            text = path.read_bytes().decode("utf-8", "replace")
            lines = text.splitlines() if path.name == "secrets.yml" else [f"x: {text}"]
            values += [line.split(":", 1)[1].strip().strip('"') for line in lines
                       if ":" in line]
    return [v for v in values if len(v) > 3]


@pytest.mark.parametrize("case", _cases(), ids=_name)
def test_case_reports_exactly_the_expected_problems(case: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    expected = (CASES / f"{_name(case)}.expected").read_text().splitlines()
    found = problems([Path(case.name)], _secrets(case))
    assert found == expected


def test_no_case_prints_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    values = _secret_values()
    printed = "\n".join(line for case in _cases()
                        for line in problems([Path(case.name)], _secrets(case)))
    assert "01234567" in values and "342391" not in printed
    assert values and not any(value in printed for value in values)


def test_the_corpus_is_large_and_every_case_has_its_expectation() -> None:
    cases = _cases()
    assert len(cases) >= 25
    assert all((CASES / f"{_name(c)}.expected").is_file() for c in cases)
    assert all((CASES / f"{_name(c)}.expected").read_text().strip() for c in cases)
