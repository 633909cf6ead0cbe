"""Camera Link peers on a spotter (``cameralink_i<k>_*``), keyed by the PTZ they point at.

A spotter wants one peer per PTZ camera that a present link of it targets. Identity is the
PTZ's site address and port (what the spotter actually calls), falling back to the peer's
name (= the PTZ camera's inventory name): a PTZ that moved keeps its slot and gets its
address updated. A PTZ named only by absent links (``state: absent``) has its peer deleted;
a peer no link names is unmanaged.

Managed: enable, name, ipaddress, port, username, and the write-only ``passwd``. The password
cannot be read back, so:

- a new or changed peer writes it (``secret_args`` names the PTZ whose link credentials the
  applier puts there; the plan shows ``(sensitive)``);
- a peer whose other attributes match is tested through the spotter's own link test
  (``slots_to_test`` tells ``gather`` which): ``ok`` is in sync, ``unauthorized`` plans an
  update of the password alone, ``unreachable`` is a warning and no change (writing again
  cannot fix reachability and would make every plan show a change);
- without a test result (a read-back after apply) the password is taken as unchecked.

A reviewer reads ``view`` of those fields: ``name``, ``address`` (``192.0.2.21:80``),
``username``, ``enabled`` (yes/no), and ``password`` as ``(sensitive)``.

Deleting a peer clears its slot (disabled, name, address, user and password emptied) in one
setparam.

A held peer calls the site camera at its address and port, else the one it is named after
(``points_at``; a PTZ that moved). Deleting it, or re-pointing it at another PTZ, lists the
camera it called in the change's ``releases``: apply deletes that PTZ's presets and rules
only after the change is in place.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import SetParams
from camlink_provision.inventory.model import Camera, ResourceKind, Site
from camlink_provision.model import JSON, SENSITIVE, AttributeChange, Observed
from camlink_provision.resources import facts
from camlink_provision.resources.base import (
    Adopted,
    Context,
    Have,
    KindResult,
    Noop,
    SlotResource,
    Wanted,
    attribute_changes,
    names_of,
    unique,
    yes_no,
)

ENABLE, NAME, ADDRESS, PORT = (profile.PEER_ENABLE, profile.PEER_NAME, profile.PEER_ADDRESS,
                               profile.PEER_PORT)
USERNAME, PASSWORD = profile.PEER_USERNAME, profile.PEER_PASSWORD  # PASSWORD: the secret one
MANAGED = (ENABLE, NAME, ADDRESS, PORT, USERNAME)
PASSWORD_ATTRIBUTE = "password"  # how a reviewer reads it
# firmware field -> the view attribute it feeds
OWNERS = {ENABLE: "enabled", NAME: "name", ADDRESS: "address", PORT: "address",
          USERNAME: "username"}
SUMMARY = ("name", "address", "username")  # what a deletion shows

OK, UNREACHABLE, UNAUTHORIZED = profile.LINK_TEST_RESULTS
DEFAULT_PORT = profile.PEER_FIELDS[PORT][1]


@dataclass(frozen=True)
class HeldPeer:
    """One held peer slot in the inventory's words (what ``adopt`` gives back)."""

    slot: int
    label: str  # how a report names the slot (``Have.label``)
    name: str  # the peer's own name; the inventory's is its PTZ camera's
    address: str  # "" when the slot holds none
    port: str  # as the spotter stores it
    username: str
    enabled: bool
    ptz: str | None  # the site camera at ``address`` (None: no camera of the site is there)

    @property
    def site_port(self) -> int:
        """The port as the inventory's ``site_port`` (the firmware default when unreadable)."""
        return int(self.port) if self.port.isdigit() else int(DEFAULT_PORT)


def address_key(address: str, port: str) -> tuple[Hashable, ...]:
    return ("address", address.lower(), port)


def targets(site: Site, spotter: Camera) -> tuple[list[str], list[str]]:
    """The PTZ cameras the spotter's present links target, and those only absent links name."""
    present: list[str] = []
    absent: list[str] = []
    for link in site.links_of(spotter.name):
        bucket = present if link.state == "present" else absent
        for target in link.targets:
            if target.ptz not in bucket:
                bucket.append(target.ptz)
    return present, [name for name in absent if name not in present]


def password_attribute() -> AttributeChange:
    return AttributeChange(PASSWORD_ATTRIBUTE, SENSITIVE, SENSITIVE, sensitive=True)


def address_text(address: JSON, port: JSON) -> str:
    """``192.0.2.21:80`` (``[2001:db8::5]:80`` for an IPv6 address); ``(none)`` when unset."""
    host = "" if address is None else str(address)
    if not host:
        return "(none)"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host if port in (None, "") else f"{host}:{port}"


def view(fields: Mapping[str, JSON]) -> dict[str, JSON]:
    """One peer slot's fields in the inventory's words (the password is never among them)."""
    return {"name": fields.get(NAME),
            "address": address_text(fields.get(ADDRESS), fields.get(PORT)),
            "username": fields.get(USERNAME),
            "enabled": yes_no(fields.get(ENABLE))}


class Peers(SlotResource):
    kind: ResourceKind = "peer"
    refers_to: tuple[str, ...] = ("account",)  # the PTZ camera's link account
    noun = "peer"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        return (profile.PEER_GROUP,)

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return facts.cameralink_capable(observed.params)

    def capacity(self, observed: Observed) -> int:
        return facts.npeer(observed.params)

    # -- desired and observed ---------------------------------------------------------------
    def desired(self, site: Site, camera: Camera) -> list[Wanted]:
        present, absent = targets(site, camera)
        return ([self.wanted(site, name, True) for name in present if name in site.cameras]
                + [self.wanted(site, name, False) for name in absent if name in site.cameras])

    @staticmethod
    def wanted(site: Site, ptz_name: str, present: bool) -> Wanted:
        ptz = site.cameras[ptz_name]
        attrs = {ENABLE: profile.ON, NAME: ptz.name, ADDRESS: ptz.address,
                 PORT: str(ptz.site_port), USERNAME: ptz.peer_credentials.username}
        return Wanted(name=ptz.name, present=present, attrs=attrs,
                      match_keys=(address_key(ptz.address, str(ptz.site_port)),),
                      depends_on=(ptz.name,))

    def observed(self, observed: Observed) -> list[Have]:
        out = []
        for slot in range(self.capacity(observed)):
            fields = facts.slot_values(observed.params, profile.peer_param, slot, MANAGED)
            address, port = fields.get(ADDRESS, ""), fields.get(PORT, "")
            if not (fields.get(ENABLE) == profile.ON or fields.get(NAME) or address):
                continue  # a free slot
            name = fields.get(NAME) or (f"{address}:{port}" if address else "")
            keys = (address_key(address, port),) if address else ()
            attrs = {key: fields[key] for key in MANAGED if key in fields}
            out.append(Have(name=name, slot=slot, attrs=attrs, match_keys=keys))
        return out

    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[HeldPeer]:
        """The inverse of ``desired``: each held peer, and the site camera (a PTZ of some
        link) it calls, by its address. A peer has no inventory entry of its own: which
        links use it, and what its PTZ's ``site_port`` and link account are, is the
        importer's to decide across the spotters (their events say which peers are used)."""
        out = []
        for held in have:
            if held.slot is None:
                continue
            address = str(held.attrs.get(ADDRESS, ""))
            ptz = camera_at(ctx.site, address) if address else None
            out.append(HeldPeer(
                slot=held.slot, label=held.label, name=str(held.attrs.get(NAME, "")),
                address=address, port=str(held.attrs.get(PORT, DEFAULT_PORT)),
                username=str(held.attrs.get(USERNAME, "")),
                enabled=held.attrs.get(ENABLE) == profile.ON,
                ptz=None if ptz is None else ptz.name))
        return Adopted(self.kind, tuple(out))

    def slots_to_test(self, site: Site, camera: Camera, observed: Observed) -> list[int]:
        """Peer slots whose readable attributes match: only their password is unknown."""
        if not self.applies(camera, observed):
            return []
        pairs, _ = self.pair(self.desired(site, camera), self.observed(observed))
        return sorted(held.slot for want, held in pairs
                      if want.present and held is not None and held.slot is not None
                      and not attribute_changes(want.attrs, held.attrs))

    # -- the view ---------------------------------------------------------------------------
    def view(self, ctx: Context, attrs: Mapping[str, JSON]) -> dict[str, JSON]:
        return view(attrs)

    def views(self, ctx: Context, wanted: Mapping[str, JSON],
              held: Mapping[str, JSON]) -> tuple[dict[str, JSON], dict[str, JSON]]:
        return view(held), view(wanted)

    def owners(self, ctx: Context, fields: Iterable[str]) -> list[str]:
        return unique(OWNERS.get(key, key) for key in fields)

    # -- compare ----------------------------------------------------------------------------
    def compare_existing(self, ctx: Context, wanted: Wanted, have: Have,
                         result: KindResult) -> None:
        changed = attribute_changes(wanted.attrs, have.attrs)
        if changed:
            shown = self.shown_changes(ctx, wanted.attrs, have.attrs, changed)
            result.changes.append(self.change(
                ctx, "update", wanted.name, have.slot, [*shown, password_attribute()],
                self.update_ops(ctx, wanted, have, changed),
                f"{names_of(shown)} differ from the inventory (the password is "
                "written with them)", wanted.depends_on, self.releases(ctx, have, wanted)))
            return
        self.judge_password(ctx, wanted, have, result)

    def judge_password(self, ctx: Context, wanted: Wanted, have: Have,
                       result: KindResult) -> None:
        """Attributes match: the spotter's link test says whether the password does."""
        outcome = ctx.observed.link_tests.get(have.slot) if have.slot is not None else None
        where = f"peer '{wanted.name}' in slot {have.slot}"
        if outcome == UNAUTHORIZED:
            result.changes.append(self.change(
                ctx, "update", wanted.name, have.slot, [password_attribute()],
                (self.password_op(wanted, have.slot),),
                "the spotter's link test was refused (unauthorized): the stored password "
                "differs", wanted.depends_on, self.releases(ctx, have, wanted)))
            return
        if outcome == OK:
            reason = f"{where} already as wanted (link test ok)"
        elif outcome is None:
            reason = f"{where} already as wanted (password not checked: no link test)"
        else:
            reason = f"{where} already as wanted, but its link test said '{outcome}'"
            result.warnings.append(
                f"{where}: the spotter's link test said '{outcome}'; no change planned "
                "(writing the settings again cannot make the PTZ reachable)")
        result.noops.append(Noop(self.kind, wanted.name, have.slot, reason))

    def create_attributes(self, ctx: Context, wanted: Wanted,
                          slot: int | None) -> list[AttributeChange]:
        return [*super().create_attributes(ctx, wanted, slot), password_attribute()]

    def delete_attributes(self, ctx: Context, have: Have) -> list[AttributeChange]:
        shown = view(have.attrs)
        return [AttributeChange(key, shown[key], None) for key in SUMMARY]

    # -- ops --------------------------------------------------------------------------------
    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[SetParams, ...]:
        return (self.write_op(wanted, _slot(slot), list(wanted.attrs)),)

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[SetParams, ...]:
        return (self.write_op(wanted, _slot(have.slot), [a.name for a in changed]),)

    def delete_ops(self, ctx: Context, have: Have) -> tuple[SetParams, ...]:
        slot = _slot(have.slot)
        cleared = {profile.peer_param(slot, key): profile.PEER_FIELDS[key][1]
                   for key in (*MANAGED, PASSWORD)}
        return (SetParams(cleared),)

    @staticmethod
    def write_op(wanted: Wanted, slot: int, keys: Sequence[str]) -> SetParams:
        args = {profile.peer_param(slot, key): wanted.attrs[key] for key in keys}
        secret = profile.peer_param(slot, PASSWORD)
        args[secret] = SENSITIVE
        return SetParams(args, {secret: wanted.name})

    @staticmethod
    def password_op(wanted: Wanted, slot: int | None) -> SetParams:
        secret = profile.peer_param(_slot(slot), PASSWORD)
        return SetParams({secret: SENSITIVE}, {secret: wanted.name})

    def delete_depends_on(self, ctx: Context, have: Have) -> tuple[str, ...]:
        ptz = points_at(ctx.site, have)
        return () if ptz is None else (ptz,)

    def releases(self, ctx: Context, have: Have, wanted: Wanted | None) -> tuple[str, ...]:
        """The PTZ camera the held peer calls, when the peer goes, is re-pointed, or calls
        with another account (a rotation retires the old one after this change)."""
        before = points_at(ctx.site, have)
        if before is None:
            return ()
        if wanted is not None and wanted.name == before \
                and wanted.attrs.get(USERNAME) == have.attrs.get(USERNAME):
            return ()
        return (before,)


def points_at(site: Site, have: Have) -> str | None:
    """The site camera a held peer calls: the one at its address and port, else the one it is
    named after (a PTZ that moved); None when it is neither."""
    for key in have.match_keys:
        if isinstance(key, tuple) and len(key) == 3 and key[0] == "address":  # address_key
            by_address = site.camera_at_port(str(key[1]), str(key[2]))
            if by_address is not None:
                return by_address
    return have.name if have.name in site.cameras else None


def camera_at(site: Site, address: str) -> Camera | None:
    """The site camera whose site address is ``address`` (host names compare folded)."""
    folded = address.lower()
    return next((c for c in site.cameras.values() if c.address.lower() == folded), None)


def held_targets(site: Site, observed: Observed) -> dict[int, str]:
    """Peer slot -> the site camera the peer held there calls (slots calling none left out)."""
    out: dict[int, str] = {}
    for have in RESOURCE.observed(observed):
        ptz = points_at(site, have)
        if have.slot is not None and ptz is not None:
            out[have.slot] = ptz
    return out


def _slot(slot: int | None) -> int:
    if slot is None:  # peers always live in slots; None would be a bug in the engine
        raise ValueError("a peer without a slot")
    return slot


RESOURCE = Peers()
