"""Accounts on a camera (``security_user_i<N>_*``, written through ``editaccount.cgi``).

What a camera should hold, by account name:

- the admin account this tool logs in with (``credentials``): it must stay an admin; it is
  never deleted nor demoted, whatever ``prune`` says (nor is slot 0, root);
- on a PTZ camera with ``link_credentials`` of its own, the link account spotters call it
  with, with the declared privilege. Its name is the inventory's ``username`` or its
  alternate ``<username>-alt`` (``link_accounts``): a password rotation moves the spotters
  from one to the other, so that every link works at every moment;
- every account declared under ``accounts:`` (``state: absent`` removes one).

Passwords are never readable: each one the inventory gives is checked by logging in as that
account while gathering (``Observed.logins``): accepted is in sync, refused plans an edit of
the password alone. Link accounts the planner retires after a rotation
(``Camera.retired_link_accounts``) are deleted, after the spotters stop using them. Any other
account is reported as unmanaged and left alone unless ``prune`` names ``account`` explicitly
(``prune: true`` does not: removing people's accounts must be asked for by name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import AddAccount, Command, DeleteAccount, EditAccount
from camlink_provision.inventory.model import Camera, Credentials, ResourceKind, Site
from camlink_provision.model import JSON, SENSITIVE, AttributeChange, Observed
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
)

PRIVILEGE = profile.ACCOUNT_PRIVILEGE
PASSWORD_ATTRIBUTE = "password"
ALTERNATE_SUFFIX = "-alt"
ROOT_SLOT = 0


ACCOUNT_NAMES = tuple(profile.account_param(slot, field) for slot in range(profile.NACCOUNT)
                      for field in (profile.ACCOUNT_NAME, PRIVILEGE))


def alternate(username: str) -> str:
    """The other name of a link account: ``camlink`` <-> ``camlink-alt``."""
    if username.endswith(ALTERNATE_SUFFIX):
        return username[:-len(ALTERNATE_SUFFIX)]
    return username + ALTERNATE_SUFFIX


def link_pair(camera: Camera) -> tuple[str, str] | None:
    """The two names a PTZ camera's own link account may hold (the inventory's first)."""
    if not camera.own_link_account or camera.link_credentials is None:
        return None
    base = camera.link_credentials.username
    return base, alternate(base)


def secret_ref(camera: Camera, account: str) -> str:
    """How a command names the password of ``account`` (``commands.secret_value``)."""
    pair = link_pair(camera)
    if pair is not None and account in pair:
        return camera.name
    return f"{camera.name}#{account}"


def held_accounts(params: Mapping[str, str]) -> dict[str, tuple[int, str]]:
    """Account name -> (slot, privilege), as a getparam reply lists them."""
    out: dict[str, tuple[int, str]] = {}
    for slot in range(profile.NACCOUNT):
        name = params.get(profile.account_param(slot, profile.ACCOUNT_NAME), "")
        if name and name not in out:
            out[name] = (slot, params.get(profile.account_param(slot, PRIVILEGE), ""))
    return out


def login_checks(camera: Camera, observed: Observed) -> list[Credentials]:
    """The accounts whose password the inventory gives and the camera holds: each is checked
    by logging in as it. Both names of a link account are (either may be the current one);
    the admin account is not (this very read logged in with it)."""
    held = held_accounts(observed.params)
    out: list[Credentials] = []
    pair = link_pair(camera)
    if pair is not None and camera.link_credentials is not None:
        link = camera.link_credentials
        out.extend(Credentials(name, link.password, link.privilege)
                   for name in pair if name in held)
    out.extend(Credentials(a.name, a.password, a.privilege) for a in camera.accounts
               if a.state == "present" and a.password is not None and a.name in held
               and a.name != camera.credentials.username)
    return out


@dataclass(frozen=True)
class HeldAccount:
    """One account a camera holds, in the inventory's words (what ``adopt`` gives back)."""

    name: str
    privilege: str
    slot: int


class Accounts(SlotResource):
    kind: ResourceKind = "account"
    refers_to: tuple[str, ...] = ()  # spotters' peers refer to it: the referred side
    noun = "account"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        # Each name and privilege by name, not the ``security_user`` group: the group lists
        # root's password to an admin (6/6 [real]), which this tool never needs to receive.
        return ACCOUNT_NAMES

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return True

    # -- desired and observed ---------------------------------------------------------------
    def desired(self, site: Site, camera: Camera) -> list[Wanted]:
        admin = camera.credentials.username
        out = [Wanted(name=admin, attrs={PRIVILEGE: "admin"})]
        if camera.own_link_account and camera.link_credentials is not None:
            link = camera.link_credentials
            out.append(Wanted(name=link.username, attrs={PRIVILEGE: link.privilege}))
        named = {w.name for w in out}
        out.extend(Wanted(name=a.name, present=a.state == "present",
                          attrs={PRIVILEGE: a.privilege})
                   for a in camera.accounts if a.name not in named)
        named |= {a.name for a in camera.accounts}
        out.extend(Wanted(name=name, present=False) for name in camera.retired_link_accounts
                   if name not in named)
        return out

    def observed(self, observed: Observed) -> list[Have]:
        return [Have(name=name, slot=slot, attrs={PRIVILEGE: privilege})
                for name, (slot, privilege) in held_accounts(observed.params).items()]

    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[HeldAccount]:
        """Every account but root and the one this tool logs in with, by name and privilege
        (passwords are never readable: the importer writes ``secret()`` references)."""
        out = [HeldAccount(h.name, str(h.attrs.get(PRIVILEGE, "")), h.slot or 0) for h in have
               if h.slot != ROOT_SLOT and h.name != ctx.camera.credentials.username]
        return Adopted(self.kind, tuple(out))

    # -- the view ---------------------------------------------------------------------------
    def view(self, ctx: Context, attrs: Mapping[str, JSON]) -> dict[str, JSON]:
        return {"privilege": attrs.get(PRIVILEGE)}

    # -- compare ----------------------------------------------------------------------------
    def compare_existing(self, ctx: Context, wanted: Wanted, have: Have,
                         result: KindResult) -> None:
        changed = attribute_changes(wanted.attrs, have.attrs)
        login = ctx.observed.logins.get(wanted.name)
        wrong_password = login is False
        if not changed and not wrong_password:
            result.noops.append(Noop(self.kind, wanted.name, have.slot,
                                     self.in_sync_reason(ctx, wanted, login)))
            return
        shown = self.shown_changes(ctx, wanted.attrs, have.attrs, changed) if changed else []
        why = [f"{names_of(shown)} differs from the inventory"] if shown else []
        if wrong_password:
            shown.append(password_attribute())
            why.append("the camera still holds the previous password (rotation)"
                       if wanted.name == ctx.camera.credentials.username
                       else "the inventory's password was refused at login")
        # One edit for both a privilege and a password.
        op = EditAccount(wanted.name, str(wanted.attrs[PRIVILEGE]) if changed else None,
                         secret_ref(ctx.camera, wanted.name) if wrong_password else None)
        result.changes.append(self.change(ctx, "update", wanted.name, have.slot, shown, (op,),
                                          "; ".join(why), ()))

    def in_sync_reason(self, ctx: Context, wanted: Wanted, login: bool | None) -> str:
        base = f"account '{wanted.name}' already as wanted"
        if wanted.name == ctx.camera.credentials.username:
            return base + " (this tool logs in with its password)"
        if login:
            return base + " (its password logged in)"
        return base + " (password not checked: no login check)"

    def create_attributes(self, ctx: Context, wanted: Wanted,
                          slot: int | None) -> list[AttributeChange]:
        return [*super().create_attributes(ctx, wanted, slot), password_attribute()]

    def absent_reason(self, ctx: Context, want: Wanted) -> str:
        if want.name in ctx.camera.retired_link_accounts:
            return ("a link account retired by the rotation: no spotter calls with it once "
                    "the spotters' changes are in place")
        return super().absent_reason(ctx, want)

    def prunable(self, ctx: Context, held: Have) -> bool:
        """Never root nor the account this tool logs in with; nor either name of the link
        account, which only a rotation retires (when no spotter can still call with it)."""
        protected = (held.slot == ROOT_SLOT or held.name == ctx.camera.credentials.username
                     or held.name in (link_pair(ctx.camera) or ()))
        return not protected and super().prunable(ctx, held)

    # -- ops --------------------------------------------------------------------------------
    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[Command, ...]:
        return (AddAccount(wanted.name, str(wanted.attrs[PRIVILEGE]),
                           secret_ref(ctx.camera, wanted.name)),)

    def delete_ops(self, ctx: Context, have: Have) -> tuple[Command, ...]:
        return (DeleteAccount(have.name),)


def password_attribute() -> AttributeChange:
    return AttributeChange(PASSWORD_ATTRIBUTE, SENSITIVE, SENSITIVE, sensitive=True)


RESOURCE = Accounts()
