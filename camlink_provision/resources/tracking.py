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
from camlink_provision.inventory.limits import LOITERING_MIN_SECONDS
from camlink_provision.inventory.model import Camera, ResourceKind, Site, TrackingRule
from camlink_provision.model import JSON, AttributeChange, Observed
from camlink_provision.resources.base import (
    Adopted,
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


def is_point(value: JSON) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value))


def fits(kind: str, value: JSON) -> bool:
    """Whether the value of a type's own key is one the inventory's schema accepts."""
    if kind == "intrusion":
        return value in profile.RULE_CONDITIONS
    if kind == "linecrossing":
        return value in profile.RULE_DIRECTIONS
    return (isinstance(value, int) and not isinstance(value, bool)
            and value >= LOITERING_MIN_SECONDS)


def adopt_rule(name: str, vca: Mapping[str, JSON]) -> TrackingRule | str:
    """A VCA rule object as a TrackingRule (the inverse of ``to_vca``), or why it cannot be
    one: a type the inventory has no word for, a Field that is no list of points, or a key
    that would not be written back as the camera holds it."""
    kind = vca.get(profile.VCA_TYPE)
    if kind not in profile.RULE_TYPES:
        return f"tracking rule '{name}' has type {kind!r}, which the inventory cannot hold"
    points = vca.get(profile.VCA_FIELD)
    if not isinstance(points, list) or not all(is_point(p) for p in points):
        return f"tracking rule '{name}' has a Field that is not a list of [x, y] points"
    # Only the key of its own type is read: what a camera keeps under another type's key
    # is not the inventory's (and ``to_vca`` does not write it).
    key = profile.RULE_TYPE_KEYS[kind]
    extra = vca.get(key)
    if extra is not None and not fits(kind, extra):
        return f"tracking rule '{name}': {key} {extra!r} is not a value the inventory can hold"
    rule = TrackingRule(name=name, type=kind, field=tuple((p[0], p[1]) for p in points),
                        condition=extra if kind == "intrusion" else None,
                        duration=extra if kind == "loitering" else None,
                        direction=extra if kind == "linecrossing" else None,
                        connect_event=bool(vca.get(profile.VCA_CONNECT_EVENT, False)))
    wanted = to_vca(rule)
    differ = sorted(key for key, value in wanted.items() if vca.get(key) != value)
    if differ:
        return (f"tracking rule '{name}': {', '.join(differ)} cannot be written as the camera "
                "holds it")
    return rule


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

    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[TrackingRule]:
        """Every rule the inventory can hold exactly; the others are left unmanaged."""
        rules: list[TrackingRule] = []
        warnings: list[str] = []
        for held in have:
            rule = adopt_rule(held.name, held.attrs)
            if isinstance(rule, str):
                warnings.append(rule + "; left unmanaged")
            else:
                rules.append(rule)
        return Adopted(self.kind, tuple(rules), tuple(warnings))

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
