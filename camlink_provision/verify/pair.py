"""The checks of one (link, target PTZ), in order: ``PairCheck(run, pair).run_checks()``.

    spotter   its event and its peer for the PTZ exist; the event's camera-link action for
              that peer is what the inventory says                         (read, parsed)
    spotter   link test to the peer: reachable, credentials accepted       ("Test")
    PTZ       the preset and the tracking rule the link uses are there
    PTZ       the account the spotter calls with: there, privilege enough for the link's
              calls, the inventory's link password accepted (a login as it)
    spotter   performs the event's action on the peer now and answers how it went,
              first-hand: contact, then the action itself                  ("Test preset")
    PTZ       position = the preset's (the inventory's position when it gives one),
              tracking runs with the named rule, the digital output is on
    PTZ       put back: position, tracking, output as they were before

With ``--read-only`` (``Run.read_only``) only the first four run: they read stored settings
(getparam, the VCA rules) and ask the spotter for a plain link test, a contact that
checks the PTZ is reachable and accepts the stored account, and performs no action. "Test
preset" and the effect checks (they move the PTZ, start tracking, pulse the output) are
recorded as skipped, never as passed; nothing needs putting back.

The first check that fails ends the pair and names the likely cause. A preset or rule
deleted out of band is thus found by the PTZ check before the action; an action the spotter
reports failed is the failure of "test preset", in the spotter's words, and the PTZ-side
effect checks do not run (they would only show its consequence). A refused action is
attributed by reading the PTZ again: the preset or rule now missing, else
``action_refused``.
"""

from __future__ import annotations

from camlink_provision.camera import Position, TrackingStatus
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Credentials, LinkTarget
from camlink_provision.resources import events, peers
from camlink_provision.resources.base import Have
from camlink_provision.verify.context import (
    Pair,
    PtzFacts,
    Run,
    SpotterFacts,
    camera_errors,
)
from camlink_provision.verify.ptz import (
    Before,
    Effects,
    away_from,
    is_tracking,
    near,
    offset_text,
    position_text,
    put_back,
    read_before,
    read_output,
    settled_position,
    stored_position,
)
from camlink_provision.verify.report import Cause, Check, Failed, LinkResult

# The spotter's link test outcome (its contact with the PTZ), when not ok.
LINK_TEST_CAUSES: dict[str, tuple[Cause, str]] = {
    profile.LINK_TEST_UNREACHABLE: ("peer_unreachable", "the spotter cannot reach the PTZ at "
                               "{where} (address, port, power or network between them)"),
    profile.LINK_TEST_UNAUTHORIZED: ("credentials_refused", "the PTZ refused the credentials the "
                                "spotter stores for it (peer password changed on one side?)"),
}
# The spotter's own answer on the action it performed ("Test preset"), when not ok;
# a refused action is attributed by reading the PTZ again (``PairCheck.refused_cause``).
ACTION_CAUSES: dict[str, tuple[Cause, str]] = {
    profile.LINK_TEST_UNREACHABLE: (
        "peer_unreachable", "a call of the action did not reach the PTZ at {where} (though "
        "the spotter's contact read did): network or PTZ overloaded or restarting?"),
    profile.LINK_TEST_UNAUTHORIZED: (
        "credentials_refused", "the PTZ refused the spotter's stored credentials for a call "
        "of the action, though it accepted them for the contact read: the account may lack "
        "the privilege a call of the action needs (e.g. operator for the digital output)"),
}


def needed_privilege(target: LinkTarget) -> str:
    """What the link's calls need of the PTZ account: the output is operator's (dido level
    4), a recall or tracking a viewer's [modelled: contract section 1]."""
    return "operator" if target.do_duration else "viewer"


class PairCheck:
    """The checks of one pair, in order; ``run_checks`` returns its LinkResult. The end-to-end
    phase reuses the PTZ-side steps (``ptz_offers``, ``prepare``, ``judge_effects``)."""

    def __init__(self, run: Run, pair: Pair) -> None:
        self.run, self.pair = run, pair
        self.checks: list[Check] = []
        self.cause: Cause | None = None  # of the end-to-end phase's first failure
        self.spotter = run.clients(pair.link.spotter)
        self.ptz = run.clients(pair.ptz)
        self.ptz_camera = run.site.cameras[pair.ptz]
        self.ptz_facts: PtzFacts | None = None  # the PTZ as read before the action

    def passed(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, True, detail))

    def run_checks(self) -> LinkResult:
        failed: Failed | None = None
        before: Before | None = None
        try:
            with camera_errors():
                event_slot, peer_slot = self.configured()
                self.link_test(peer_slot)
                stored = self.ptz_offers()
                self.link_account(peer_slot)
                if self.run.read_only:
                    self.skip_changes()
                    return self.pair.result(self.checks, None)
                before = read_before(self.ptz, bool(self.pair.target.do_duration))
                self.prepare(stored, before)
                self.perform(event_slot, peer_slot)
                self.effects(stored)
        except Failed as stop:
            failed = stop
            self.checks.append(stop.as_check())
        if before is not None:  # the PTZ was touched (or about to be): put it back
            self.restore(before)
        if failed is not None:
            return self.pair.result(self.checks, failed.cause)
        restored = all(c.ok for c in self.checks)
        return self.pair.result(self.checks, None if restored else "restore_failed")

    def skip_changes(self) -> None:
        """``--read-only``: the checks that would change a camera, recorded as skipped."""
        target = self.pair.target
        skipped = [("test preset", "the spotter would perform its action on the PTZ")]
        if target.preset:
            skipped.append(("position", f"the PTZ would move to preset '{target.preset}'"))
        if target.track_rule:
            skipped.append(("tracking", f"the PTZ would start tracking "
                            f"'{target.track_rule}'"))
        if target.do_duration:
            skipped.append(("output", "the PTZ's digital output would be pulsed"))
        for name, why in skipped:
            self.checks.append(Check(name, True, f"skipped (read-only): {why}", skipped=True))

    # -- spotter configuration -------------------------------------------------------------
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
            raise Failed("event_missing", "event", f"the spotter holds no event '{name}'")
        self.passed("event", f"event '{name}' in slot {held.slot}")
        return held.slot

    def peer_slot(self, facts: SpotterFacts) -> int:
        ptz = self.ptz_camera
        key = peers.address_key(ptz.address, str(ptz.site_port))
        held = (next((h for h in facts.peers if key in h.match_keys), None)
                or next((h for h in facts.peers if h.name == ptz.name), None))
        if held is None or held.slot is None:
            raise Failed("peer_missing", "peer", f"the spotter holds no camera-link peer "
                         f"for {ptz.name} ({ptz.address}:{ptz.site_port})")
        where = (f"{held.attrs.get(profile.PEER_ADDRESS, '')}:"
                 f"{held.attrs.get(profile.PEER_PORT, '')}")
        if held.attrs.get(profile.PEER_ENABLE) != events.ON:
            raise Failed("peer_missing", "peer", f"the spotter's peer for {ptz.name} "
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
            raise Failed("action_differs", "action", "the spotter's camera-link action "
                         f"for {self.pair.ptz}: " + "; ".join(differ))
        self.passed("action", f"event slot {event_slot}, peer {peer_slot}: as the inventory "
                    "says")

    def link_test(self, peer_slot: int) -> None:
        outcome = self.spotter.link_test(peer_slot)
        if outcome == profile.LINK_TEST_UNAUTHORIZED:
            self.account_missing(peer_slot)
        self.judge_link_test(outcome, "link test")
        self.passed("link test", "reachable, credentials accepted")

    def stored_user(self, peer_slot: int) -> str:
        """The account name the spotter calls the PTZ with."""
        facts = self.run.spotters[self.pair.link.spotter]
        assert not isinstance(facts, CameraError)  # ``configured`` read it
        held = next(h for h in facts.peers if h.slot == peer_slot)
        return str(held.attrs.get(profile.PEER_USERNAME, ""))

    def account_missing(self, peer_slot: int) -> None:
        """A refused link test whose account the PTZ does not even hold says so."""
        user = self.stored_user(peer_slot)
        if user not in self.run.read_ptz(self.pair.ptz).accounts:
            raise Failed("link_account_missing", "link test", f"{self.pair.ptz} has no "
                         f"account '{user}', the one the spotter calls with (apply creates "
                         "it)")

    def where(self) -> str:
        return f"{self.ptz_camera.address}:{self.ptz_camera.site_port}"

    def judge_link_test(self, outcome: str, check: str) -> None:
        if outcome == profile.LINK_TEST_OK:
            return
        cause, text = LINK_TEST_CAUSES.get(outcome, ("peer_unreachable", "the link test "
                                                     f"said '{outcome}'"))
        raise Failed(cause, check, text.format(where=self.where()))

    # -- the PTZ before the action ---------------------------------------------------------
    def ptz_offers(self) -> Have | None:
        """The held preset the link recalls (None when it names none); checks the rule."""
        target = self.pair.target
        held = self.ptz_facts = self.run.read_ptz(self.pair.ptz)
        stored: Have | None = None
        if target.preset:
            stored = held.presets.get(target.preset)
            if stored is None:
                raise Failed("preset_missing", "preset", f"{self.pair.ptz} holds no preset "
                             f"'{target.preset}'")
            self.passed("preset", f"'{target.preset}' stored at {position_text(stored.attrs)}")
        if target.track_rule:
            if target.track_rule not in held.rules:
                raise Failed("rule_missing", "tracking rule", f"{self.pair.ptz} holds no "
                             f"tracking rule '{target.track_rule}'")
            self.passed("tracking rule", f"'{target.track_rule}' present")
        return stored

    def link_account(self, peer_slot: int) -> None:
        """The account the spotter calls with exists on the PTZ, may do what the link does,
        and takes the inventory's link password (a login as it; nothing is changed)."""
        user = self.stored_user(peer_slot)
        assert self.ptz_facts is not None  # ``ptz_offers`` read it
        privilege = self.ptz_facts.accounts.get(user)
        if privilege is None:
            raise Failed("link_account_missing", "link account", f"{self.pair.ptz} has no "
                         f"account '{user}', the one the spotter calls with (apply creates "
                         "it)")
        needed = needed_privilege(self.pair.target)
        if profile.PRIVILEGE_LEVELS.get(privilege, 0) < profile.PRIVILEGE_LEVELS[needed]:
            raise Failed("link_account_privilege", "link account", f"account '{user}' is "
                         f"{privilege or 'without privilege'} on {self.pair.ptz}; the link's "
                         f"actions need {needed}")
        link = self.ptz_camera.peer_credentials
        if not self.ptz.login_accepted(Credentials(user, link.password)):
            raise Failed("link_password_differs", "link account", f"account '{user}' on "
                         f"{self.pair.ptz} refuses the inventory's link password (the "
                         "spotter's stored one still works): apply rotates it")
        self.passed("link account", f"'{user}' ({privilege}) takes the inventory's password")

    def prepare(self, stored: Have | None, before: Before) -> None:
        """Make every expected effect observable: a PTZ already at the preset, already
        tracking, or with its output already on would show the effect without the action."""
        expected = self.expected_position(stored)
        if expected is not None and near(before.position, expected, self.run.tolerance):
            self.ptz.move(*away_from(expected))
        if self.pair.target.track_rule and is_tracking(before.tracking):
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

    # -- the action and its effects --------------------------------------------------------
    def perform(self, event_slot: int, peer_slot: int) -> None:
        answer = self.spotter.link_test_action(peer_slot, event_slot)
        self.judge_link_test(answer.result, "test preset")
        if answer.action != profile.LINK_TEST_OK:
            raise self.action_failed(answer.action, event_slot)
        self.passed("test preset", f"the spotter ran event slot {event_slot}'s action on "
                    f"peer {peer_slot}: action='{answer.action}'")

    def action_failed(self, action: str, event_slot: int) -> Failed:
        """The spotter's own word that its action failed, as the failure of "test preset"."""
        said = (f"the spotter performed event slot {event_slot}'s action and answered "
                f"action='{action}': ")
        if action == profile.LINK_TEST_REFUSED:
            cause, why = self.refused_cause()
        else:
            cause, text = ACTION_CAUSES[action]  # the client admits no other answer
            why = text.format(where=self.where())
        return Failed(cause, "test preset", said + why)

    def refused_cause(self) -> tuple[Cause, str]:
        """Why the PTZ refused a call of the action: the preset or rule the link names, if
        it is missing now (read again: it was there just before), else ``action_refused``."""
        target, ptz = self.pair.target, self.pair.ptz
        held = self.run.read_ptz(ptz)
        if target.preset and target.preset not in held.presets:
            return "preset_missing", f"{ptz} holds no preset '{target.preset}'"
        if target.track_rule and target.track_rule not in held.rules:
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
                raise Failed("output_not_pulsed", prefix + "output", f"{self.pair.ptz}'s "
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
        raise Failed("position_off", prefix + "position", detail)

    def judge_tracking(self, rule: str, seen: TrackingStatus, prefix: str) -> None:
        if not is_tracking(seen):
            raise Failed("tracking_not_running", prefix + "tracking", f"{self.pair.ptz}'s "
                         f"tracking status is '{seen.status}', not tracking '{rule}'")
        if seen.rule != rule:
            raise Failed("wrong_rule", prefix + "tracking", f"{self.pair.ptz} tracks with "
                         f"rule '{seen.rule}', the link names '{rule}'")
        self.passed(prefix + "tracking", f"tracking with rule '{rule}'")

    # -- putting the PTZ back --------------------------------------------------------------
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
