"""The probe's report, as text for a person and JSON for a script. Never a value: names,
counts, types and levels only (a dump may hold a readable password)."""

from __future__ import annotations

import json
from typing import Any

from camlink_provision.firmware import profile as fw
from camlink_provision.probe.compare import Finding
from camlink_provision.probe.run import CameraProbe

LEVEL_WORDS = {0: "anonymous", 1: "viewer", 4: "operator", 6: "admin", 7: "nobody"}


def verdict(probe: CameraProbe) -> str:
    if probe.error:
        return f"cannot tell: {probe.error}"
    if probe.usable:
        return "plan and apply can run on this camera as it is"
    blocking = [f for f in probe.findings if f.blocking]
    missing = [p for p in probe.paths if p.status in ("missing", "error")]
    parts = [f"{len(blocking)} name pattern(s) missing or mistyped"] if blocking else []
    parts += [f"{p.what} {p.status}" for p in missing]
    if probe.rule_keys is not None and probe.rule_keys.blocking:
        parts.append("the tracking rules' keys differ")
    return ("plan and apply cannot run on this camera as it is: " + ", ".join(parts)
            + "; `probe --write-profile FILE` writes the corrections found, for review")


def _level(level: int | None) -> str:
    return "-" if level is None else f"{level} ({LEVEL_WORDS.get(level, '?')})"


def _finding_line(finding: Finding) -> list[str]:
    group = finding.expected
    tag = "[modelled]" if group.modelled else "[real]"
    spec = group.spec
    wanted = f"{fw.type_text(spec.type)}, level {spec.get_level}/{spec.set_level}"
    status = finding.status.upper() if finding.blocking else finding.status
    head = (f"  {tag:10} {group.pattern:48} {status:12} {finding.found}/{len(group.names)}"
            f"  {wanted}; seen at {_level(finding.level_seen)}")
    lines = [head]
    lines += [f"      {problem}" for problem in finding.problems]
    for candidate in finding.candidates:
        lines.append(f"      candidate: {candidate.pattern} ({candidate.found} found, "
                     f"values fit the type, score {candidate.score})")
    if finding.blocking and not finding.candidates:
        lines.append("      no candidate among the camera's parameters")
    return lines


def render_text(probes: list[CameraProbe], profile_line: str) -> str:
    out = [profile_line]
    for probe in probes:
        out.append("")
        out.append(f"{probe.camera}: {probe.model or '?'}, {probe.firmware or '?'} "
                   f"(profile: {probe.profile})")
        if not probe.error:
            caps = " ".join(f"{k}={int(v) if isinstance(v, bool) else v}"
                            for k, v in probe.capabilities.items())
            out.append(f"  capabilities from {probe.capabilities_from}: {caps}")
            shown = [f for f in probe.findings if f.expected.modelled or f.status != "ok"
                     or f.problems]
            quiet = len(probe.findings) - len(shown)
            for finding in shown:
                out.extend(_finding_line(finding))
            if quiet:
                out.append(f"  ... and {quiet} [real] name pattern(s) as expected")
            for path in probe.paths:
                detail = f": {path.detail}" if path.detail else ""
                out.append(f"  {path.what} {path.path}: {path.status}{detail}")
            if probe.rule_keys is not None:
                out.append(f"  tracking rule keys: {probe.rule_keys.status}: "
                           f"{probe.rule_keys.detail}")
            out.extend(f"  note: {note}" for note in probe.notes)
        out.append(f"  => {verdict(probe)}")
    return "\n".join(out) + "\n"


def as_json(probes: list[CameraProbe], profile_line: str) -> dict[str, Any]:
    return {"profile": profile_line, "cameras": [_camera_json(p) for p in probes]}


def _camera_json(probe: CameraProbe) -> dict[str, Any]:
    return {
        "camera": probe.camera, "model": probe.model, "firmware": probe.firmware,
        "profile": probe.profile, "error": probe.error or None,
        "capabilities": probe.capabilities, "capabilities_from": probe.capabilities_from,
        "names": [_finding_json(f) for f in probe.findings],
        "paths": [{"what": p.what, "path": p.path, "status": p.status, "detail": p.detail,
                   "keys": list(p.keys)} for p in probe.paths],
        "rule_keys": None if probe.rule_keys is None else {
            "status": probe.rule_keys.status, "detail": probe.rule_keys.detail,
            "candidates": probe.rule_keys.candidates},
        "notes": probe.notes, "usable": probe.usable, "verdict": verdict(probe)}


def _finding_json(finding: Finding) -> dict[str, Any]:
    group = finding.expected
    handle = group.handle
    return {
        "pattern": group.pattern, "modelled": group.modelled,
        "profile_key": f"{handle.section}.{handle.key}" if handle else None,
        "status": finding.status, "expected": len(group.names), "found": finding.found,
        "type": fw.type_text(group.spec.type),
        "level": f"{group.spec.get_level}/{group.spec.set_level}",
        "level_seen": finding.level_seen, "problems": finding.problems,
        "candidates": [{"pattern": c.pattern, "found": c.found, "score": c.score}
                       for c in finding.candidates]}


def render_json(probes: list[CameraProbe], profile_line: str) -> str:
    return json.dumps(as_json(probes, profile_line), indent=2) + "\n"
