"""Events (``event_i<slot>_*``), keyed by name, with the camera-link actions of links.

Managed fields of an event (firmware-contract.md sections 5 and 6):

- ``name``, ``enable``, ``priority`` (low/normal/high -> 0/1/2), ``delay``;
- the schedule: ``weekday`` (bit 0 Saturday .. bit 6 Sunday), ``begintime``, ``endtime``;
- the trigger: ``trigger`` and only the field that selects for it: ``vadp_rule`` (detection),
  ``di`` / ``vi`` bitmasks of inputs, ``mdwin`` bitmask of motion windows (input 0 / window
  0 when the inventory names none). The selectors of other triggers are not compared: they
  do nothing while the trigger differs, and a camera may keep old values there;
- the local actions: ``action_do_i0_enable`` (+ ``_duration`` when on) and
  ``action_goto_enable`` (+ ``_name`` when on);
- the camera-link action for every peer slot k (``action_cameralink_i<k>_*``): for each PTZ a
  present link of this event targets, at the slot its peer lives in (``Context.slots``, from
  the peers kind planned just before): enabled, the DO pulse, the preset, the tracking rule;
  every other peer slot disabled and at its defaults.

What a reviewer reads is ``view`` of those fields, in the inventory's words (docs/inventory.md):

    name, enabled (yes/no), priority (low/normal/high), delay ("10 s"),
    schedule ("every day 19:00-06:30", "mon-fri 00:00-24:00"),
    trigger ("detection yard-loiter", "digital input 1", "motion windows 1, 2"),
    local output ("5 s" | "off"), local preset (its name | "off"),
    "link -> <PTZ>" per peer slot, keyed by the PTZ camera the spotter's peer in that slot
    points at after the plan: "preset yard-containers, track yard-loiter, output 5 s" | "off"

Left alone: recording and upload actions (``action_cf_*``, ``action_server_*``): they point at
storage the inventory does not describe, and are set by hand or by a VMS. A *new* event does
reset any of them a previously used slot still holds, so it starts from factory defaults;
deleting an event resets its whole slot to the factory defaults in one setparam.

An update or deletion lists in ``releases`` each PTZ camera a preset or tracking rule of which
an enabled link action stops calling (``link_refs`` before and after, compared per PTZ: an
action that only changes its output pulse releases nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import cast

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import SetParams
from camlink_provision.inventory.model import (
    Camera,
    Event,
    LinkTarget,
    Priority,
    ResourceKind,
    Schedule,
    Site,
    Trigger,
    TriggerKind,
)
from camlink_provision.model import JSON, AttributeChange, Observed
from camlink_provision.resources import facts, peers
from camlink_provision.resources.base import (
    Adopted,
    Context,
    Have,
    KindResult,
    SlotResource,
    Wanted,
    created_attributes,
    leftover_change,
    unique,
    unknown,
    yes_no,
)

ON, OFF = profile.ON, profile.OFF
DEFAULT_INPUTS = (0,)  # input 0 / motion window 0 when the inventory names none
SUMMARY = ("name", "enabled", "trigger")  # what a deletion shows (view attributes)


@dataclass(frozen=True, kw_only=True)
class WantedEvent(Wanted):
    """An event plus its camera-link actions keyed by PTZ name (slots come at compare)."""

    actions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# -- field names, all derived from the profile -----------------------------------------------
def field_of(param: str, slot: int = 0) -> str:
    """The part of an ``event_i<slot>_...`` parameter name after the slot."""
    return param.removeprefix(profile.event_param(slot, ""))


def action_field(peer: int, name: str) -> str:
    return field_of(profile.link_action_param(0, peer, name))


@lru_cache(maxsize=8)
def slot_defaults(npeer: int) -> Mapping[str, str]:
    """Factory value of every field of one event slot on a camera with ``npeer`` peers."""
    caps = profile.Capabilities(npreset=0, ndi=0, ndo=0, nvi=0, nevent=1, npeer=npeer,
                                cameralink=npeer > 0, ptz=False)
    return {field_of(spec.name): spec.default for spec in profile.event_specs(0, caps)}


def action_defaults() -> dict[str, str]:
    return {name: default for name, (_, default) in profile.LINK_ACTION_FIELDS.items()}


# -- the inventory, in firmware terms ----------------------------------------------------------
def bitmask(bits: Sequence[int]) -> str:
    return str(sum(1 << bit for bit in set(bits)))


def weekday_mask(days: Sequence[str]) -> str:
    return str(sum(1 << profile.WEEKDAY_BITS[day] for day in set(days)))


def trigger_attrs(event: Event) -> dict[str, str]:
    trigger = event.trigger
    attrs = {profile.EVENT_TRIGGER: profile.TRIGGER_VALUES[trigger.kind]}
    if trigger.kind == "detection":
        attrs[profile.TRIGGER_RULE_FIELD] = trigger.rule or ""
    else:
        attrs[profile.TRIGGER_INPUT_FIELDS[trigger.kind]] = bitmask(trigger.inputs
                                                                    or DEFAULT_INPUTS)
    return attrs


def local_action_attrs(event: Event) -> dict[str, str]:
    attrs = {profile.EVENT_DO_ENABLE: ON if event.do_duration else OFF}
    if event.do_duration:
        attrs[profile.EVENT_DO_DURATION] = str(event.do_duration)
    attrs[profile.EVENT_GOTO_ENABLE] = ON if event.goto_preset else OFF
    if event.goto_preset:
        attrs[profile.EVENT_GOTO_NAME] = event.goto_preset
    return attrs


def event_attrs(event: Event) -> dict[str, str]:
    schedule = event.schedule
    return {
        profile.EVENT_NAME: event.name, profile.EVENT_ENABLE: ON if event.enabled else OFF,
        profile.EVENT_PRIORITY: profile.PRIORITIES[event.priority],
        profile.EVENT_DELAY: str(event.delay),
        profile.EVENT_WEEKDAY: weekday_mask(schedule.days), profile.EVENT_BEGIN: schedule.begin,
        profile.EVENT_END: schedule.end, **trigger_attrs(event), **local_action_attrs(event),
    }


def target_action(target: LinkTarget) -> dict[str, str]:
    out = action_defaults()
    out[profile.ACTION_ENABLE] = ON
    if target.do_duration:
        out[profile.ACTION_DO_ENABLE] = ON
        out[profile.ACTION_DO_DURATION] = str(target.do_duration)
    if target.preset:
        out[profile.ACTION_PRESET] = target.preset
    if target.track_rule:
        out[profile.ACTION_TRACK_ENABLE] = ON
        out[profile.ACTION_TRACK_RULE] = target.track_rule
    return out


def link_actions(site: Site, spotter: Camera) -> dict[str, dict[str, dict[str, str]]]:
    """event name -> PTZ name -> action fields, from the present links of this spotter."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for link in site.links_of(spotter.name):
        if link.state != "present":
            continue
        actions = out.setdefault(link.event, {})
        for target in link.targets:
            actions.setdefault(target.ptz, target_action(target))
    return out


# -- the firmware fields, in the inventory's words (the reviewer's view) ----------------------
INPUT_WORDS = {"di": "digital input", "vi": "virtual input", "motion": "motion window"}
WEEK = Schedule().days  # mon .. sun: the order a reviewer reads days in
LINK = "link -> "
OFF_TEXT = "off"
OTHER_ACTIONS = "recording and upload actions"  # unmanaged fields a new event resets
# firmware field -> the view attribute it feeds (link actions: ``Events.owners``)
OWNERS: dict[str, str] = {
    profile.EVENT_NAME: "name", profile.EVENT_ENABLE: "enabled",
    profile.EVENT_PRIORITY: "priority", profile.EVENT_DELAY: "delay",
    profile.EVENT_WEEKDAY: "schedule", profile.EVENT_BEGIN: "schedule",
    profile.EVENT_END: "schedule",
    profile.EVENT_TRIGGER: "trigger", profile.TRIGGER_RULE_FIELD: "trigger",
    **{selector: "trigger" for selector in profile.TRIGGER_INPUT_FIELDS.values()},
    profile.EVENT_DO_ENABLE: "local output", profile.EVENT_DO_DURATION: "local output",
    profile.EVENT_GOTO_ENABLE: "local preset", profile.EVENT_GOTO_NAME: "local preset",
}


def value_of(fields: Mapping[str, JSON], key: str) -> str:
    """A field as text; one the dict lacks reads as its factory default."""
    value = fields.get(key)
    if value is None:
        spec = profile.EVENT_FIELDS.get(key)
        return spec[1] if spec else ""
    return str(value)


def action_value(fields: Mapping[str, JSON], peer: int, name: str) -> str:
    value = fields.get(action_field(peer, name))
    return profile.LINK_ACTION_FIELDS[name][1] if value is None else str(value)


def seconds(value: str) -> str:
    return f"{value} s" if value.isdigit() else unknown(value)


def days_text(mask: str) -> str:
    """``127`` -> ``every day``; ``62`` -> ``mon-fri``; ``65`` -> ``sat, sun``."""
    if not mask.isdigit() or int(mask) > profile.ALL_WEEK:
        return unknown(mask)
    days = [day for day in WEEK if int(mask) >> profile.WEEKDAY_BITS[day] & 1]
    if len(days) == len(WEEK):
        return "every day"
    if not days:
        return "no day"
    runs: list[list[str]] = []
    for day in days:
        if runs and WEEK.index(day) == WEEK.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(run) for run in runs]
    return ", ".join(parts)


def schedule_text(fields: Mapping[str, JSON]) -> str:
    """``every day 19:00-06:30``: days, then the window (begin later than end spans midnight)."""
    return (f"{days_text(value_of(fields, profile.EVENT_WEEKDAY))} "
            f"{value_of(fields, profile.EVENT_BEGIN)}-{value_of(fields, profile.EVENT_END)}")


def numbers_text(words: str, mask: str) -> str:
    """``digital input 1``, ``motion windows 1, 2``: bit 0 is number 1, as on the web page."""
    if not mask.isdigit():
        return f"{words} {unknown(mask)}"
    numbers = [str(bit + 1) for bit in range(int(mask).bit_length()) if int(mask) >> bit & 1]
    if not numbers:
        return f"{words} (none)"
    return f"{words}{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"


def trigger_text(fields: Mapping[str, JSON]) -> str:
    """The trigger and only what selects for it: ``detection yard-loiter``, ``digital input 1``."""
    value = value_of(fields, profile.EVENT_TRIGGER)
    kind = profile.TRIGGER_KINDS.get(value)
    if kind == "detection":
        rule = value_of(fields, profile.TRIGGER_RULE_FIELD)
        return f"detection {rule}" if rule else "detection (no rule)"
    if kind in profile.TRIGGER_INPUT_FIELDS:
        return numbers_text(INPUT_WORDS[kind],
                            value_of(fields, profile.TRIGGER_INPUT_FIELDS[kind]))
    return value  # a trigger the inventory has no word for (boot, seq, tampering): as is


def output_text(enable: str, duration: str) -> str:
    return seconds(duration) if enable == ON else OFF_TEXT


def action_text(fields: Mapping[str, JSON], peer: int) -> str:
    """One camera-link action: ``preset gate, track gate-zone, output 5 s`` or ``off``."""
    if action_value(fields, peer, profile.ACTION_ENABLE) != ON:
        return OFF_TEXT
    parts = []
    preset = action_value(fields, peer, profile.ACTION_PRESET)
    if preset:
        parts.append(f"preset {preset}")
    if action_value(fields, peer, profile.ACTION_TRACK_ENABLE) == ON:
        rule = action_value(fields, peer, profile.ACTION_TRACK_RULE)
        parts.append(f"track {rule or '(no rule)'}")
    if action_value(fields, peer, profile.ACTION_DO_ENABLE) == ON:
        parts.append(f"output {seconds(action_value(fields, peer, profile.ACTION_DO_DURATION))}")
    return ", ".join(parts) or "on, does nothing"


def link_key(label: str) -> str:
    return LINK + label


def view(fields: Mapping[str, JSON], links: Mapping[int, str]) -> dict[str, JSON]:
    """One event slot's fields (as ``held`` returns them) in the inventory's words.

    ``links`` maps the peer slots to show to the PTZ camera each points at, in slot order.
    """
    priority = value_of(fields, profile.EVENT_PRIORITY)
    goto = value_of(fields, profile.EVENT_GOTO_NAME) or "(no preset)"
    goto_on = value_of(fields, profile.EVENT_GOTO_ENABLE) == ON
    out: dict[str, JSON] = {
        "name": value_of(fields, profile.EVENT_NAME),
        "enabled": yes_no(value_of(fields, profile.EVENT_ENABLE)),
        "priority": profile.PRIORITY_NAMES.get(priority, unknown(priority)),
        "delay": seconds(value_of(fields, profile.EVENT_DELAY)),
        "schedule": schedule_text(fields),
        "trigger": trigger_text(fields),
        "local output": output_text(value_of(fields, profile.EVENT_DO_ENABLE),
                                    value_of(fields, profile.EVENT_DO_DURATION)),
        "local preset": goto if goto_on else OFF_TEXT,
    }
    for peer in sorted(links):
        out[link_key(links[peer])] = action_text(fields, peer)
    return out


def peer_labels(ctx: Context) -> dict[int, str]:
    """Peer slot -> the PTZ camera its peer points at after the plan (else the one held).

    A name held in two slots gets the slot added, so that each link has its own line.
    """
    labels = {h.slot: h.label for h in peers.RESOURCE.observed(ctx.observed)
              if h.slot is not None}
    for name, slot in ctx.slots.get("peer", {}).items():
        labels[slot] = name
    count = Counter(labels.values())
    return {slot: f"{name} (peer slot {slot})" if count[name] > 1 else name
            for slot, name in sorted(labels.items())}


def link_refs(fields: Mapping[str, JSON], targets: Mapping[int, str]) -> set[tuple[str, str]]:
    """(PTZ camera, ``preset <name>`` | ``tracking_rule <name>``) for each thing on a PTZ that
    an enabled camera-link action of ``fields`` calls; ``targets`` maps a peer slot to the PTZ
    its peer calls (actions on other slots call no camera of the site)."""
    out: set[tuple[str, str]] = set()
    for peer, ptz in targets.items():
        if action_value(fields, peer, profile.ACTION_ENABLE) != ON:
            continue
        preset = action_value(fields, peer, profile.ACTION_PRESET)
        if preset:
            out.add((ptz, f"preset {preset}"))
        rule = action_value(fields, peer, profile.ACTION_TRACK_RULE)
        if action_value(fields, peer, profile.ACTION_TRACK_ENABLE) == ON and rule:
            out.add((ptz, f"tracking_rule {rule}"))
    return out


# -- the firmware fields, back in the inventory's words (adopt: the inverse of desired) -------
# The profile's inverse tables, narrowed to the inventory model's literal types.
KINDS_BY_TRIGGER = cast(dict[str, TriggerKind], profile.TRIGGER_KINDS)
PRIORITY_WORDS = cast(dict[str, Priority], profile.PRIORITY_NAMES)


@dataclass(frozen=True)
class HeldEvent:
    """A held event the inventory can say, with the slot it came from (its link actions are
    read from ``have``: which links they make is the importer's to decide, with the peers)."""

    event: Event
    have: Have

    def action(self, peer: int) -> dict[str, str]:
        """The camera-link action fields on peer slot ``peer`` (defaults where unreported)."""
        return {name: action_value(self.have.attrs, peer, name)
                for name in profile.LINK_ACTION_FIELDS}

    def calls(self, peer: int) -> bool:
        """Whether the camera-link action on peer slot ``peer`` is on."""
        return action_value(self.have.attrs, peer, profile.ACTION_ENABLE) == ON

    def keeps_settings(self, peer: int) -> bool:
        """An action that is off but not at its defaults (plan resets it)."""
        return not self.calls(peer) and self.action(peer) != action_defaults()

    def target(self, peer: int, ptz: str) -> tuple[LinkTarget, list[str]]:
        """The action on ``peer`` as a target on ``ptz``, and the action fields the target
        cannot carry as the spotter holds them (plan rewrites them)."""
        action = self.action(peer)
        target = adopt_target(ptz, action)
        return target, action_drift(target, action)


def bits(mask: str) -> tuple[int, ...]:
    """The set bits of a firmware bitmask, lowest first (not a number: none)."""
    value = int(mask) if mask.isdigit() else 0
    return tuple(bit for bit in range(value.bit_length()) if value >> bit & 1)


def number(text: str, default: str) -> int:
    return int(text) if text.isdigit() else int(default)


def adopt_trigger(fields: Mapping[str, JSON]) -> Trigger | str:
    value = value_of(fields, profile.EVENT_TRIGGER)
    kind = KINDS_BY_TRIGGER.get(value)
    if kind is None:
        return f"trigger '{value}' cannot be written in an inventory"
    if kind == "detection":
        return Trigger(kind, rule=value_of(fields, profile.TRIGGER_RULE_FIELD) or None)
    return Trigger(kind, inputs=bits(value_of(fields, profile.TRIGGER_INPUT_FIELDS[kind])))


def adopt_schedule(fields: Mapping[str, JSON]) -> Schedule:
    mask = number(value_of(fields, profile.EVENT_WEEKDAY), "0")
    return Schedule(days=tuple(day for day in WEEK if mask >> profile.WEEKDAY_BITS[day] & 1),
                    begin=value_of(fields, profile.EVENT_BEGIN),
                    end=value_of(fields, profile.EVENT_END))


def adopt_event(have: Have) -> Event | str:
    """A named event slot as an Event (the inverse of ``event_attrs``), or why it cannot be."""
    fields = have.attrs
    trigger = adopt_trigger(fields)
    if isinstance(trigger, str):
        return trigger
    default_delay = profile.EVENT_FIELDS[profile.EVENT_DELAY][1]
    do = value_of(fields, profile.EVENT_DO_ENABLE) == ON
    goto = value_of(fields, profile.EVENT_GOTO_ENABLE) == ON
    return Event(
        name=have.name, trigger=trigger, enabled=value_of(fields, profile.EVENT_ENABLE) == ON,
        priority=PRIORITY_WORDS.get(value_of(fields, profile.EVENT_PRIORITY), "normal"),
        delay=number(value_of(fields, profile.EVENT_DELAY), default_delay),
        schedule=adopt_schedule(fields),
        do_duration=number(value_of(fields, profile.EVENT_DO_DURATION), "1") if do else None,
        goto_preset=value_of(fields, profile.EVENT_GOTO_NAME) if goto else None)


def event_drift(event: Event, have: Have) -> list[str]:
    """Fields the Event cannot carry as the camera holds them (plan would rewrite them)."""
    wanted = event_attrs(event)
    return sorted(key for key, value in wanted.items() if str(have.attrs.get(key)) != value)


def adopt_target(ptz: str, action: Mapping[str, str]) -> LinkTarget:
    """One enabled camera-link action as a link target on ``ptz`` (inverse of
    ``target_action``): a tracking rule counts only while tracking is on."""
    do = action.get(profile.ACTION_DO_ENABLE) == ON
    track = action.get(profile.ACTION_TRACK_ENABLE) == ON
    rule = action.get(profile.ACTION_TRACK_RULE) or None
    duration = action.get(profile.ACTION_DO_DURATION, "")
    return LinkTarget(ptz=ptz, preset=action.get(profile.ACTION_PRESET) or None,
                      track_rule=rule if track else None,
                      do_duration=number(duration, "1") if do else None)


def action_drift(target: LinkTarget, action: Mapping[str, str]) -> list[str]:
    """Action fields the target cannot carry as the spotter holds them."""
    wanted = target_action(target)
    return sorted(key for key, value in wanted.items() if action.get(key) != value)


def calls_peers(have: Have, npeer: int) -> bool:
    """Whether a named event has an enabled camera-link action on any peer slot."""
    return bool(have.name) and any(action_value(have.attrs, peer, profile.ACTION_ENABLE) == ON
                                   for peer in range(npeer))


def free_label(peer: int) -> str:
    return f"peer slot {peer}"


class Events(SlotResource):
    kind: ResourceKind = "event"
    # A camera-link action names a peer slot and a preset or rule on that peer.
    refers_to: tuple[str, ...] = ("peer", "preset", "tracking_rule")
    # On its own camera: the peer slots of its link actions, the preset of its local action.
    tied_to: tuple[str, ...] = ("peer", "preset")
    noun = "event"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        return (profile.EVENT_GROUP,)

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return bool(camera.events) or self.capacity(observed) > 0

    def capacity(self, observed: Observed) -> int:
        return facts.capacity(observed.params, profile.CAP_NEVENT, profile.event_param,
                              profile.EVENT_NAME)

    def desired(self, site: Site, camera: Camera) -> list[Wanted]:
        actions = link_actions(site, camera)
        out: list[Wanted] = []
        for event in camera.events:
            mine = actions.get(event.name, {})
            out.append(WantedEvent(name=event.name, present=event.state == "present",
                                   attrs=event_attrs(event), actions=mine,
                                   depends_on=tuple(mine)))
        return out

    def observed(self, observed: Observed) -> list[Have]:
        params, out = observed.params, []
        for slot in range(self.capacity(observed)):
            name = params.get(profile.event_param(slot, profile.EVENT_NAME), "")
            if name or params.get(profile.event_param(slot, profile.EVENT_ENABLE)) == ON:
                out.append(Have(name=name, slot=slot, attrs=held(params, slot)))
        return out

    # -- compare ----------------------------------------------------------------------------
    def compare(self, ctx: Context, wanted: Sequence[Wanted],
                have: Sequence[Have]) -> KindResult:
        return super().compare(ctx, [self.resolve(ctx, want) for want in wanted], have)

    @staticmethod
    def resolve(ctx: Context, want: Wanted) -> Wanted:
        """Place the event's camera-link actions at the slots of the peers they call."""
        if not isinstance(want, WantedEvent):
            return want
        peer_slots = ctx.slots.get("peer", {})
        by_slot = {peer_slots[ptz]: fields for ptz, fields in want.actions.items()
                   if ptz in peer_slots}
        attrs = dict(want.attrs)
        for peer in range(facts.npeer(ctx.observed.params)):
            for name, value in by_slot.get(peer, action_defaults()).items():
                attrs[action_field(peer, name)] = value
        return replace(want, attrs=attrs)

    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[HeldEvent]:
        """Every named event the inventory can say; a field it cannot carry as held is a
        warning (plan will rewrite it), an event it cannot say at all is left unmanaged."""
        out: list[HeldEvent] = []
        warnings: list[str] = []
        for held in have:
            where = f"event slot {held.slot}"
            if not held.name:
                warnings.append(f"{where} is enabled but has no name; left unmanaged")
                continue
            event = adopt_event(held)
            if isinstance(event, str):
                warnings.append(f"event '{held.name}' ({where}): {event}; left unmanaged")
                continue
            drift = event_drift(event, held)
            if drift:
                warnings.append(f"event '{held.name}' ({where}): {', '.join(drift)} cannot be "
                                "written as the camera holds them; plan will rewrite them")
            out.append(HeldEvent(event, held))
        return Adopted(self.kind, tuple(out), tuple(warnings))

    def in_sync(self, wanted: Wanted, have: Have) -> str:
        return f"event '{wanted.name}' already as wanted in slot {have.slot}"

    def releases(self, ctx: Context, have: Have, wanted: Wanted | None) -> tuple[str, ...]:
        """The PTZ cameras a preset or tracking rule of which a link action of the held event
        calls, and will not call once the event is as ``wanted`` (None: deleted).

        Before, a peer slot calls the PTZ its held peer calls; after, the PTZ the peers kind
        planned there (``Context.slots``), else still the held one. An update writes only what
        differs, so the event then holds its fields overlaid with the wanted ones.
        """
        before = peers.held_targets(ctx.site, ctx.observed)
        gone = link_refs(have.attrs, before)
        if wanted is not None:
            after = {**before, **{slot: ptz for ptz, slot in ctx.slots.get("peer", {}).items()}}
            gone -= link_refs({**have.attrs, **wanted.attrs}, after)
        return tuple(sorted({ptz for ptz, _ in gone}))

    # -- the view ---------------------------------------------------------------------------
    @staticmethod
    def links_shown(ctx: Context, *fields: Mapping[str, JSON]) -> dict[int, str]:
        """The peer slots a view lists: those holding (or getting) a peer, and any other
        whose action is on in one of ``fields``."""
        labels = peer_labels(ctx)
        out: dict[int, str] = {}
        for peer in range(facts.npeer(ctx.observed.params)):
            if peer in labels:
                out[peer] = labels[peer]
            elif any(action_value(f, peer, profile.ACTION_ENABLE) == ON for f in fields):
                out[peer] = free_label(peer)
        return out

    def view(self, ctx: Context, attrs: Mapping[str, JSON]) -> dict[str, JSON]:
        return view(attrs, self.links_shown(ctx, attrs))

    def views(self, ctx: Context, wanted: Mapping[str, JSON],
              held: Mapping[str, JSON]) -> tuple[dict[str, JSON], dict[str, JSON]]:
        # The whole held slot: the view reads the selector of the trigger the camera has.
        links = self.links_shown(ctx, wanted, held)
        return view(held, links), view(wanted, links)

    def owners(self, ctx: Context, fields: Iterable[str]) -> list[str]:
        labels = peer_labels(ctx)
        links = {action_field(peer, name): link_key(labels.get(peer, free_label(peer)))
                 for peer in range(facts.npeer(ctx.observed.params))
                 for name in profile.LINK_ACTION_FIELDS}
        return unique(OWNERS.get(key) or links.get(key) or OTHER_ACTIONS for key in fields)

    def leftovers(self, ctx: Context, wanted: Wanted, slot: int) -> dict[str, str]:
        """Unmanaged fields a used slot still holds, back to their defaults (new events)."""
        defaults = slot_defaults(facts.npeer(ctx.observed.params))
        return {key: defaults[key] for key, value in held(ctx.observed.params, slot).items()
                if key not in wanted.attrs and key in defaults and value != defaults[key]}

    def create_attributes(self, ctx: Context, wanted: Wanted,
                          slot: int | None) -> list[AttributeChange]:
        """The new event's view, and ``leftover settings`` for what a used slot still held
        that the view does not show (unmanaged actions, settings of peer slots not listed)."""
        before = held(ctx.observed.params, _slot(slot))
        shown = self.view(ctx, wanted.attrs)
        resets = self.leftovers(ctx, wanted, _slot(slot))
        written = {**wanted.attrs, **resets}
        differ = [key for key, value in written.items()
                  if key in before and before[key] != value]
        reset_where = self.owners(ctx, resets)
        hidden = [owner for owner in self.owners(ctx, differ)
                  if owner in reset_where or owner not in shown]
        out = created_attributes(shown)
        if hidden:
            out.append(leftover_change(hidden, created=True))
        return out

    def delete_attributes(self, ctx: Context, have: Have) -> list[AttributeChange]:
        shown = self.view(ctx, have.attrs)
        return [AttributeChange(key, shown.get(key), None) for key in SUMMARY]

    # -- ops --------------------------------------------------------------------------------
    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[SetParams, ...]:
        fields: dict[str, JSON] = {**wanted.attrs, **self.leftovers(ctx, wanted, _slot(slot))}
        return (write(_slot(slot), fields),)

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[SetParams, ...]:
        return (write(_slot(have.slot), {a.name: a.after for a in changed}),)

    def delete_ops(self, ctx: Context, have: Have) -> tuple[SetParams, ...]:
        defaults = slot_defaults(facts.npeer(ctx.observed.params))
        cleared: dict[str, JSON] = {key: defaults[key] for key, value in have.attrs.items()
                                    if key in defaults and value != defaults[key]}
        return (write(_slot(have.slot), cleared),)


def held(params: Mapping[str, str], slot: int) -> dict[str, str]:
    """Every field of one event slot the camera reported."""
    return facts.slot_values(params, profile.event_param, slot,
                             slot_defaults(facts.npeer(params)))


def write(slot: int, fields: Mapping[str, JSON]) -> SetParams:
    return SetParams({profile.event_param(slot, key): value for key, value in fields.items()})


def _slot(slot: int | None) -> int:
    if slot is None:  # events always live in slots; None would be a bug in the engine
        raise ValueError("an event without a slot")
    return slot


RESOURCE = Events()
