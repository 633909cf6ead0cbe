"""Per pattern the profile uses: does the camera have it, typed and levelled as expected?
For each missing one, the camera's parameters that look like candidates.

A candidate is a parameter no expected pattern explains, with the same number of slots,
whose value fits the expected type, ranked by how alike the two patterns read (difflib's
ratio, plus bonuses for the same first word, the same field after the last slot and as many
instances as expected; a score above 1 is possible): the renamed
``camlink_i<N>_name`` comes first for a missing ``cameralink_i<N>_name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from camlink_provision.firmware import profile as fw
from camlink_provision.probe.expect import SLOT_MARK, Expected, pattern_of

MIN_SCORE = 0.6
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Candidate:
    pattern: str
    found: int  # how many instances the camera has
    type_ok: bool  # every instance's value fits the expected type
    score: float


@dataclass
class Finding:
    expected: Expected
    status: str  # ok | missing | partial | type differs | write-only
    found: int
    level_seen: int | None  # the lowest directory listing it; None when not listed
    problems: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """Whether plan and apply cannot work with this pattern as the camera has it."""
        return self.status in ("missing", "partial", "type differs")


def compare(groups: list[Expected], params: Mapping[str, str],
            levels: Mapping[str, int]) -> list[Finding]:
    explained = {name for group in groups for name in group.names}
    unexplained = _patterns({n: v for n, v in params.items() if n not in explained})
    findings = [_finding(group, params, levels) for group in groups]
    for finding in findings:
        if finding.status in ("missing", "partial"):
            finding.candidates = candidates(finding.expected, unexplained)
    return findings


def _finding(group: Expected, params: Mapping[str, str],
             levels: Mapping[str, int]) -> Finding:
    present = [name for name in group.names if name in params]
    seen = [levels[name] for name in present if name in levels]
    level = min(seen) if seen else None
    if group.spec.secret:
        status = "write-only"
        problems = [] if not present else ["listed by the camera, but the profile has it "
                                           "write-only (7/6): its value may be readable"]
        return Finding(group, status, len(present), level, problems)
    if not present:
        return Finding(group, "missing", 0, None)
    if len(present) < len(group.names):
        return Finding(group, "partial", len(present), level,
                       [f"{len(group.names) - len(present)} of {len(group.names)} missing, "
                        f"e.g. {next(n for n in group.names if n not in params)}"])
    bad = [name for name in present if group.spec.type.check(params[name]) is not None]
    problems = []
    if level is not None and level > group.spec.get_level:
        problems.append(f"readable from level {level}, the profile says {group.spec.get_level}")
    if bad:
        problems.append(f"{len(bad)} value(s) are not {fw.type_text(group.spec.type)}, "
                        f"e.g. {bad[0]}")
        return Finding(group, "type differs", len(present), level, problems)
    return Finding(group, "ok", len(present), level, problems)


def _patterns(params: Mapping[str, str]) -> dict[str, list[str]]:
    """pattern -> the values of its instances."""
    out: dict[str, list[str]] = {}
    for name, value in params.items():
        out.setdefault(pattern_of(name), []).append(value)
    return out


def candidates(group: Expected, unexplained: Mapping[str, list[str]]) -> list[Candidate]:
    wanted = group.pattern
    ranked: list[Candidate] = []
    for pattern, values in unexplained.items():
        if pattern.count(SLOT_MARK) != wanted.count(SLOT_MARK):
            continue
        type_ok = all(group.spec.type.check(v) is None for v in values)
        if not type_ok:
            continue
        score = SequenceMatcher(None, wanted, pattern).ratio()
        if pattern.split("_")[0] == wanted.split("_")[0]:
            score += 0.05
        if pattern.rsplit(SLOT_MARK, 1)[-1] == wanted.rsplit(SLOT_MARK, 1)[-1]:
            score += 0.1  # the same field after the last slot: only the group was renamed
        if len(values) == len(group.names):  # as many instances as the profile expects
            score += 0.05
        if score >= MIN_SCORE:
            ranked.append(Candidate(pattern, len(values), type_ok, round(score, 3)))
    ranked.sort(key=lambda c: (-c.score, c.pattern))
    return ranked[:MAX_CANDIDATES]


def usable(findings: list[Finding]) -> bool:
    return not any(f.blocking for f in findings)
