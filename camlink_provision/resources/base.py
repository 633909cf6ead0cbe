"""The contract every resource kind fills in, and the slot-mapping engine they share.

A kind (``presets``, ``tracking``, ``peers``, ``events``) is an object satisfying ``Resource``:

    groups(camera)             -> getparam groups it needs read (one getparam for all kinds)
    applies(camera, observed)  -> whether the kind exists on this camera at all
    desired(site, camera)      -> list[Wanted]   what the inventory wants, keyed by name
    observed(observed)         -> list[Have]     a pure parse of what the camera returned:
                                                 only the slots that hold something
    compare(ctx, wanted, have) -> KindResult     Changes (each with the Ops that make it
                                                 true), Unmanaged slots, a reason for every
                                                 no-op, warnings, errors, and the slot each
                                                 managed name occupies after the plan
    adopt(ctx, have)           -> Adopted        the inverse of ``desired``: what the camera
                                                 holds in the inventory's words (a Preset, a
                                                 TrackingRule, an Event, the PTZ a peer
                                                 calls), and a warning for each held thing
                                                 the inventory cannot say as it is (import)

``adopt`` is per camera and per kind. What spans cameras (the link a spotter's event and peer
make with a PTZ, the port and account every spotter stores for one PTZ, a link's name) is
the importer's to assemble from what the kinds adopt. The round trip every kind passes
(tests/resources/test_contract.py): desired -> applied -> observed -> adopt gives back the
inventory it started from.

``SlotResource`` implements ``compare`` once, with the decisions of architecture.md:

- identity, not slots: a wanted thing is matched to what the camera holds by its identity
  (``match_keys`` first, then the name); it keeps the slot it already lives in;
- new things take the lowest free slots; slots freed by deletions in the same step count as
  free, because a step runs its deletions before its creations (``order``); when the
  camera's deletions wait for a later phase (``Context.late_deletions``), the slots they
  free are not free yet and are not given out; nothing is ever renumbered;
- a held thing the inventory does not name is ``Unmanaged`` and left alone, unless the
  camera's ``prune`` names the kind, then it is deleted; ``state: absent`` deletes;
- "in sync" is decided on the firmware dicts: only the fields the inventory manages (a camera
  may hold more) are compared, and the fields that differ are what the update Ops write;
- what a reviewer reads is not those fields but the kind's *view* of both dicts (``view``: a
  pure mapping of a firmware dict to the inventory's words: ``priority: high``, ``schedule:
  mon-fri 06:00-20:00``, ``address: 192.0.2.5:80``). The ``AttributeChange``s are the deepdiff
  of the two views, so a field the firmware ignores (the pulse length of an output that is
  off) is not shown. Firmware fields that differ while their view does not (leftovers in a
  disabled action) are still reported, as one ``leftover settings`` attribute naming where
  (``owners`` maps a firmware field to the view attribute it feeds): no change goes unseen.

Kinds fill in small hooks: how to parse, how to view, how to build Ops for create / update /
delete, and, where a kind needs more (a peer's write-only password), ``compare_existing``.
Spotter-side kinds also say which PTZ cameras an update or deletion stops referring to
(``releases``, sorted into ``Change.releases``), so that apply knows whom a PTZ's deletions
wait for.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import Command
from camlink_provision.inventory.model import Camera, ResourceKind, Site
from camlink_provision.model import JSON, Action, AttributeChange, Change, Observed, Unmanaged

NOTHING: Mapping[str, JSON] = {}
LEFTOVERS = "leftover settings"  # the attribute naming firmware fields a view does not show
RESET = "reset"


@dataclass(frozen=True, kw_only=True)
class Wanted:
    """One thing the inventory names on a camera."""

    name: str
    present: bool = True
    attrs: Mapping[str, JSON] = field(default_factory=dict)  # firmware terms; managed only
    match_keys: tuple[Hashable, ...] = ()  # identity besides the name (a peer's address)
    depends_on: tuple[str, ...] = ()  # cameras it refers to (a peer -> its PTZ camera)
    adopt: bool = False  # taken as the camera holds it; never created (a preset w/o position)


@dataclass(frozen=True, kw_only=True)
class Have:
    """One slot (or VCA rule) that holds something, as the camera reported it."""

    name: str
    slot: int | None
    attrs: Mapping[str, JSON]
    match_keys: tuple[Hashable, ...] = ()

    @property
    def label(self) -> str:
        """How a report names it: its name, or its slot when it has none."""
        return self.name or f"(unnamed, slot {self.slot})"


T = TypeVar("T")


@dataclass(frozen=True)
class Adopted(Generic[T]):
    """What one kind adopts from one camera: the items in the inventory's words, in the
    order the camera holds them, and why each held thing left out (or changed) was."""

    kind: ResourceKind
    items: tuple[T, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Noop:
    """Why a named thing needs no change (pyinfra's ``noop("... already ...")``)."""

    kind: ResourceKind
    name: str
    slot: int | None
    reason: str


@dataclass
class KindResult:
    kind: ResourceKind
    changes: list[Change] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    noops: list[Noop] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the camera cannot hold what is wanted
    slots: dict[str, int] = field(default_factory=dict)  # managed name -> slot after the plan


@dataclass(frozen=True)
class Context:
    """What a compare may look at besides wanted and have."""

    site: Site
    camera: Camera
    observed: Observed
    slots: Mapping[ResourceKind, Mapping[str, int]] = field(default_factory=dict)
    late_deletions: bool = False  # this camera's deletions run in a later phase (order.TIDY)


class Resource(Protocol):
    """The contract of one resource kind (see the module docstring)."""

    kind: ResourceKind
    # What it refers to on other cameras; empty for what others refer to. ``order`` puts
    # the referred side first and its deletions after the references go (phases).
    refers_to: tuple[str, ...]
    # What it refers to on its own camera, whose settings its plan and writes depend on
    # (and the other way round): read again with it after a person reviewed the plan.
    tied_to: tuple[str, ...]

    def groups(self, camera: Camera) -> tuple[str, ...]: ...

    def applies(self, camera: Camera, observed: Observed) -> bool: ...

    def desired(self, site: Site, camera: Camera) -> list[Wanted]: ...

    def observed(self, observed: Observed) -> list[Have]: ...

    def compare(self, ctx: Context, wanted: Sequence[Wanted],
                have: Sequence[Have]) -> KindResult: ...

    # The item type differs by kind (Preset, TrackingRule, ...): each kind's own signature
    # names it; callers that need it call the kind, not the protocol.
    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[Any]: ...


def attribute_changes(wanted: Mapping[str, JSON],
                      held: Mapping[str, JSON]) -> list[AttributeChange]:
    """The managed firmware fields whose held value differs, in the wanted order (deepdiff).

    This decides "in sync" and what the update Ops write; a reviewer is shown the view of
    it (``SlotResource.shown_changes``). Only the keys the inventory manages are compared:
    a camera holds more than we own. A key the camera did not report compares as None.
    """
    before = {key: held.get(key) for key in wanted}
    if before == wanted:
        return []  # the common case on a converged site
    touched = changed_keys(before, wanted)
    return [AttributeChange(key, before[key], wanted[key]) for key in wanted if key in touched]


def view_changes(before: Mapping[str, JSON],
                 after: Mapping[str, JSON]) -> list[AttributeChange]:
    """The view attributes that differ (deepdiff), in ``after``'s order, then ``before``'s.

    A key one view lacks compares as None.
    """
    keys = [*after, *(key for key in before if key not in after)]
    old = {key: before.get(key) for key in keys}
    new = {key: after.get(key) for key in keys}
    touched = changed_keys(old, new)
    return [AttributeChange(key, old[key], new[key]) for key in keys if key in touched]


_SCALARS = (str, int, float, bool, type(None))


def changed_keys(old: Mapping[str, JSON], new: Mapping[str, JSON]) -> set[str]:
    """The keys (of ``new``, each also in ``old``) whose values differ, as deepdiff sees it:
    a type change counts (``1`` and ``True``, ``1`` and ``"1"``).

    Scalars are told apart directly; deepdiff is asked only about containers (a polygon, a
    schedule), where it catches a type change nested inside equal-looking values. A plan
    compares every managed field of every camera, and a DeepDiff per compare cost about
    1 ms (issue 15)."""
    touched: set[str] = set()
    deep: list[str] = []
    for key, value in new.items():
        held = old[key]
        if type(held) is type(value) and isinstance(value, _SCALARS):
            if held is not value and held != value:  # the same object is no change (NaN)
                touched.add(key)
        elif isinstance(value, _SCALARS) and isinstance(held, _SCALARS):
            touched.add(key)  # a type change between scalars
        else:
            deep.append(key)
    if deep:
        # Imported here: deepdiff (and asyncio under it) took 47 ms of every command's start,
        # and a converged site never compares a container that differs.
        from deepdiff import DeepDiff
        diff = DeepDiff({key: old[key] for key in deep}, {key: new[key] for key in deep})
        touched.update(str(key) for key in diff.affected_root_keys)
    return touched


def leftover_change(where: Sequence[str], *, created: bool = False) -> AttributeChange:
    """Firmware fields the view does not show but the Ops reset, named by where they are."""
    places = ", ".join(where)
    if created:
        return AttributeChange(LEFTOVERS, None, f"{RESET}: {places}")
    return AttributeChange(LEFTOVERS, places, RESET)


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def unknown(value: JSON) -> str:
    """A firmware value a view has no word for, shown as the camera holds it."""
    return f"unknown: {value}"


def yes_no(value: JSON) -> str:
    """A firmware boolean ("1" / "0", or a JSON boolean) as a reviewer says it."""
    if value == profile.ON or value is True:
        return "yes"
    if value == profile.OFF or value is False:
        return "no"
    return unknown(value)


def created_attributes(wanted: Mapping[str, JSON]) -> list[AttributeChange]:
    return [AttributeChange(key, None, value) for key, value in wanted.items()]


def deleted_attributes(held: Mapping[str, JSON]) -> list[AttributeChange]:
    return [AttributeChange(key, value, None) for key, value in held.items()]


def names_of(changes: Sequence[AttributeChange]) -> str:
    return ", ".join(a.name for a in changes)


class SlotResource:
    """The shared ``compare``: pairing by identity, slot allocation, prune, Change building.

    Subclasses set ``kind`` and ``noun`` and fill in the hooks below.
    """

    kind: ResourceKind
    noun: str
    refers_to: tuple[str, ...] = ()
    tied_to: tuple[str, ...] = ()

    # -- hooks ------------------------------------------------------------------------------
    def capacity(self, observed: Observed) -> int | None:
        """How many slots the camera has; None for kinds without slots (VCA rules)."""
        return None

    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[Command, ...]:
        raise NotImplementedError

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[Command, ...]:
        """The requests for ``changed``: the firmware fields that differ (not the view)."""
        raise NotImplementedError

    def delete_ops(self, ctx: Context, have: Have) -> tuple[Command, ...]:
        raise NotImplementedError

    def view(self, ctx: Context, attrs: Mapping[str, JSON]) -> dict[str, JSON]:
        """A firmware dict in the inventory's words (the identity for kinds that already are)."""
        return dict(attrs)

    def views(self, ctx: Context, wanted: Mapping[str, JSON],
              held: Mapping[str, JSON]) -> tuple[dict[str, JSON], dict[str, JSON]]:
        """The views of what the camera holds (before) and of what is wanted (after).

        By default the held side is cut to the managed fields, as the comparison is; a kind
        whose view reads fields by meaning (a trigger's selector) views all it holds.
        """
        return self.view(ctx, {key: held.get(key) for key in wanted}), self.view(ctx, wanted)

    def owners(self, ctx: Context, fields: Iterable[str]) -> list[str]:
        """The view attributes the firmware ``fields`` feed, without repeats."""
        return unique(fields)

    def shown_changes(self, ctx: Context, wanted: Mapping[str, JSON],
                      held: Mapping[str, JSON],
                      changed: Sequence[AttributeChange]) -> list[AttributeChange]:
        """What a reviewer reads for firmware fields ``changed``: the diff of the views, and
        ``leftover settings`` for fields that differ where the views do not."""
        before, after = self.views(ctx, wanted, held)
        shown = view_changes(before, after)
        seen = {a.name for a in shown}
        hidden = [owner for owner in self.owners(ctx, [a.name for a in changed])
                  if owner not in seen]
        if hidden:
            shown.append(leftover_change(hidden))
        return shown

    def create_attributes(self, ctx: Context, wanted: Wanted,
                          slot: int | None) -> list[AttributeChange]:
        return created_attributes(self.view(ctx, wanted.attrs))

    def delete_attributes(self, ctx: Context, have: Have) -> list[AttributeChange]:
        return deleted_attributes(self.view(ctx, have.attrs))

    def in_sync(self, wanted: Wanted, have: Have) -> str:
        where = "" if have.slot is None else f" in slot {have.slot}"
        return f"{self.noun} '{wanted.name}' already as wanted{where}"

    def compare_existing(self, ctx: Context, wanted: Wanted, have: Have,
                         result: KindResult) -> None:
        """A present wanted thing the camera holds: update what differs, or say why not."""
        changed = attribute_changes(wanted.attrs, have.attrs)
        if not changed:
            result.noops.append(Noop(self.kind, wanted.name, have.slot,
                                     self.in_sync(wanted, have)))
            return
        shown = self.shown_changes(ctx, wanted.attrs, have.attrs, changed)
        result.changes.append(self.change(
            ctx, "update", wanted.name, have.slot, shown,
            self.update_ops(ctx, wanted, have, changed),
            f"{names_of(shown)} differ from the inventory", wanted.depends_on,
            self.releases(ctx, have, wanted)))

    def missing_adopted(self, ctx: Context, wanted: Wanted, result: KindResult) -> None:
        result.warnings.append(f"{self.noun} '{wanted.name}' is adopted but not on the camera")

    # -- the engine -------------------------------------------------------------------------
    def matches(self, wanted: Wanted, have: Have) -> bool:
        return have.name == wanted.name

    def compare(self, ctx: Context, wanted: Sequence[Wanted],
                have: Sequence[Have]) -> KindResult:
        result = KindResult(self.kind)
        pairs, leftovers = self.pair(wanted, have)
        deletions = self.deletions(ctx, pairs, leftovers, result)
        freed = [] if ctx.late_deletions and not self.refers_to else [h for h, _ in deletions]
        free = self.free_slots(ctx.observed, have, freed)
        for want, held in pairs:
            if not want.present:
                continue
            if held is not None:
                self.record_slot(result, want.name, held.slot)
                self.compare_existing(ctx, want, held, result)
            elif want.adopt:
                self.missing_adopted(ctx, want, result)
            else:
                self.create(ctx, want, free, result)
        for held, reason in deletions:
            result.changes.append(self.change(
                ctx, "delete", held.label, held.slot, self.delete_attributes(ctx, held),
                self.delete_ops(ctx, held), reason, self.delete_depends_on(ctx, held),
                self.releases(ctx, held, None)))
        return result

    def pair(self, wanted: Sequence[Wanted], have: Sequence[Have]
             ) -> tuple[list[tuple[Wanted, Have | None]], list[Have]]:
        """Each wanted thing with what it matches (identity keys first, then the name).

        Held things are tried lowest slot first, so a duplicate name resolves to the
        lowest slot and the others stay leftovers (unmanaged, or pruned).
        """
        ordered = sorted(have, key=lambda h: (-1 if h.slot is None else h.slot, h.name))
        taken: set[int] = set()
        pairs: list[tuple[Wanted, Have | None]] = []
        for want in wanted:
            index = self.find(want, ordered, taken)
            if index is not None:
                taken.add(index)
            pairs.append((want, None if index is None else ordered[index]))
        leftovers = [h for i, h in enumerate(ordered) if i not in taken]
        return pairs, leftovers

    def find(self, want: Wanted, ordered: Sequence[Have], taken: set[int]) -> int | None:
        keyed = set(want.match_keys)
        if keyed:
            for i, held in enumerate(ordered):
                if i not in taken and keyed & set(held.match_keys):
                    return i
        for i, held in enumerate(ordered):
            if i not in taken and self.matches(want, held):
                return i
        return None

    def deletions(self, ctx: Context, pairs: Sequence[tuple[Wanted, Have | None]],
                  leftovers: Sequence[Have], result: KindResult) -> list[tuple[Have, str]]:
        """What goes: named absent things the camera holds, and pruned leftovers."""
        out: list[tuple[Have, str]] = []
        for want, held in pairs:
            if want.present:
                continue
            if held is None:
                result.noops.append(Noop(self.kind, want.name, None,
                                         f"{self.noun} '{want.name}' already absent"))
            else:
                out.append((held, self.absent_reason(ctx, want)))
        named = {want.name for want, _ in pairs}
        for held in leftovers:
            if self.prunable(ctx, held):
                out.append((held, f"not in the inventory, and prune includes {self.kind}"))
                continue
            if held.name in named:
                result.warnings.append(f"{self.noun} '{held.name}' is held twice; slot "
                                       f"{held.slot} left alone (prune {self.kind} removes it)")
            result.unmanaged.append(Unmanaged(ctx.camera.name, self.kind, held.label,
                                              held.slot))
        out.sort(key=lambda item: (-1 if item[0].slot is None else item[0].slot, item[0].name))
        return out

    def absent_reason(self, ctx: Context, want: Wanted) -> str:
        """Why a named thing that is not ``present`` goes."""
        return "state: absent in the inventory"

    def prunable(self, ctx: Context, held: Have) -> bool:
        """Whether a held thing the inventory does not name goes (``prune``)."""
        return self.kind in ctx.camera.prune

    def free_slots(self, observed: Observed, have: Sequence[Have],
                   deleted: Sequence[Have]) -> list[int]:
        capacity = self.capacity(observed)
        if capacity is None:
            return []
        occupied = {h.slot for h in have} - {h.slot for h in deleted}
        return [slot for slot in range(capacity) if slot not in occupied]

    def create(self, ctx: Context, want: Wanted, free: list[int], result: KindResult) -> None:
        slot: int | None = None
        if self.capacity(ctx.observed) is not None:
            if not free:
                result.errors.append(f"no free {self.noun} slot for '{want.name}' (the camera "
                                     f"has {self.capacity(ctx.observed)}, all in use)")
                return
            slot = free.pop(0)
            self.record_slot(result, want.name, slot)
        result.changes.append(self.change(
            ctx, "create", want.name, slot, self.create_attributes(ctx, want, slot),
            self.create_ops(ctx, want, slot), "in the inventory, not on the camera",
            want.depends_on))

    def delete_depends_on(self, ctx: Context, have: Have) -> tuple[str, ...]:
        return ()

    def releases(self, ctx: Context, have: Have, wanted: Wanted | None) -> tuple[str, ...]:
        """The PTZ cameras whose presets or tracking rules ``have`` refers to and will not
        once it is as ``wanted`` (None: deleted). Only spotter-side kinds refer to any."""
        return ()

    @staticmethod
    def record_slot(result: KindResult, name: str, slot: int | None) -> None:
        if slot is not None:
            result.slots[name] = slot

    def change(self, ctx: Context, action: Action, name: str, slot: int | None,
               attributes: Sequence[AttributeChange], ops: tuple[Command, ...], reason: str,
               depends_on: tuple[str, ...], releases: Iterable[str] = ()) -> Change:
        return Change(camera=ctx.camera.name, kind=self.kind, name=name, action=action,
                      slot=slot, attributes=tuple(attributes), ops=ops, reason=reason,
                      depends_on=depends_on, releases=tuple(sorted(set(releases))))
