"""-v shows each camera request on stderr (names, never values); -vv adds sizes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .cli_kit import MINIMAL, run, secrets_for

LINE = re.compile(r"^\S+ (GET|POST|DELETE) /\S+( \[[^\]]*\])? (\d{3}|\w+) \d+ ms")


def _plan(tmp_path: Path, *extra: str) -> tuple[str, list[str]]:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    done = run("plan", "-i", str(MINIMAL), "--secrets", str(secrets), "--emulate", *extra,
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    values = [str(v) for v in (yaml.safe_load(secrets.read_text()) or {}).values()]
    return done.stderr, values


def test_v_shows_requests_without_values(tmp_path: Path) -> None:
    stderr, secrets = _plan(tmp_path, "-v")
    lines = [line for line in stderr.splitlines() if LINE.match(line)]
    assert lines, stderr
    assert any("GET /cgi-bin/admin/getparam.cgi [" in line and " 200 " in line
               for line in lines)
    assert "?" not in stderr and " B" not in stderr
    for value in secrets:
        assert value not in stderr


def test_vv_adds_sizes(tmp_path: Path) -> None:
    stderr, secrets = _plan(tmp_path, "-vv")
    assert re.search(r" ms, \d+ B, sent \d+", stderr), stderr
    for value in secrets:
        assert value not in stderr


def test_quiet_without_v(tmp_path: Path) -> None:
    stderr, _ = _plan(tmp_path)
    assert not any(LINE.match(line) for line in stderr.splitlines()), stderr
