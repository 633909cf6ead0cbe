"""Smart Tracking Advanced rules on a PTZ camera, keyed by RuleName, in the VCA JSON API.

Rules have no slots: the camera keys them by name. Managed: every key ``rule_to_vca`` builds
for the rule's type; keys a camera adds beyond those are left out of the comparison. A new
or changed rule is one ``PutRules`` command holding that rule; ``commands.merge``
folds a camera's rule puts into one POST (the VCA API creates or replaces every rule
in the object it is given). Deleting is ``delete_rule(name)``.

A reviewer reads ``view`` of a rule: the inventory's keys (name, type, field, condition,
duration "30 s", direction, connect_event yes/no), not the VCA JSON keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import Command, DeleteRule, PutRules
from camlink_provision.inventory.model import Camera, ResourceKind, Site, TrackingRule
from camlink_provision.model import JSON, AttributeChange, Observed
from camlink_provision.resources.base import (
    Context,
    Have,
    KindResult,
    SlotResource,
    Wanted,
    unique,
    unknown,
    yes_no,
)

# VCA JSON key (``profile.rule_to_vca``) -> the inventory's key, in the order a view lists them
INVENTORY_KEYS = {profile.VCA_RULE_NAME: "name", profile.VCA_TYPE: "type",
                  profile.VCA_FIELD: "field", profile.VCA_CONDITION: "condition",
                  profile.VCA_DURATION: "duration", profile.VCA_DIRECTION: "direction",
                  profile.VCA_CONNECT_EVENT: "connect_event"}
SUMMARY = ("type",)  # what a deletion shows: enough to recognise it; the polygon is noise


def wants_rules(camera: Camera) -> bool:
    """Whether gathering reads the VCA rules: PTZ cameras, and any camera declaring rules."""
    return camera.role == "ptz" or bool(camera.tracking_rules)


def to_vca(rule: TrackingRule) -> dict[str, JSON]:
    return profile.rule_to_vca(rule.name, rule.type, [list(p) for p in rule.field],
                               rule.connect_event, condition=rule.condition,
                               duration=rule.duration, direction=rule.direction)


def view_value(vca_key: str, value: JSON) -> JSON:
    if vca_key == profile.VCA_DURATION:
        return f"{value} s" if isinstance(value, int) and not isinstance(value, bool) \
            else unknown(value)
    if vca_key == profile.VCA_CONNECT_EVENT:
        return yes_no(value)
    return value


def view(rule: Mapping[str, JSON]) -> dict[str, JSON]:
    """A VCA rule object in the inventory's words; keys the inventory has no word for (a
    camera's own additions) are left out, as they are out of the comparison."""
    return {key: view_value(vca, rule[vca]) for vca, key in INVENTORY_KEYS.items()
            if vca in rule}


class TrackingRules(SlotResource):
    kind: ResourceKind = "tracking_rule"
    noun = "tracking rule"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        return ()  # read through the VCA API, not getparam

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return observed.rules is not None or bool(camera.tracking_rules)

    def desired(self, site: Site, camera: Camera) -> list[Wanted]:
        return [Wanted(name=rule.name, present=rule.state == "present", attrs=to_vca(rule))
                for rule in camera.tracking_rules]

    def observed(self, observed: Observed) -> list[Have]:
        rules = observed.rules or {}
        return [Have(name=name, slot=None, attrs=dict(rules[name])) for name in sorted(rules)]

    def compare(self, ctx: Context, wanted: Sequence[Wanted],
                have: Sequence[Have]) -> KindResult:
        if ctx.observed.rules is None and any(w.present for w in wanted):
            result = KindResult(self.kind)
            result.errors.append("the inventory declares tracking rules but the camera's "
                                 "Smart Tracking Advanced rules were not read (not a PTZ)")
            return result
        return super().compare(ctx, wanted, have)

    def in_sync(self, wanted: Wanted, have: Have) -> str:
        return f"tracking rule '{wanted.name}' already as wanted"

    def view(self, ctx: Context, attrs: Mapping[str, JSON]) -> dict[str, JSON]:
        return view(attrs)

    def views(self, ctx: Context, wanted: Mapping[str, JSON],
              held: Mapping[str, JSON]) -> tuple[dict[str, JSON], dict[str, JSON]]:
        # The whole held rule: a type change shows the old type's condition going away.
        return view(held), view(wanted)

    def owners(self, ctx: Context, fields: Iterable[str]) -> list[str]:
        return unique(INVENTORY_KEYS.get(key, key) for key in fields)

    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[Command, ...]:
        return (PutRules({wanted.name: dict(wanted.attrs)}),)

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[Command, ...]:
        return self.create_ops(ctx, wanted, None)

    def delete_ops(self, ctx: Context, have: Have) -> tuple[Command, ...]:
        return (DeleteRule(have.name),)

    def delete_attributes(self, ctx: Context, have: Have) -> list[AttributeChange]:
        shown = view(have.attrs)
        return [AttributeChange(key, shown.get(key), None) for key in SUMMARY]


RESOURCE = TrackingRules()
