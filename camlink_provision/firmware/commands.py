"""One small class per firmware command: what it sends, what it touches, how it merges.

    SetParams(values, secrets)   one form POST of parameters (a peer password named by its PTZ)
    Move(pan, tilt, zoom)        absolute move of the PTZ head
    AddPreset(name, index)       save the current position as a preset in a slot
    DeletePreset(name)           delete a preset
    PutRules(rules)              create or replace VCA tracking rules (one JSON POST)
    DeleteRule(name)             delete one VCA tracking rule
    AddAccount(username, ...)    add an account (editaccount.cgi), its password by reference
    EditAccount(username, ...)   change an account's password and/or privilege
    DeleteAccount(username)      delete an account

Every stage uses these objects (as pyinfra's ``api/command.py`` types its commands): the
resource kinds build them, the planner merges a step's commands into the requests the plan
shows (``merge``), the applier sends exactly those (``send``), the journal and the request
counting describe them (``names``, ``writes``), and the restore learns from them what a
failed step may have changed (``scope``). A plan file holds them as ``{"call", "args"}``
(``to_json`` / ``from_json``).

Secrets: ``SetParams.secrets`` maps a parameter to the PTZ camera whose link password goes
there; its value in ``values`` is ``(sensitive)`` and the real one is looked up in the Site
only when the request is sent. Account commands carry such a reference too (``secret_value``:
``<camera>`` is that PTZ camera's link password, ``<camera>#<account>`` an account the
inventory declares on that camera, its admin account included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from camlink_provision.errors import CameraCommandError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Secret, Site

JSON = Any
SENSITIVE = "(sensitive)"


class WriteClient(Protocol):
    """The part of ``camera.CameraClient`` that commands are sent through."""

    name: str

    def setparam(self, values: Mapping[str, str | Secret]) -> dict[str, str]: ...
    def move(self, pan: int, tilt: int, zoom: int) -> None: ...
    def add_preset(self, name: str, index: int | None = None) -> None: ...
    def delete_preset(self, name: str) -> None: ...
    def put_tracking_rules(self, rules: Mapping[str, Mapping[str, Any]]) -> None: ...
    def delete_tracking_rule(self, name: str) -> None: ...
    def edit_account(self, method: str, username: str, *, password: Secret | None = None,
                     privilege: str | None = None) -> None: ...


@dataclass(frozen=True)
class Scope:
    """What commands may have changed on a camera, by name: what a restore puts back."""

    params: frozenset[str] = frozenset()
    secret_params: Mapping[str, str] = field(default_factory=dict)  # param -> PTZ camera
    presets: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    moved: bool = False
    accounts: frozenset[str] = frozenset()

    def __or__(self, other: Scope) -> Scope:
        return Scope(self.params | other.params,
                     {**self.secret_params, **other.secret_params},
                     self.presets | other.presets, self.rules | other.rules,
                     self.moved or other.moved, self.accounts | other.accounts)

    @classmethod
    def of(cls, commands: Iterable[Command]) -> Scope:
        out = cls()
        for command in commands:
            out = out | command.scope()
        return out


class Command:
    """The contract of a firmware command (each subclass is a frozen dataclass)."""

    call: ClassVar[str]
    writes: ClassVar[bool] = True  # counted as a write; the journal records it
    # Sending it twice has the outcome of sending it once: after a lost reply it may be
    # sent again even when a read cannot tell whether it landed.
    idempotent: ClassVar[bool] = False

    @property
    def args(self) -> dict[str, JSON]:
        raise NotImplementedError

    def names(self) -> tuple[str, ...]:
        """What it touches, by name only (parameters, a preset, rules): never a value."""
        raise NotImplementedError

    def scope(self) -> Scope:
        """What a restore must look at if this command may have landed."""
        raise NotImplementedError

    def send(self, client: WriteClient, site: Site) -> None:
        """One request; any failure is raised as the client's CameraError."""
        raise NotImplementedError

    def merged(self, later: Command) -> Command | None:
        """This command and a ``later`` one as one request, or None when they cannot be."""
        return None

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        """Whether the camera, read again (its getparam reply and VCA rules), shows this
        command done; None when a read cannot tell."""
        return None

    def may_pass(self, earlier: Command) -> bool:
        """Whether this command may be sent before ``earlier`` with the same outcome."""
        return False

    def to_json(self) -> dict[str, JSON]:
        return {"call": self.call, "args": self.args}


@dataclass(frozen=True)
class SetParams(Command):
    call: ClassVar[str] = "setparam"
    idempotent: ClassVar[bool] = True
    values: Mapping[str, JSON]
    secrets: Mapping[str, str] = field(default_factory=dict)  # param -> PTZ camera

    @property
    def args(self) -> dict[str, JSON]:
        return dict(self.values)

    @property
    def secret_args(self) -> Mapping[str, str]:
        return self.secrets

    def names(self) -> tuple[str, ...]:
        return tuple(self.values)

    def scope(self) -> Scope:
        plain = frozenset(name for name in self.values if name not in self.secrets)
        return Scope(params=plain, secret_params=dict(self.secrets))

    def send(self, client: WriteClient, site: Site) -> None:
        client.setparam(self.wire_values(site, client.name))

    def wire_values(self, site: Site, target: str) -> dict[str, str | Secret]:
        """The values to send to camera ``target``, secrets looked up in the Site now."""
        values: dict[str, str | Secret] = {name: text(value)
                                           for name, value in self.values.items()}
        for name, ptz in self.secrets.items():
            values[name] = secret_value(site, ptz, target, self.call)
        return values

    def merged(self, later: Command) -> Command | None:
        if not isinstance(later, SetParams):
            return None
        return SetParams({**self.values, **later.values}, {**self.secrets, **later.secrets})

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        plain = {name: text(value) for name, value in self.values.items()
                 if name not in self.secrets}
        if not plain:
            return None  # only write-only values: nothing to read back
        return all(params.get(name) == value for name, value in plain.items())

    def may_pass(self, earlier: Command) -> bool:
        # Parameters never refer to VCA rules; they may refer to presets (an event that goes
        # to a local preset), so a setparam never moves over a preset command.
        return isinstance(earlier, PutRules | DeleteRule)

    def to_json(self) -> dict[str, JSON]:
        out = super().to_json()
        if self.secrets:
            out["secret_args"] = dict(self.secrets)
        return out


@dataclass(frozen=True)
class Move(Command):
    call: ClassVar[str] = "move"
    writes: ClassVar[bool] = False  # moves the head; changes no setting
    idempotent: ClassVar[bool] = True
    pan: int
    tilt: int
    zoom: int

    @property
    def args(self) -> dict[str, JSON]:
        return {"pan": self.pan, "tilt": self.tilt, "zoom": self.zoom}

    def names(self) -> tuple[str, ...]:
        return ("pan", "tilt", "zoom")

    def scope(self) -> Scope:
        return Scope(moved=True)

    def send(self, client: WriteClient, site: Site) -> None:
        client.move(self.pan, self.tilt, self.zoom)


@dataclass(frozen=True)
class AddPreset(Command):
    """Saves the *current* position, so it is never merged nor moved over a ``Move``."""

    call: ClassVar[str] = "add_preset"
    name: str
    index: int | None = None

    @property
    def args(self) -> dict[str, JSON]:
        return {"name": self.name, "index": self.index}

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def scope(self) -> Scope:
        return Scope(presets=frozenset({self.name}))

    def send(self, client: WriteClient, site: Site) -> None:
        client.add_preset(self.name, self.index)

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        if self.index is None:
            return self.name in preset_names(params).values()
        return preset_names(params).get(self.index) == self.name


@dataclass(frozen=True)
class DeletePreset(Command):
    call: ClassVar[str] = "delete_preset"
    name: str

    @property
    def args(self) -> dict[str, JSON]:
        return {"name": self.name}

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def scope(self) -> Scope:
        return Scope(presets=frozenset({self.name}))

    def send(self, client: WriteClient, site: Site) -> None:
        client.delete_preset(self.name)

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        return self.name not in preset_names(params).values()


@dataclass(frozen=True)
class PutRules(Command):
    call: ClassVar[str] = "put_rules"
    idempotent: ClassVar[bool] = True
    rules: Mapping[str, Mapping[str, JSON]]

    @property
    def args(self) -> dict[str, JSON]:
        return {"rules": {name: dict(rule) for name, rule in self.rules.items()}}

    def names(self) -> tuple[str, ...]:
        return tuple(self.rules)

    def scope(self) -> Scope:
        return Scope(rules=frozenset(self.rules))

    def send(self, client: WriteClient, site: Site) -> None:
        client.put_tracking_rules(self.rules)

    def merged(self, later: Command) -> Command | None:
        if not isinstance(later, PutRules):
            return None
        return PutRules({**self.rules, **later.rules})

    def may_pass(self, earlier: Command) -> bool:
        # Rules refer to nothing else; only the deletion of one of its own rules must stay
        # before it.
        if isinstance(earlier, DeleteRule):
            return earlier.name not in self.rules
        return True


@dataclass(frozen=True)
class DeleteRule(Command):
    call: ClassVar[str] = "delete_rule"
    name: str

    @property
    def args(self) -> dict[str, JSON]:
        return {"name": self.name}

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def scope(self) -> Scope:
        return Scope(rules=frozenset({self.name}))

    def send(self, client: WriteClient, site: Site) -> None:
        client.delete_tracking_rule(self.name)

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        return None if rules is None else self.name not in rules


def secret_value(site: Site, ref: str, target: str, call: str) -> Secret:
    """The password a reference names, looked up in the Site at the moment it is sent:
    ``<camera>`` its link password, ``<camera>#<account>`` an account declared on it."""
    camera_name, _, account = ref.partition("#")
    camera = site.cameras.get(camera_name)
    secret: Secret | None = None
    if camera is not None and not account:
        secret = camera.peer_credentials.password
    elif camera is not None and account == camera.credentials.username:
        secret = camera.credentials.password
    elif camera is not None:
        secret = next((a.password for a in camera.accounts if a.name == account), None)
    if secret is None:
        what = (f"the password of account {account!r} on {camera_name!r}" if account
                else f"the link password of {camera_name!r}")
        raise CameraCommandError(target, f"the plan writes {what}, which the inventory no "
                                 "longer has — make a new plan", call)
    return secret


def account_names(params: Mapping[str, str]) -> dict[str, str]:
    """Account name -> privilege, of the accounts a getparam reply lists."""
    out: dict[str, str] = {}
    for slot in range(fw.NACCOUNT):
        name = params.get(fw.account_param(slot, fw.ACCOUNT_NAME), "")
        if name and name not in out:  # a name held twice: the lowest slot, as the planner
            out[name] = params.get(fw.account_param(slot, fw.ACCOUNT_PRIVILEGE), "")
    return out


@dataclass(frozen=True)
class AddAccount(Command):
    call: ClassVar[str] = "add_account"
    username: str
    privilege: str
    secret: str  # the reference of its password (``secret_value``)

    @property
    def args(self) -> dict[str, JSON]:
        return {"username": self.username, "privilege": self.privilege, "password": SENSITIVE}

    def names(self) -> tuple[str, ...]:
        return (self.username,)

    def scope(self) -> Scope:
        return Scope(accounts=frozenset({self.username}))

    def send(self, client: WriteClient, site: Site) -> None:
        client.edit_account(fw.ACCOUNT_ADD, self.username, privilege=self.privilege,
                            password=secret_value(site, self.secret, client.name, self.call))

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        return account_names(params).get(self.username) == self.privilege

    def to_json(self) -> dict[str, JSON]:
        return {**super().to_json(), "secret": self.secret}


@dataclass(frozen=True)
class EditAccount(Command):
    """A new password (by reference) and/or privilege; what is None is kept."""

    call: ClassVar[str] = "edit_account"
    idempotent: ClassVar[bool] = True
    username: str
    privilege: str | None = None
    secret: str | None = None

    @property
    def args(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {"username": self.username}
        if self.privilege is not None:
            out["privilege"] = self.privilege
        if self.secret is not None:
            out["password"] = SENSITIVE
        return out

    def names(self) -> tuple[str, ...]:
        return (self.username,)

    def scope(self) -> Scope:
        return Scope(accounts=frozenset({self.username}))

    def send(self, client: WriteClient, site: Site) -> None:
        password = (None if self.secret is None
                    else secret_value(site, self.secret, client.name, self.call))
        client.edit_account(fw.ACCOUNT_EDIT, self.username, privilege=self.privilege,
                            password=password)

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        if self.secret is not None or self.privilege is None:
            return None  # a password cannot be read back
        return account_names(params).get(self.username) == self.privilege

    def to_json(self) -> dict[str, JSON]:
        out = super().to_json()
        if self.secret is not None:
            out["secret"] = self.secret
        return out


@dataclass(frozen=True)
class DeleteAccount(Command):
    call: ClassVar[str] = "delete_account"
    username: str

    @property
    def args(self) -> dict[str, JSON]:
        return {"username": self.username}

    def names(self) -> tuple[str, ...]:
        return (self.username,)

    def scope(self) -> Scope:
        return Scope(accounts=frozenset({self.username}))

    def send(self, client: WriteClient, site: Site) -> None:
        client.edit_account(fw.ACCOUNT_DELETE, self.username)

    def landed(self, params: Mapping[str, str],
               rules: Mapping[str, Any] | None) -> bool | None:
        return self.username not in account_names(params)


COMMANDS: dict[str, type[Command]] = {
    cls.call: cls for cls in (SetParams, Move, AddPreset, DeletePreset, PutRules, DeleteRule,
                              AddAccount, EditAccount, DeleteAccount)}


def preset_names(params: Mapping[str, str]) -> dict[int, str]:
    """Slot -> preset name, of the presets a getparam reply shows."""
    prefix, suffix = fw.PRESET_GROUP + "_i", "_" + fw.PRESET_NAME
    out: dict[int, str] = {}
    for name, value in params.items():
        slot = name[len(prefix):-len(suffix)] if name.startswith(prefix) and \
            name.endswith(suffix) else ""
        if slot.isdigit() and value:
            out[int(slot)] = value
    return out


def text(value: JSON) -> str:
    """A parameter value as the firmware's form takes it (booleans as 1 / 0)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def from_json(data: Mapping[str, JSON]) -> Command:
    """A command of a plan file; a ValueError for one this version does not know."""
    call, args = data.get("call"), dict(data.get("args", {}))
    if call == "setparam":
        return SetParams(args, dict(data.get("secret_args", {})))
    if call == "move":
        return Move(int(args["pan"]), int(args["tilt"]), int(args["zoom"]))
    if call == "add_preset":
        index = args.get("index")
        return AddPreset(str(args["name"]), None if index is None else int(index))
    if call in ("delete_preset", "delete_rule"):
        cls = DeletePreset if call == "delete_preset" else DeleteRule
        return cls(str(args["name"]))
    if call == "put_rules":
        return PutRules(dict(args["rules"]))
    if call == "add_account":
        return AddAccount(str(args["username"]), str(args["privilege"]), str(data["secret"]))
    if call == "edit_account":
        privilege, secret = args.get("privilege"), data.get("secret")
        return EditAccount(str(args["username"]), None if privilege is None else str(privilege),
                           None if secret is None else str(secret))
    if call == "delete_account":
        return DeleteAccount(str(args["username"]))
    raise ValueError(f"unknown command {call!r} in the plan (made by a newer version?)")


@dataclass(frozen=True)
class Request:
    """One request to send: a (possibly merged) command and the changes it carries."""

    command: Command
    changes: tuple[str, ...] = ()  # keys of the changes whose commands it carries

    def to_json(self) -> dict[str, JSON]:
        return {**self.command.to_json(), "changes": list(self.changes)}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Request:
        return cls(from_json(data), tuple(data.get("changes", ())))


def merge(items: Iterable[tuple[Command, str]]) -> list[Request]:
    """The fewest requests with the same outcome as the (command, change key) pairs in order.

    A command joins the latest earlier request it merges with, if it may pass every request
    between them; nothing is ever moved otherwise. An empty key carries no change.
    """
    out: list[Request] = []
    for command, key in items:
        index = _merge_target(out, command)
        if index is None:
            out.append(Request(command, (key,) if key else ()))
            continue
        old = out[index]
        joined = old.command.merged(command)
        assert joined is not None
        keys = old.changes if not key or key in old.changes else (*old.changes, key)
        out[index] = Request(joined, keys)
    return out


def merge_commands(commands: Iterable[Command]) -> list[Command]:
    """``merge`` for commands that carry no change (a restore's)."""
    return [request.command for request in merge((command, "") for command in commands)]


def _merge_target(out: Sequence[Request], command: Command) -> int | None:
    for index in range(len(out) - 1, -1, -1):
        earlier = out[index].command
        if earlier.merged(command) is not None:
            return index
        if not command.may_pass(earlier):
            return None
    return None
