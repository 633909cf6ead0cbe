"""The recap at the end of an apply: per camera, what happened and why; then totals.

    RECAP  site construction-site
      gate-ptz       changed      ends: after     requests 9   writes 5
                     4 change(s) applied
      gate-spotter   failed       ends: before    requests 6   writes 1
                     setparam failed: ...; restored to its state before the apply (...)
    ok=0 changed=1 failed=1 unreachable=0 skipped=0

``ends`` says where each camera stands: after (everything planned is in place), before
(nothing changed, or restored and confirmed), between (the changes of earlier plays are in
place, later ones were skipped or restored), unknown (a restore could not be confirmed).
"""

from __future__ import annotations

from camlink_provision.apply.result import CameraResult, RunResult

_COLORS = {"ok": "32", "changed": "33", "failed": "31", "unreachable": "31;1",
           "skipped": "36", "unknown": "31;1"}


def _paint(text: str, key: str, color: bool) -> str:
    code = _COLORS.get(key)
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def _camera_lines(cam: CameraResult, width: int, color: bool) -> list[str]:
    status = _paint(f"{cam.status:<12}", cam.status, color)
    ends = _paint(f"ends: {cam.ends_in:<8}", "unknown" if cam.ends_in == "unknown" else "",
                  color)
    head = (f"  {cam.camera:<{width}}  {status} {ends} requests {cam.requests:<4} "
            f"writes {cam.writes}")
    lines = [head.rstrip()]
    if cam.reason:
        lines.append(f"  {'':<{width}}  {cam.reason}")
    return lines


def totals_line(result: RunResult) -> str:
    return " ".join(f"{status}={count}" for status, count in result.totals().items())


def render_recap(result: RunResult, *, color: bool = False) -> str:
    width = max((len(c.camera) for c in result.cameras), default=8)
    lines = [f"RECAP  site {result.site}"]
    for cam in result.cameras:
        lines.extend(_camera_lines(cam, width, color))
    for play in result.plays:
        if play.outcome not in ("done", "no cameras"):
            note = f": {play.note}" if play.note else ""
            lines.append(f"play {play.name!r}: {play.outcome}{note}")
    if result.stopped:
        lines.append(_paint(f"rollout stopped: {result.stopped}", "failed", color))
    lines.append(totals_line(result))
    if result.failed_hosts:
        lines.append("failed: " + ", ".join(result.failed_hosts))
    return "\n".join(lines) + "\n"
