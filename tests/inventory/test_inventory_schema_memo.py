"""Validation remembers the values it found valid within one check (schemacheck): what it
remembers must never hide an error, wherever and however often the error is written."""

from __future__ import annotations

from pathlib import Path

from inventory_kit import SITE, problems, secrets_file, write

# A second PTZ camera after ptz-1: each value below is valid in one place and written again
# where it is not, or written wrong twice. Both are judged in a fixed order: a mapping's
# keys in the schema's order (port before scheme), a list's items in the list's.
MORE = """\
        ptz-2:
          address: 192.0.2.22
          model: SD9384-EHL
          connection: {port: 8080, scheme: 8080}
          presets:
            - {name: a, pan: 1, tilt: 0, zoom: 1}
            - {name: b, pan: true, tilt: 0, zoom: 1}
            - {name: c, pan: 0, tilt: 0, zoom: 99999}
            - {name: d, pan: 0, tilt: 0, zoom: 99999}
"""


def test_a_value_valid_in_one_place_is_still_judged_everywhere_else(tmp_path: Path) -> None:
    marker = "          presets:\n            - {name: gate, pan: 100, tilt: -200, zoom: 4}\n"
    assert marker in SITE
    text = SITE.replace(marker, marker + MORE)
    site = write(tmp_path / "site", {"inventory.yml": text})
    found = sorted(problem.split("inventory.yml:", 1)[1] for problem in
                   problems([site], secrets_file(tmp_path)))
    lines = text.splitlines()

    def line_of(written: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if written in line)

    # 8080: a good port, no scheme; 1: a good pan, and true (equal to 1 in Python) no
    # number; zoom 99999: out of range, written twice.
    assert [int(problem.split(":")[0]) for problem in found] == sorted([
        line_of("scheme: 8080"), line_of("name: b"), line_of("name: c"), line_of("name: d")]
    ), found
    messages = " | ".join(found)
    assert "scheme: 8080 is not allowed" in messages
    assert "pan must be a whole number" in messages
    assert messages.count("zoom 99999 is out of range") == 2
