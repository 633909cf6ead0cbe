"""Live checks of each link, through the cameras themselves: ``verify_site -> VerifyReport``.

Configured is not working: a stale peer password or a preset moved by hand still looks fine
in a parameter dump. For every (link, target PTZ) this module asks the cameras to do the
work and looks at the result:

    spotter      its event and its peer for the PTZ exist; the event's camera-link action
                 for that peer is what the inventory says                  (read, parsed)
    spotter      link test to the peer: reachable, credentials accepted    ("Test")
    PTZ          the preset and the tracking rule the link uses are there
    spotter      performs the event's action on the peer now and answers how it went,
                 first-hand: contact, then the action itself               ("Test preset")
    PTZ          position = the preset's (the inventory's position when it gives one),
                 tracking runs with the named rule, the digital output is on
    PTZ          put back: position, tracking, output as they were before

The first check that fails ends that pair's run and names the likely cause (``Cause``). So a
preset or rule deleted out of band is found by the PTZ check before the action; an action
the spotter reports failed (``action`` not ok) is the failure of "test preset", named in the
spotter's words, and the PTZ-side effect checks then do not run (they would only show its
consequence). A refused action is attributed by reading the PTZ again: the preset or rule
now missing, else ``action_refused``.

With an emulated fleet and ``end_to_end``, each (spotter, event) is then fired through the
emulator's control plane and the same effects are checked on every PTZ it targets.

Concurrency: one client per camera (one request in flight per camera); the pairs of one PTZ
run in order on one worker (they move the same camera); different PTZ cameras run at once.
The end-to-end phase runs one firing at a time: an event may move several PTZ cameras.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from camlink_provision.camera import CameraClient, Position, TrackingStatus
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Link, LinkTarget, Schedule, Site
from camlink_provision.model import JSON, Observed
from camlink_provision.plan import DEFAULT_CONCURRENCY, ClientFactory, default_client
from camlink_provision.resources import events, peers, presets
from camlink_provision.resources.base import Have
from camlink_provision.runner import run_each

if TYPE_CHECKING:
    from camlink_provision.emulator import Fleet

Cause = Literal[
    "camera_unreachable",  # this tool could not reach a camera (spotter or PTZ)
    "camera_unauthorized",  # a camera refused this tool's credentials
    "camera_error",  # a camera refused or garbled one of this tool's requests
    "event_missing",  # the spotter holds no event of the link's name
    "peer_missing",  # the spotter holds no camera-link peer for the PTZ
    "action_differs",  # the spotter's camera-link action is not what the inventory says
    "peer_unreachable",  # the spotter's link test could not reach the PTZ
    "credentials_refused",  # the PTZ refused the credentials the spotter stores
    "preset_missing",  # the PTZ holds no preset of that name
    "rule_missing",  # the PTZ holds no tracking rule of that name
    "action_refused",  # the PTZ refused a call of the spotter's action; preset, rule there
    "position_off",  # the PTZ did not end at the preset's position
    "tracking_not_running",  # the PTZ is not tracking after the action
    "wrong_rule",  # the PTZ tracks with another rule
    "output_not_pulsed",  # the PTZ's digital output did not switch on
    "event_not_fired",  # end-to-end: the spotter's event did not run on its trigger
    "restore_failed",  # the PTZ could not be put back where it was
]

OK = profile.LINK_TEST_RESULTS[0]
TRACKING = profile.TRACKING_STATUSES[1]
# Readings are exact on the emulator; a real dome may report a position a step or two from
# the one it stored (motor encoders), so callers may allow a small error per axis.
DEFAULT_TOLERANCE = 0
# A real dome takes seconds to reach a preset; the emulator moves at once. Position reads
# are repeated until they match or this many seconds pass (0: read once).
DEFAULT_SETTLE_SECONDS = 5.0
SETTLE_POLL_SECONDS = 0.25
# Moved this far on pan when the PTZ already stands at the preset, so a move can be seen.
NUDGE = 1000
PAN_LIMIT = 36000
# A spotter's link test waits for its peer's own timeouts: give it longer than a read.
LINK_TEST_TIMEOUT = 15.0
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

CAMERA_ERROR_CAUSES: dict[str, Cause] = {"unreachable": "camera_unreachable",
                                         "unauthorized": "camera_unauthorized"}
LINK_TEST_CAUSES: dict[str, tuple[Cause, str]] = {
    "unreachable": ("peer_unreachable", "the spotter cannot reach the PTZ at {where} "
                    "(address, port, power or network between them)"),
    "unauthorized": ("credentials_refused", "the PTZ refused the credentials the spotter "
                     "stores for it (peer password changed on one side?)"),
}
# The spotter's own answer on the action it performed ("Test preset"), when not ok;
# "refused" is attributed by reading the PTZ again (``PairCheck.refused_cause``).
ACTION_CAUSES: dict[str, tuple[Cause, str]] = {
    "unreachable": ("peer_unreachable", "a call of the action did not reach the PTZ at "
                    "{where} (though the spotter's contact read did): network or PTZ "
                    "overloaded or restarting?"),
    "unauthorized": ("credentials_refused", "the PTZ refused the spotter's stored "
                     "credentials for a call of the action, though it accepted them for the "
                     "contact read: the account may lack the privilege a call of the action "
                     "needs (e.g. operator for the digital output)"),
}


# -- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One thing looked at, in words: ``ok`` or why not."""

    name: str  # event, peer, action, link test, preset, tracking rule, test preset,
    #            position, tracking, output, end-to-end, restore
    ok: bool
    detail: str

    def to_json(self) -> dict[str, JSON]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one (link, target PTZ): passed, or the first failure and its cause."""

    link: str
    spotter: str
    event: str
    ptz: str
    checks: tuple[Check, ...] = ()
    cause: Cause | None = None  # None: passed

    @property
    def passed(self) -> bool:
        return self.cause is None

    @property
    def failure(self) -> Check | None:
        """The first check that failed (what the table shows)."""
        return next((c for c in self.checks if not c.ok), None)

    @property
    def restored(self) -> bool:
        return all(c.ok for c in self.checks if c.name == "restore")

    def to_json(self) -> dict[str, JSON]:
        failure = self.failure
        return {"link": self.link, "spotter": self.spotter, "event": self.event,
                "ptz": self.ptz, "passed": self.passed, "cause": self.cause,
                "failed_check": failure.name if failure else None,
                "detail": failure.detail if failure else "",
                "restored": self.restored,
                "checks": [c.to_json() for c in self.checks]}


@dataclass(frozen=True)
class VerifyReport:
    site: str
    results: tuple[LinkResult, ...]
    end_to_end: bool = False

    @property
    def failed(self) -> list[LinkResult]:
        return [r for r in self.results if not r.passed]

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, JSON]:
        return {"site": self.site, "end_to_end": self.end_to_end,
                "totals": {"links": len(self.results), "passed": len(self.results)
                           - len(self.failed), "failed": len(self.failed)},
                "results": [r.to_json() for r in self.results]}


class _Failed(Exception):
    """Ends one pair's checks at the first failure."""

    def __init__(self, cause: Cause, check: str, detail: str) -> None:
        super().__init__(detail)
        self.cause, self.check, self.detail = cause, check, detail


# -- what verify works on ----------------------------------------------------------------------
@dataclass(frozen=True)
class Pair:
    """One target of one link: the unit verify judges."""

    link: Link
    target: LinkTarget

    @property
    def ptz(self) -> str:
        return self.target.ptz

    def result(self, checks: Sequence[Check], cause: Cause | None) -> LinkResult:
        return LinkResult(self.link.name, self.link.spotter, self.link.event, self.ptz,
                          tuple(checks), cause)


def pairs_of(site: Site, names: Sequence[str]) -> list[Pair]:
    """Every (present link, target) with its spotter or its PTZ among the selected cameras."""
    chosen = set(names)
    return [Pair(link, target) for link in site.links if link.state == "present"
            for target in link.targets
            if link.spotter in chosen or target.ptz in chosen]


@dataclass(frozen=True)
class SpotterFacts:
    """A spotter's events and peers as it reported them (the planner's pure parse)."""

    events: tuple[Have, ...]
    peers: tuple[Have, ...]


def read_spotter(client: CameraClient) -> SpotterFacts:
    # The capability counts too: the parse sizes each group by them.
    params = client.getparam([*profile.IDENTITY_GROUPS, profile.EVENT_GROUP, profile.PEER_GROUP])
    observed = Observed(client.name, params)
    return SpotterFacts(tuple(events.RESOURCE.observed(observed)),
                        tuple(peers.RESOURCE.observed(observed)))


@dataclass(frozen=True)
class Before:
    """What a PTZ was doing before verify touched it, to put it back."""

    position: Position
    tracking: TrackingStatus
    output: str | None  # status_do_i0, when the link pulses it


class Clients:
    """One client per camera, shared by the workers (each serialises its own requests)."""

    def __init__(self, site: Site, factory: ClientFactory) -> None:
        self._site, self._factory = site, factory
        self._clients: dict[str, CameraClient] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> CameraClient:
        with self._lock:
            if name not in self._clients:
                camera = self._site.cameras[name]
                if camera.role == "spotter":
                    timeout = max(camera.connection.timeout, LINK_TEST_TIMEOUT)
                    camera = replace(camera, connection=replace(camera.connection,
                                                                timeout=timeout))
                self._clients[name] = self._factory(camera)
            return self._clients[name]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


@dataclass
class Run:
    """Everything one verify run shares between its workers."""

    site: Site
    clients: Clients
    tolerance: int
    settle: float
    spotters: dict[str, SpotterFacts | CameraError] = field(default_factory=dict)


# -- the steps of one pair ---------------------------------------------------------------------
class PairCheck:
    """The checks of one pair, in order; ``run`` returns its LinkResult."""

    def __init__(self, run: Run, pair: Pair) -> None:
        self.run, self.pair = run, pair
        self.checks: list[Check] = []
        self.cause: Cause | None = None  # of the end-to-end phase's first failure
        self.spotter = run.clients(pair.link.spotter)
        self.ptz = run.clients(pair.ptz)
        self.ptz_camera = run.site.cameras[pair.ptz]

    def passed(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, True, detail))

    def fail(self, cause: Cause, name: str, detail: str) -> _Failed:
        return _Failed(cause, name, detail)

    def run_checks(self) -> LinkResult:
        failed: _Failed | None = None
        before: Before | None = None
        try:
            with camera_errors():
                event_slot, peer_slot = self.configured()
                self.link_test(peer_slot)
                stored = self.ptz_offers()
                before = read_before(self.ptz, bool(self.pair.target.do_duration))
                self.prepare(stored, before)
                self.perform(event_slot, peer_slot)
                self.effects(stored)
        except _Failed as stop:
            failed = stop
            self.checks.append(Check(stop.check, False, stop.detail))
        if before is not None:  # the PTZ was touched (or about to be): put it back
            self.restore(before)
        if failed is not None:
            return self.pair.result(self.checks, failed.cause)
        restored = all(c.ok for c in self.checks)
        return self.pair.result(self.checks, None if restored else "restore_failed")

    # spotter configuration
    def configured(self) -> tuple[int, int]:
        facts = self.run.spotters[self.pair.link.spotter]
        if isinstance(facts, CameraError):
            raise facts
        event_slot = self.event_slot(facts)
        peer_slot = self.peer_slot(facts)
        self.action_matches(facts, event_slot, peer_slot)
        return event_slot, peer_slot

    def event_slot(self, facts: SpotterFacts) -> int:
        name = self.pair.link.event
        held = next((h for h in facts.events if h.name == name and h.slot is not None), None)
        if held is None or held.slot is None:
            raise self.fail("event_missing", "event", f"the spotter holds no event '{name}'")
        self.passed("event", f"event '{name}' in slot {held.slot}")
        return held.slot

    def peer_slot(self, facts: SpotterFacts) -> int:
        ptz = self.ptz_camera
        key = peers.address_key(ptz.address, str(ptz.site_port))
        held = (next((h for h in facts.peers if key in h.match_keys), None)
                or next((h for h in facts.peers if h.name == ptz.name), None))
        if held is None or held.slot is None:
            raise self.fail("peer_missing", "peer", f"the spotter holds no camera-link peer "
                            f"for {ptz.name} ({ptz.address}:{ptz.site_port})")
        where = f"{held.attrs.get('ipaddress', '')}:{held.attrs.get('port', '')}"
        if held.attrs.get("enable") != events.ON:
            raise self.fail("peer_missing", "peer", f"the spotter's peer for {ptz.name} "
                            f"(slot {held.slot}, {where}) is disabled")
        self.passed("peer", f"peer slot {held.slot} -> {where}")
        return held.slot

    def action_matches(self, facts: SpotterFacts, event_slot: int, peer_slot: int) -> None:
        held = next(h for h in facts.events if h.slot == event_slot).attrs
        wanted = events.target_action(self.pair.target)
        differ = [f"{key} is '{held.get(events.action_field(peer_slot, key), '')}', the "
                  f"inventory says '{value}'" for key, value in wanted.items()
                  if held.get(events.action_field(peer_slot, key), "") != value]
        if differ:
            raise self.fail("action_differs", "action", "the spotter's camera-link action "
                            f"for {self.pair.ptz}: " + "; ".join(differ))
        self.passed("action", f"event slot {event_slot}, peer {peer_slot}: as the inventory "
                    "says")

    def link_test(self, peer_slot: int) -> None:
        outcome = self.spotter.link_test(peer_slot)
        self.judge_link_test(outcome, "link test")
        self.passed("link test", "reachable, credentials accepted")

    def judge_link_test(self, outcome: str, check: str) -> None:
        if outcome == OK:
            return
        ptz = self.ptz_camera
        cause, text = LINK_TEST_CAUSES.get(outcome, ("peer_unreachable", "the link test "
                                                     f"said '{outcome}'"))
        raise self.fail(cause, check, text.format(where=f"{ptz.address}:{ptz.site_port}"))

    # the PTZ before the action
    def ptz_offers(self) -> Have | None:
        """The held preset the link recalls (None when it names none); checks the rule."""
        target = self.pair.target
        stored: Have | None = None
        if target.preset:
            stored = self.held_presets().get(target.preset)
            if stored is None:
                raise self.fail("preset_missing", "preset", f"{self.pair.ptz} holds no preset "
                                f"'{target.preset}'")
            self.passed("preset", f"'{target.preset}' stored at {position_text(stored.attrs)}")
        if target.track_rule:
            rules = self.ptz.tracking_rules()
            if target.track_rule not in rules:
                raise self.fail("rule_missing", "tracking rule", f"{self.pair.ptz} holds no "
                                f"tracking rule '{target.track_rule}'")
            self.passed("tracking rule", f"'{target.track_rule}' present")
        return stored

    def held_presets(self) -> dict[str, Have]:
        """The PTZ's presets by name (the first slot holding a name)."""
        params = self.ptz.getparam([*profile.IDENTITY_GROUPS, profile.PRESET_GROUP])
        held: dict[str, Have] = {}
        for have in presets.RESOURCE.observed(Observed(self.ptz.name, params)):
            held.setdefault(have.name, have)
        return held

    def prepare(self, stored: Have | None, before: Before) -> None:
        """Make every expected effect observable: a PTZ already at the preset, already
        tracking, or with its output already on would show the effect without the action."""
        expected = self.expected_position(stored)
        if expected is not None and near(before.position, expected, self.run.tolerance):
            self.ptz.move(*away_from(expected))
        if self.pair.target.track_rule and before.tracking.status == TRACKING:
            self.ptz.stop_tracking()
        if self.pair.target.do_duration and before.output == events.ON:
            self.ptz.set_do(0)

    def expected_position(self, stored: Have | None) -> Position | None:
        """The inventory's position of the preset when it gives one, else the stored one."""
        if stored is None:
            return None
        declared = next((p for p in self.ptz_camera.presets
                         if p.name == stored.name and p.state == "present"), None)
        if declared is not None and None not in (declared.pan, declared.tilt, declared.zoom):
            return Position(declared.pan or 0, declared.tilt or 0, declared.zoom or 0)
        return stored_position(stored)

    # the action and its effects
    def perform(self, event_slot: int, peer_slot: int) -> None:
        answer = self.spotter.link_test_action(peer_slot, event_slot)
        self.judge_link_test(answer.result, "test preset")
        if answer.action != OK:
            raise self.action_failed(answer.action, event_slot)
        self.passed("test preset", f"the spotter ran event slot {event_slot}'s action on "
                    f"peer {peer_slot}: action='{answer.action}'")

    def action_failed(self, action: str, event_slot: int) -> _Failed:
        """The spotter's own word that its action failed, as the failure of "test preset"."""
        said = (f"the spotter performed event slot {event_slot}'s action and answered "
                f"action='{action}': ")
        if action == "refused":
            cause, why = self.refused_cause()
        else:
            ptz = self.ptz_camera
            cause, text = ACTION_CAUSES[action]  # the client admits no other answer
            why = text.format(where=f"{ptz.address}:{ptz.site_port}")
        return self.fail(cause, "test preset", said + why)

    def refused_cause(self) -> tuple[Cause, str]:
        """Why the PTZ refused a call of the action: the preset or rule the link names, if
        it is missing now (read again: it was there just before), else ``action_refused``."""
        target, ptz = self.pair.target, self.pair.ptz
        if target.preset and target.preset not in self.held_presets():
            return "preset_missing", f"{ptz} holds no preset '{target.preset}'"
        if target.track_rule and target.track_rule not in self.ptz.tracking_rules():
            return "rule_missing", f"{ptz} holds no tracking rule '{target.track_rule}'"
        names = [f"{kind} '{name}'" for kind, name in (("preset", target.preset),
                                                      ("tracking rule", target.track_rule))
                 if name]
        holds = f", though it holds {' and '.join(names)}" if names else ""
        return "action_refused", (f"{ptz} refused a call of the action{holds} (a command its "
                                  "firmware rejects, or an error on the PTZ)")

    def effects(self, stored: Have | None) -> None:
        self.judge_effects(stored, self.read_effects(stored), "")

    def read_effects(self, stored: Have | None) -> Effects:
        # The output first: it is the one effect that ends by itself (after its duration).
        output = read_output(self.ptz) if self.pair.target.do_duration else None
        expected = self.expected_position(stored)
        position = (settled_position(self.ptz, expected, self.run.tolerance, self.run.settle)
                    if expected is not None else None)
        tracking = self.ptz.tracking_status() if self.pair.target.track_rule else None
        return Effects(position, tracking, output)

    def judge_effects(self, stored: Have | None, seen: Effects, prefix: str) -> None:
        target = self.pair.target
        expected = self.expected_position(stored)
        if expected is not None and seen.position is not None:
            self.judge_position(stored, expected, seen.position, prefix)
        if target.track_rule and seen.tracking is not None:
            self.judge_tracking(target.track_rule, seen.tracking, prefix)
        if target.do_duration:
            if seen.output != events.ON:
                raise self.fail("output_not_pulsed", prefix + "output", f"{self.pair.ptz}'s "
                                "digital output is off right after the action")
            self.passed(prefix + "output", "digital output on")

    def judge_position(self, stored: Have | None, expected: Position, seen: Position,
                       prefix: str) -> None:
        if near(seen, expected, self.run.tolerance):
            self.passed(prefix + "position", f"at {position_text(expected._asdict())}")
            return
        detail = (f"{self.pair.ptz} is at {position_text(seen._asdict())}, off by "
                  f"{offset_text(seen, expected)} from preset '{self.pair.target.preset}'")
        if stored is not None and not near(stored_position(stored), expected,
                                           self.run.tolerance):
            detail += (f"; the camera stores it at {position_text(stored.attrs)}, the "
                       f"inventory says {position_text(expected._asdict())} (moved and "
                       "saved again by hand?)")
        raise self.fail("position_off", prefix + "position", detail)

    def judge_tracking(self, rule: str, seen: TrackingStatus, prefix: str) -> None:
        if seen.status != TRACKING:
            raise self.fail("tracking_not_running", prefix + "tracking", f"{self.pair.ptz}'s "
                            f"tracking status is '{seen.status}', not tracking '{rule}'")
        if seen.rule != rule:
            raise self.fail("wrong_rule", prefix + "tracking", f"{self.pair.ptz} tracks with "
                            f"rule '{seen.rule}', the link names '{rule}'")
        self.passed(prefix + "tracking", f"tracking with rule '{rule}'")

    # putting the PTZ back
    def restore(self, before: Before) -> None:
        try:
            put_back(self.ptz, before)
            now = self.ptz.position()
        except CameraError as exc:
            self.checks.append(Check("restore", False, f"could not put {self.pair.ptz} back: "
                                     f"{exc}"))
            return
        if now != before.position:
            self.checks.append(Check("restore", False, f"{self.pair.ptz} is at "
                                     f"{position_text(now._asdict())}, it was at "
                                     f"{position_text(before.position._asdict())}"))
            return
        self.passed("restore", f"back at {position_text(now._asdict())}")


@dataclass(frozen=True)
class Effects:
    position: Position | None
    tracking: TrackingStatus | None
    output: str | None


@contextmanager
def camera_errors() -> Iterator[None]:
    """A CameraError of this tool's own requests, as the failure of the step it stopped."""
    try:
        yield
    except CameraError as exc:
        cause = CAMERA_ERROR_CAUSES.get(exc.kind, "camera_error")
        raise _Failed(cause, "request", str(exc)) from None


# -- small PTZ helpers -------------------------------------------------------------------------
def read_output(client: CameraClient) -> str:
    return client.getparam([profile.DO_STATUS]).get(profile.DO_STATUS, "")


def read_before(client: CameraClient, output: bool) -> Before:
    return Before(client.position(), client.tracking_status(),
                  read_output(client) if output else None)


def put_back(client: CameraClient, before: Before) -> None:
    """Position, tracking and output as they were (a manual move also ends tracking)."""
    client.stop_tracking()
    client.move(*before.position)
    if before.tracking.status == TRACKING and before.tracking.rule:
        client.start_tracking(before.tracking.rule)
    if before.output is not None:
        client.set_do(1 if before.output == events.ON else 0)


def near(seen: Position, expected: Position, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen, expected, strict=True))


def away_from(position: Position) -> Position:
    pan = position.pan + NUDGE if position.pan + NUDGE <= PAN_LIMIT else position.pan - NUDGE
    return Position(pan, position.tilt, position.zoom)


def settled_position(client: CameraClient, expected: Position, tolerance: int,
                     settle: float) -> Position:
    """The PTZ's position once it matches, or the last one read within ``settle`` seconds."""
    seen = client.position()
    waited = 0.0
    while not near(seen, expected, tolerance) and waited < settle:
        threading.Event().wait(SETTLE_POLL_SECONDS)
        waited += SETTLE_POLL_SECONDS
        seen = client.position()
    return seen


def stored_position(stored: Have) -> Position:
    values = [stored.attrs.get(axis) for axis in presets.AXES]
    return Position(*(v if isinstance(v, int) else 0 for v in values))


def position_text(axes: Mapping[str, JSON]) -> str:
    return ", ".join(f"{axis}={axes.get(axis)}" for axis in presets.AXES)


def offset_text(seen: Position, expected: Position) -> str:
    return ", ".join(f"{axis} {s - e:+d}" for axis, s, e
                     in zip(presets.AXES, seen, expected, strict=True))


# -- end to end (emulator) -----------------------------------------------------------------------
class EndToEnd:
    """Fire each (spotter, event) through the emulator; check every PTZ it targets.

    A firing runs every event of the spotter whose trigger matches, and each event calls
    all its peers: every PTZ the spotter's links target is noted before and put back after.
    """

    def __init__(self, run: Run, fleet: Fleet) -> None:
        self.run, self.fleet = run, fleet

    def check(self, results: dict[Pair, LinkResult]) -> None:
        groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for pair, result in results.items():
            if result.passed:
                groups[(pair.link.spotter, pair.link.event)].append(pair)
        for (spotter, event), group in groups.items():
            for pair, (found, cause) in self.fire_group(spotter, event, group).items():
                results[pair] = replace(results[pair], checks=results[pair].checks
                                        + tuple(found), cause=cause)

    def fire_group(self, spotter: str, event: str,
                   group: list[Pair]) -> dict[Pair, tuple[list[Check], Cause | None]]:
        checks = {pair: PairCheck(self.run, pair) for pair in group}
        befores: dict[str, Before] = {}
        stopped: _Failed | None = None
        try:
            self.note(spotter, befores)
            stored = {pair: self.prepare(check, befores[pair.ptz])
                      for pair, check in checks.items()}
            fired = self.fire(spotter, event)
            for pair, check in checks.items():
                self.judge(check, fired, stored[pair])
        except _Failed as failed:  # could not note, prepare or fire: every pair says why
            stopped = failed
        finally:
            restored = self.put_back(befores)
        out: dict[Pair, tuple[list[Check], Cause | None]] = {}
        for pair, check in checks.items():
            found, cause = list(check.checks), check.cause
            if stopped is not None and cause is None:
                found.append(Check(stopped.check, False, stopped.detail))
                cause = stopped.cause
            if pair.ptz in restored:
                found.append(restored[pair.ptz])
                if not restored[pair.ptz].ok and cause is None:
                    cause = "restore_failed"
            out[pair] = (found, cause)
        return out

    def note(self, spotter: str, befores: dict[str, Before]) -> None:
        with camera_errors():
            for name in self.ptz_of_spotter(spotter):
                befores[name] = read_before(self.run.clients(name), True)

    def ptz_of_spotter(self, spotter: str) -> list[str]:
        names = [t.ptz for link in self.run.site.links_of(spotter) if link.state == "present"
                 for t in link.targets]
        return list(dict.fromkeys(names))

    @staticmethod
    def prepare(check: PairCheck, before: Before) -> Have | None:
        with camera_errors():
            stored = check.ptz_offers()
            check.prepare(stored, before)
        check.checks.clear()  # the same checks as the test-button phase: shown once
        return stored

    def fire(self, spotter: str, event_name: str) -> dict[str, JSON]:
        event = next(e for e in self.run.site.cameras[spotter].events if e.name == event_name)
        trigger = event.trigger
        inputs = trigger.inputs or events.DEFAULT_INPUTS
        # Each firing a week after the one before: the weekly schedule still matches, and no
        # "detect next event after" delay (at most 999 s) of an earlier firing can swallow it
        # (a sibling event on the same trigger, or an earlier verify on the same fleet).
        at = moment_in(event.schedule, datetime.now()) + timedelta(weeks=next(_FIRING_WEEKS))
        return self.fleet.fire(spotter, trigger.kind, rule=trigger.rule, input=inputs[0],
                               at=at)

    @staticmethod
    def judge(check: PairCheck, fired: Mapping[str, JSON], stored: Have | None) -> None:
        """Append the pair's end-to-end checks (its first failure ends them)."""
        pair = check.pair
        ran = [e for e in fired.get("events", []) if e.get("name") == pair.link.event]
        try:
            if not ran:
                skipped = [s for s in fired.get("skipped", []) if s.get("name") ==
                           pair.link.event]
                why = skipped[0].get("reason") if skipped else "no event matched the trigger"
                raise _Failed("event_not_fired", "end-to-end", f"firing {pair.link.spotter}'s "
                              f"trigger did not run event '{pair.link.event}': {why}")
            with camera_errors():
                check.judge_effects(stored, check.read_effects(stored), "end-to-end ")
        except _Failed as failed:
            check.checks.append(Check(failed.check, False, failed.detail))
            check.cause = failed.cause

    def put_back(self, befores: Mapping[str, Before]) -> dict[str, Check]:
        out: dict[str, Check] = {}
        for name, before in befores.items():
            client = self.run.clients(name)
            try:
                put_back(client, before)
                now = client.position()
            except CameraError as exc:
                out[name] = Check("end-to-end restore", False, f"could not put {name} back: "
                                  f"{exc}")
                continue
            out[name] = Check("end-to-end restore", now == before.position,
                              f"{name} at {position_text(now._asdict())}, was at "
                              f"{position_text(before.position._asdict())}")
        return out


_FIRING_WEEKS = itertools.count(1)  # process-wide: fleets outlive one verify run in tests


def moment_in(schedule: Schedule, now: datetime) -> datetime:
    """Now when the schedule is active, else its next start: the event path is checked the
    same by day and by night (whether the schedule is right is the inventory's business).
    The emulator judges the schedule at this moment; nothing waits for it."""
    if DAY_NAMES[now.weekday()] in schedule.days and active_at(schedule, now):
        return now
    hours, minutes = (int(part) for part in schedule.begin.split(":"))
    for offset in range(8):
        day = now.date() + timedelta(days=offset)
        start = datetime.combine(day, time()) + timedelta(hours=hours, minutes=minutes)
        if DAY_NAMES[day.weekday()] in schedule.days and start > now:
            return start
    return now  # no day at all: the firing shows that the event does not run


def active_at(schedule: Schedule, moment: datetime) -> bool:
    """The time of day inside [begin, end); begin == end is all day, begin > end wraps."""
    minute = moment.hour * 60 + moment.minute
    begin, end = (int(t[:2]) * 60 + int(t[3:]) for t in (schedule.begin, schedule.end))
    if begin == end:
        return True
    return begin <= minute < end if begin < end else minute >= begin or minute < end


# -- the run -------------------------------------------------------------------------------------
def read_spotters(run: Run, names: Sequence[str], concurrency: int) -> None:
    def one(name: str) -> SpotterFacts | CameraError:
        try:
            return read_spotter(run.clients(name))
        except CameraError as exc:
            return exc

    facts = run_each(names, one, concurrency=concurrency, name="verify-spotter")
    run.spotters.update(zip(names, facts, strict=True))


def check_ptz_pairs(run: Run, pairs: Sequence[Pair]) -> list[tuple[Pair, LinkResult]]:
    """The pairs of one PTZ, in order: they move the same camera."""
    return [(pair, PairCheck(run, pair).run_checks()) for pair in pairs]


def by_ptz(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[pair.ptz].append(pair)
    return dict(groups)


def verify_site(site: Site, names: Sequence[str], *, concurrency: int = DEFAULT_CONCURRENCY,
                client_factory: ClientFactory | None = None, fleet: Fleet | None = None,
                end_to_end: bool = False, tolerance: int = DEFAULT_TOLERANCE,
                settle: float | None = None) -> VerifyReport:
    """Check every link touching the selected cameras; one LinkResult per (link, target).

    ``settle``: seconds to wait for a PTZ to reach a preset (default: none with an emulated
    fleet, which moves at once, else ``DEFAULT_SETTLE_SECONDS``). ``end_to_end`` needs the
    emulated ``fleet``.
    """
    if end_to_end and fleet is None:
        raise ValueError("the end-to-end check fires detections through the emulator: "
                         "it needs an emulated fleet")
    pairs = pairs_of(site, names)
    wait = settle if settle is not None else (0.0 if fleet is not None
                                              else DEFAULT_SETTLE_SECONDS)
    clients = Clients(site, client_factory or default_client)
    run = Run(site, clients, tolerance, wait)
    try:
        spotters = list(dict.fromkeys(pair.link.spotter for pair in pairs))
        if spotters:
            read_spotters(run, spotters, concurrency)
        results = run_pairs(run, pairs, concurrency)
        if end_to_end and fleet is not None:
            EndToEnd(run, fleet).check(results)
    finally:
        clients.close()
    return VerifyReport(site.name, tuple(results[pair] for pair in pairs), end_to_end)


def run_pairs(run: Run, pairs: Sequence[Pair], concurrency: int) -> dict[Pair, LinkResult]:
    groups = list(by_ptz(pairs).values())
    done = run_each(groups, lambda group: check_ptz_pairs(run, group),
                    concurrency=concurrency, name="verify")
    return {pair: result for group in done for pair, result in group}

