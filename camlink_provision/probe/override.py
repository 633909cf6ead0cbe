"""The corrections a probe found, as an override file for a person to review.

For each [modelled] pattern the camera lacks, the best candidate is read back into the
profile's terms: ``camlink_i<N>_name`` for the peers' ``name`` says the peers' group is
``camlink`` (the group most candidates agree on) and the field keeps its spelling. The file
holds only what differs from the built-in profile, under ``models: {MODEL: ...}``, so it
corrects that model and nothing else. A pattern without a candidate is listed in a comment:
nothing is guessed for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.profile_data import FirmwareProfile, merged, packaged_data
from camlink_provision.probe.compare import Finding
from camlink_provision.probe.expect import SLOT_MARK

_MARK = re.escape(SLOT_MARK)
_EVENT = re.escape(fw.event_param(0, "").removesuffix("0_"))
# How a candidate's pattern reads in each section's terms.
_SHAPES = {
    "peers": re.compile(rf"^(?P<group>[A-Za-z0-9_]+?){_MARK}_(?P<field>[A-Za-z0-9_]+)$"),
    "link_actions": re.compile(
        rf"^{_EVENT}<N>_(?P<group>[A-Za-z0-9_]+?){_MARK}_(?P<field>[A-Za-z0-9_]+)$"),
    "events": re.compile(rf"^{_EVENT}<N>_(?P<field>[A-Za-z0-9_]+)$"),
    "capabilities": re.compile(r"^(?P<field>[A-Za-z0-9_]+)$"),
}


@dataclass
class Corrections:
    """What one camera's probe would change in its profile, and what it could not place."""

    model: str
    changes: dict[str, Any] = field(default_factory=dict)  # a partial profile document
    unplaced: list[str] = field(default_factory=list)  # patterns without a candidate


def corrections(model: str, findings: list[Finding], prof: FirmwareProfile,
                rule_keys: dict[str, str] | None = None) -> Corrections:
    """``rule_keys``: the VCA key candidates (handle -> the camera's key), if any."""
    out = Corrections(model)
    if rule_keys:
        out.changes["tracking"] = {"keys": dict(rule_keys)}
    groups: dict[str, Counter[str]] = {"peers": Counter(), "link_actions": Counter()}
    for finding in findings:
        handle = finding.expected.handle
        if handle is None or not finding.blocking:
            continue
        if not finding.candidates:
            out.unplaced.append(finding.expected.pattern)
            continue
        shape = _SHAPES[handle.section].match(finding.candidates[0].pattern)
        if shape is None:
            out.unplaced.append(finding.expected.pattern)
            continue
        if handle.section in groups:
            groups[handle.section][shape["group"]] += 1
        section = out.changes.setdefault(handle.section, {})
        if handle.section in ("peers", "link_actions"):
            section = section.setdefault("fields", {})
        section[handle.key] = {"name": shape["field"]}
    for name, votes in groups.items():
        if votes:
            out.changes.setdefault(name, {})["group"] = votes.most_common(1)[0][0]
    out.changes = _only_differences(merged(prof.data, out.changes), packaged_data())
    return out


def _only_differences(wanted: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in wanted.items():
        if key in ("format", "description"):
            continue
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            inner = _only_differences(value, base[key])
            if inner:
                out[key] = inner
        elif base.get(key) != value:
            out[key] = value
    return out


def write_override(path: Path, found: list[Corrections], origin: str) -> None:
    """The override file: a header saying where it came from, then ``models:``."""
    models = {c.model: c.changes for c in found if c.changes}
    lines = [f"# Written by camlink-provision probe ({origin}).",
             "# Review every line: each is the probe's best candidate for a name the camera",
             "# lacks. Use it with --profile FILE or site: firmware_profile: FILE.",
             "# yaml-language-server: $schema=https://camlink-provision.example/schemas/"
             "firmware-profile.schema.json"]
    for correction in found:
        for pattern in correction.unplaced:
            lines.append(f"# {correction.model}: no candidate for {pattern}: not corrected")
    document: dict[str, Any] = {"description": f"probe: {origin}", "models": models}
    text = "\n".join(lines) + "\n" + yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
