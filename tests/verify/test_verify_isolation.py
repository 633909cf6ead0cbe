"""What the verify package and the schedule module pull in, seen by a fresh interpreter:
verify never imports the emulator (end-to-end firing is passed in), schedule imports only
the firmware profile (the emulator, verify and the inventory all share it)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from camlink_provision.firmware import profile

PACKAGE = Path(__file__).resolve().parents[2] / "camlink_provision"


def modules_after_import(module: str) -> list[str]:
    code = (f"import json, sys, {module}; print(json.dumps(sorted("
            "m for m in sys.modules if m.startswith('camlink_provision'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_the_verify_package_does_not_import_the_emulator() -> None:
    loaded = modules_after_import("camlink_provision.verify")
    assert "camlink_provision.verify.site" in loaded  # the import did happen
    assert [m for m in loaded if m.startswith("camlink_provision.emulator")] == []


def test_schedule_imports_only_the_firmware_profile() -> None:
    # the profile reads its [modelled] names from its data file: profile_data, through
    # datafiles (where shipped files are); nothing of the inventory, emulator or verify
    assert modules_after_import("camlink_provision.schedule") == [
        "camlink_provision", "camlink_provision.datafiles", "camlink_provision.firmware",
        "camlink_provision.firmware.profile", "camlink_provision.firmware.profile_data",
        "camlink_provision.schedule"]


def firmware_words() -> set[str]:
    """Field names and outcomes the firmware defines, which verify must take from the profile."""
    words = {*profile.EVENT_FIELDS, *profile.PEER_FIELDS, *profile.LINK_ACTION_FIELDS,
             *profile.LINK_TEST_RESULTS, *profile.LINK_TEST_ACTIONS, *profile.TRACKING_STATUSES,
             profile.DO_STATUS, profile.EVENT_GROUP, profile.PEER_GROUP, profile.PRESET_GROUP}
    # verify's own vocabulary, which happens to spell a firmware word too: check names
    # ("event", "preset") and report keys ("name", "ok", "event") of its JSON output.
    return words - {"name", "event", "preset", "ok"}


def test_no_firmware_field_name_is_spelt_out_in_the_verify_package() -> None:
    found = []
    for path in sorted((PACKAGE / "verify").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if id(node) in docstrings:
                continue
            text = node.value
            if (text in firmware_words() or "cameralink_i" in text or "event_i" in text
                    or text.startswith("status_do")):
                found.append(f"{path.name}:{node.lineno}: {text!r}")
    assert found == []
