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

Left alone: recording and upload actions (``action_cf_*``, ``action_server_*``): they point at
storage the inventory does not describe, and are set by hand or by a VMS. A *new* event does
reset any of them a previously used slot still holds, so it starts from factory defaults;
deleting an event resets its whole slot to the factory defaults in one setparam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Camera, Event, LinkTarget, ResourceKind, Site
from camlink_provision.model import JSON, AttributeChange, Observed, Op
from camlink_provision.resources import facts
from camlink_provision.resources.base import (
    Context,
    Have,
    KindResult,
    SlotResource,
    Wanted,
    created_attributes,
)

ON, OFF = "1", "0"
DEFAULT_INPUTS = (0,)  # input 0 / motion window 0 when the inventory names none
SUMMARY = ("name", "enable", "trigger")  # what a deletion shows


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
    attrs = {"trigger": profile.TRIGGER_VALUES[trigger.kind]}
    if trigger.kind == "detection":
        attrs[profile.TRIGGER_RULE_FIELD] = trigger.rule or ""
    else:
        attrs[profile.TRIGGER_INPUT_FIELDS[trigger.kind]] = bitmask(trigger.inputs
                                                                    or DEFAULT_INPUTS)
    return attrs


def local_action_attrs(event: Event) -> dict[str, str]:
    attrs = {"action_do_i0_enable": ON if event.do_duration else OFF}
    if event.do_duration:
        attrs["action_do_i0_duration"] = str(event.do_duration)
    attrs["action_goto_enable"] = ON if event.goto_preset else OFF
    if event.goto_preset:
        attrs["action_goto_name"] = event.goto_preset
    return attrs


def event_attrs(event: Event) -> dict[str, str]:
    schedule = event.schedule
    return {
        "name": event.name, "enable": ON if event.enabled else OFF,
        "priority": profile.PRIORITIES[event.priority], "delay": str(event.delay),
        "weekday": weekday_mask(schedule.days), "begintime": schedule.begin,
        "endtime": schedule.end, **trigger_attrs(event), **local_action_attrs(event),
    }


def target_action(target: LinkTarget) -> dict[str, str]:
    out = action_defaults()
    out["enable"] = ON
    if target.do_duration:
        out.update(do_enable=ON, do_duration=str(target.do_duration))
    if target.preset:
        out["preset"] = target.preset
    if target.track_rule:
        out.update(track_enable=ON, track_rule=target.track_rule)
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


class Events(SlotResource):
    kind: ResourceKind = "event"
    noun = "event"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        return (profile.EVENT_GROUP,)

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return bool(camera.events) or self.capacity(observed) > 0

    def capacity(self, observed: Observed) -> int:
        return facts.capacity(observed.params, profile.CAP_NEVENT, profile.event_param, "name")

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
            name = params.get(profile.event_param(slot, "name"), "")
            if name or params.get(profile.event_param(slot, "enable")) == ON:
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

    def in_sync(self, wanted: Wanted, have: Have) -> str:
        return f"event '{wanted.name}' already as wanted in slot {have.slot}"

    def leftovers(self, ctx: Context, wanted: Wanted, slot: int) -> dict[str, str]:
        """Unmanaged fields a used slot still holds, back to their defaults (new events)."""
        defaults = slot_defaults(facts.npeer(ctx.observed.params))
        return {key: defaults[key] for key, value in held(ctx.observed.params, slot).items()
                if key not in wanted.attrs and key in defaults and value != defaults[key]}

    def create_attributes(self, ctx: Context, wanted: Wanted,
                          slot: int | None) -> list[AttributeChange]:
        before = held(ctx.observed.params, _slot(slot))
        reset = [AttributeChange(key, before[key], value)
                 for key, value in self.leftovers(ctx, wanted, _slot(slot)).items()]
        return [*created_attributes(wanted.attrs), *reset]

    def delete_attributes(self, have: Have) -> list[AttributeChange]:
        return [AttributeChange(key, have.attrs.get(key), None) for key in SUMMARY]

    # -- ops --------------------------------------------------------------------------------
    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[Op, ...]:
        fields: dict[str, JSON] = {**wanted.attrs, **self.leftovers(ctx, wanted, _slot(slot))}
        return (write(_slot(slot), fields),)

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[Op, ...]:
        return (write(_slot(have.slot), {a.name: a.after for a in changed}),)

    def delete_ops(self, ctx: Context, have: Have) -> tuple[Op, ...]:
        defaults = slot_defaults(facts.npeer(ctx.observed.params))
        cleared: dict[str, JSON] = {key: defaults[key] for key, value in have.attrs.items()
                                    if key in defaults and value != defaults[key]}
        return (write(_slot(have.slot), cleared),)


def held(params: Mapping[str, str], slot: int) -> dict[str, str]:
    """Every field of one event slot the camera reported."""
    return facts.slot_values(params, profile.event_param, slot,
                             slot_defaults(facts.npeer(params)))


def write(slot: int, fields: Mapping[str, JSON]) -> Op:
    return Op("setparam", {profile.event_param(slot, key): value for key, value in fields.items()})


def _slot(slot: int | None) -> int:
    if slot is None:  # events always live in slots; None would be a bug in the engine
        raise ValueError("an event without a slot")
    return slot


RESOURCE = Events()
