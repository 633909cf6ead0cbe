"""``camlink-provision verify``: prove each link works, through the cameras; a table per link.

    verify -i INV [--limit PATTERN] [--format text|markdown|json] [--emulate [--end-to-end]]
           [--read-only]

Exit 0 when every (link, target) passed, 1 when any failed (or a PTZ could not be put back).
The checks themselves are ``camlink_provision.verify``; this module supplies the firing for
--end-to-end (``FleetFirer``) and renders the report.

    Site: construction-site — 2 of 3 link targets passed

    link gate (spot1, event gate-intrusion)
      ptz1  passed  preset gate, track gate-track
      ptz2  FAILED  link test: credentials refused — the PTZ refused the credentials ...
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from camlink_provision.cli import EXIT_ERROR as EXIT_FAILED
from camlink_provision.cli import EXIT_OK
from camlink_provision.commands.common import open_session
from camlink_provision.emulator import Fleet
from camlink_provision.errors import EndToEndNeedsEmulator
from camlink_provision.render.common import printable
from camlink_provision.verify import (
    DEFAULT_SETTLE_SECONDS,
    Firing,
    LinkResult,
    VerifyReport,
    verify_site,
)


class FleetFirer:
    """verify's end-to-end firing, done by the emulator's control plane (``Fleet.fire``):
    the only place verify's firing meets the emulator, so the verify package never imports
    it."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def fire(self, spotter: str, kind: str, *, rule: str | None, input_number: int,
             at: datetime) -> Firing:
        reply = self.fleet.fire(spotter, kind, rule=rule, input=input_number, at=at)
        skipped: dict[str, str] = {}
        for entry in reply.get("skipped", []):  # the first reason of a name, as it came
            skipped.setdefault(str(entry.get("name", "")), str(entry.get("reason", "")))
        return Firing(tuple(str(e.get("name", "")) for e in reply.get("events", [])), skipped)


def run_verify(args: argparse.Namespace) -> int:
    if args.end_to_end and not args.emulate:
        raise EndToEndNeedsEmulator("--end-to-end fires each link's detection through the "
                                    "emulator: use it with --emulate")
    with open_session(args) as session:
        fleet = session.fleet
        firer = FleetFirer(fleet) if fleet is not None and args.end_to_end else None
        # An emulated PTZ moves at once: nothing to wait for; a real dome takes seconds.
        settle = 0.0 if fleet is not None else DEFAULT_SETTLE_SECONDS
        report = verify_site(session.site, session.names, concurrency=args.concurrency,
                             firer=firer, settle=settle,
                             read_only=args.read_only)
    print(RENDERERS[args.format](report), end="")
    return EXIT_OK if report.ok else EXIT_FAILED


# -- views -------------------------------------------------------------------------------------
def cause_words(result: LinkResult) -> str:
    return (result.cause or "").replace("_", " ")


def what_link_does(result: LinkResult, report: VerifyReport) -> str:
    """The checks that passed, in a few words (``preset gate, track r1, output``)."""
    done = [c.name for c in result.checks if c.ok and not c.skipped]
    words: list[str] = [name for name in ("position", "tracking", "output") if name in done]
    if report.end_to_end and "end-to-end position" in done:
        words.append("end-to-end")
    said = ", ".join(words) or "link test"
    if result.skipped:
        said += " (read checks only; skipped: " + ", ".join(c.name for c in result.skipped) + ")"
    return said


def verdict(result: LinkResult) -> str:
    failure = result.failure
    if failure is None:
        return ""
    return f"{failure.name}: {cause_words(result)} — {failure.detail}"


def by_link(results: Sequence[LinkResult]) -> Iterator[tuple[LinkResult, list[LinkResult]]]:
    """Results grouped by link, in first-seen order; the first result heads the group."""
    groups: dict[str, list[LinkResult]] = {}
    for result in results:
        groups.setdefault(result.link, []).append(result)
    for group in groups.values():
        yield group[0], group


def headline(report: VerifyReport) -> str:
    passed = len(report.results) - len(report.failed)
    mode = (" (end to end)" if report.end_to_end
            else " (read-only: nothing moved or pulsed)" if report.read_only else "")
    return (f"Site: {printable(report.site)} — {passed} of {len(report.results)} link "
            f"target(s) passed{mode}")


def render_text(report: VerifyReport) -> str:
    lines = [headline(report), ""]
    if not report.results:
        lines.append("No link touches the selected cameras.")
    for head, group in by_link(report.results):
        lines.append(f"link {printable(head.link)} ({printable(head.spotter)}, event "
                     f"{printable(head.event)})")
        width = max(len(printable(r.ptz)) for r in group)
        for result in group:
            state = "passed" if result.passed else "FAILED"
            said = what_link_does(result, report) if result.passed else verdict(result)
            lines.append(f"  {printable(result.ptz):<{width}}  {state}  {printable(said)}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: VerifyReport) -> str:
    line = f"Verify: {len(report.results) - len(report.failed)} passed, {len(report.failed)} failed"
    if report.read_only:
        line += (f", {report.skipped_checks} check(s) skipped (read-only: they move or pulse "
                 "a PTZ; not run, not passed)")
    return line + "."


def cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def render_markdown(report: VerifyReport) -> str:
    lines = [f"## {cell(headline(report))}", ""]
    for head, group in by_link(report.results):
        lines += [f"### Link `{cell(head.link)}` — {cell(head.spotter)}, event "
                  f"`{cell(head.event)}`", "",
                  "| PTZ | result | checked / failed check | likely cause |",
                  "|---|---|---|---|"]
        for result in group:
            if result.passed:
                lines.append(f"| {cell(result.ptz)} | ✅ passed | "
                             f"{cell(what_link_does(result, report))} | |")
            else:
                failure = result.failure
                lines.append(f"| {cell(result.ptz)} | ❌ failed | "
                             f"{cell(failure.name if failure else '')} | "
                             f"{cell(cause_words(result))}: "
                             f"{cell(failure.detail if failure else '')} |")
        lines.append("")
    if report.read_only:
        lines += [cell(summary(report)), ""]
    return "\n".join(lines)


def render_json(report: VerifyReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[VerifyReport], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json}
