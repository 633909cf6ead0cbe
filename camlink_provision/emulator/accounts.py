"""A camera's accounts, kept where the firmware keeps them: its parameters [real].

``security_user_i<N>_name`` / ``_privilege`` list the accounts (slot 0 is root and cannot be
deleted), ``_pass`` holds the password (never readable). ``editaccount.cgi`` adds, edits and
deletes them, and a change takes effect for the very next request at every level: the
Authenticator looks accounts up here on every request, so a spotter whose stored peer
password no longer matches is refused by its peer at once.
"""

from __future__ import annotations

from camlink_provision.emulator.forms import Pair
from camlink_provision.emulator.params import ParamStore
from camlink_provision.emulator.replies import INVALID, Answer, text
from camlink_provision.emulator.spec import AccountSpec
from camlink_provision.firmware import profile as fw

ROOT_SLOT = 0


def factory_accounts(accounts: tuple[AccountSpec, ...]) -> dict[str, str]:
    """The parameters of the accounts a camera leaves the factory (or the installer) with,
    in slots 0, 1, ...: what a factory reset goes back to."""
    out: dict[str, str] = {}
    for slot, account in enumerate(accounts[:fw.NACCOUNT]):
        out[fw.account_param(slot, fw.ACCOUNT_NAME)] = account.username
        out[fw.account_param(slot, fw.ACCOUNT_PRIVILEGE)] = account.privilege
        out[fw.account_param(slot, fw.ACCOUNT_PASSWORD)] = account.password
    return out


class AccountBook:
    """The accounts of one camera, read from and written to its parameter store."""

    def __init__(self, params: ParamStore) -> None:
        self.params = params

    def _field(self, slot: int, field: str) -> str:
        return self.params.value(fw.account_param(slot, field))

    def slot_of(self, username: str) -> int | None:
        if not username:
            return None
        return next((slot for slot in range(fw.NACCOUNT)
                     if self._field(slot, fw.ACCOUNT_NAME) == username), None)

    def find(self, username: str) -> AccountSpec | None:
        """The account ``username`` as it is now, or None (the Authenticator's look-up)."""
        slot = self.slot_of(username)
        if slot is None:
            return None
        privilege = self._field(slot, fw.ACCOUNT_PRIVILEGE)
        if privilege not in fw.PRIVILEGE_LEVELS:
            return None
        return AccountSpec(username, self._field(slot, fw.ACCOUNT_PASSWORD),
                           privilege)  # type: ignore[arg-type]  # checked just above

    def names(self) -> list[str]:
        return [name for slot in range(fw.NACCOUNT)
                if (name := self._field(slot, fw.ACCOUNT_NAME))]

    def edit(self, pairs: list[Pair]) -> Answer:
        """``editaccount.cgi``: ``method=add|edit|delete``, ``username``, ``userpass``,
        ``privilege``; anything it cannot do is ``ERROR: Invalid command!`` and changes
        nothing [modelled reply]."""
        form = {pair.name: pair.value for pair in pairs}
        known = {fw.ACCOUNT_METHOD, fw.ACCOUNT_USERNAME, fw.ACCOUNT_USERPASS,
                 fw.ACCOUNT_PRIVILEGE_ARG}
        if set(form) - known or any(value is None for value in form.values()):
            return INVALID
        method = form.get(fw.ACCOUNT_METHOD)
        username = form.get(fw.ACCOUNT_USERNAME) or ""
        password, privilege = form.get(fw.ACCOUNT_USERPASS), form.get(fw.ACCOUNT_PRIVILEGE_ARG)
        if password is not None and fw.ACCOUNT_NAME_TYPE.check(password) is not None:
            return INVALID
        if privilege is not None and privilege not in fw.PRIVILEGE_LEVELS:
            return INVALID
        if method == fw.ACCOUNT_ADD:
            return self._add(username, password or "", privilege or "viewer")
        if method == fw.ACCOUNT_EDIT:
            return self._edit(username, password, privilege)
        if method == fw.ACCOUNT_DELETE:
            return self._delete(username)
        return INVALID

    def _add(self, username: str, password: str, privilege: str) -> Answer:
        if (not username or fw.ACCOUNT_NAME_TYPE.check(username) is not None or ":" in username
                or self.slot_of(username) is not None):
            return INVALID
        free = next((slot for slot in range(fw.NACCOUNT)
                     if not self._field(slot, fw.ACCOUNT_NAME)), None)
        if free is None:
            return INVALID
        self._store(free, {fw.ACCOUNT_NAME: username, fw.ACCOUNT_PRIVILEGE: privilege,
                           fw.ACCOUNT_PASSWORD: password})
        return Answer(text(b""), True)

    def _edit(self, username: str, password: str | None, privilege: str | None) -> Answer:
        slot = self.slot_of(username)
        if slot is None:
            return INVALID
        if slot == ROOT_SLOT and privilege not in (None, "admin"):
            return INVALID  # root stays admin
        changes = {}
        if password is not None:
            changes[fw.ACCOUNT_PASSWORD] = password
        if privilege is not None:
            changes[fw.ACCOUNT_PRIVILEGE] = privilege
        self._store(slot, changes)
        return Answer(text(b""), True)

    def _delete(self, username: str) -> Answer:
        slot = self.slot_of(username)
        if slot is None or slot == ROOT_SLOT:
            return INVALID
        self._store(slot, {fw.ACCOUNT_NAME: "", fw.ACCOUNT_PRIVILEGE: "",
                           fw.ACCOUNT_PASSWORD: ""})
        return Answer(text(b""), True)

    def _store(self, slot: int, fields: dict[str, str]) -> None:
        self.params.store({fw.account_param(slot, field): value
                           for field, value in fields.items()})
