"""Translating [modelled] names between the built-in profile and one camera's firmware.

The planner, the resources and the emulator's behaviour work in the built-in spellings
(``profile.py``'s constants). A camera whose firmware spells a [modelled] name otherwise
(an override file says so: ``override.py``) is spoken to in its own spellings; this module
is the one place that rewrites between the two, at the wire: the camera client on the way
out and back, the emulator on the way in and back. With the built-in profile every
translation is the identity.

Parameter names are matched by family, so every slot and every field translates:
``<peer group>_i<k>_<field>``, ``event_i<N>_<link group>_i<k>_<field>``,
``event_i<N>_<rule field>``, the three capability names, and the groups themselves as
getparam prefixes. Command arguments translate per CGI (the link test's ``index`` is not
preset.cgi's ``index``); VCA rule objects translate key by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.profile_data import FirmwareProfile

UNKNOWN = "#not-this-firmware"  # appended to a name no firmware table holds
_SLOT_FIELD = r"(?:_i(?P<slot>\d+)(?:_(?P<field>.+))?)?"
_EVENT = re.escape(fw.event_param(0, "").removesuffix("0_"))  # [real] event slots


@dataclass(frozen=True)
class _Spelling:
    """One profile's spellings, as matchers and tables keyed by the file's handles."""

    caps: dict[str, str]  # handle -> name
    peer: re.Pattern[str]
    peer_group: str
    peer_fields: dict[str, str]
    link: re.Pattern[str]
    link_group: str
    link_fields: dict[str, str]
    rule: re.Pattern[str]
    rule_field: str
    paths: dict[str, str]  # link_test, tracking
    args: dict[str, dict[str, str]]  # path handle -> argument handle -> spelling
    outcomes: dict[str, str]
    vca: dict[str, str]

    @classmethod
    def of(cls, prof: FirmwareProfile) -> _Spelling:
        peer, link = re.escape(prof.peer_group), re.escape(prof.link_group)
        test = {k: v for k, v in prof.link_test.items() if k != "path"}
        return cls(
            caps={k: d.name for k, d in prof.capabilities.items()},
            peer=re.compile(f"^{peer}{_SLOT_FIELD}$"), peer_group=prof.peer_group,
            peer_fields={k: d.name for k, d in prof.peer_fields.items()},
            link=re.compile(rf"^{_EVENT}(?P<event>\d+)_{link}{_SLOT_FIELD}$"),
            link_group=prof.link_group,
            link_fields={k: d.name for k, d in prof.link_fields.items()},
            rule=re.compile(rf"^{_EVENT}(?P<event>\d+)_{re.escape(prof.rule_field.name)}$"),
            rule_field=prof.rule_field.name,
            paths={"link_test": prof.link_test["path"], "tracking": prof.vca_path},
            args={"link_test": test,
                  "preset": {"preset_index": prof.commands["preset_index"]},
                  "camctrl": {"track_rule": prof.commands["track_rule"]},
                  "tracking": {"rule_name": prof.vca_keys["rule_name"]}},
            outcomes=dict(prof.outcomes),
            vca={**prof.vca_keys, "error": prof.vca_error})


def _swap(table_from: Mapping[str, str], table_to: Mapping[str, str], word: str) -> str:
    """``word`` as spelled in ``table_from`` -> the same handle's spelling in ``table_to``."""
    for handle, spelled in table_from.items():
        if spelled == word:
            return table_to[handle]
    return word


def _field(match: re.Match[str], group_to: str, fields_from: Mapping[str, str],
           fields_to: Mapping[str, str]) -> str:
    slot, field = match["slot"], match["field"]
    out = group_to
    if slot is not None:
        out += f"_i{slot}"
        if field is not None:
            out += "_" + _swap(fields_from, fields_to, field)
    return out


class Naming:
    """Rewrites between the built-in spellings (``fw``) and a camera's (``wire``)."""

    def __init__(self, wire: FirmwareProfile, builtin: FirmwareProfile = fw.DEFAULT) -> None:
        self.profile = wire
        self.identity = wire is builtin or wire.data == builtin.data
        self._in = _Spelling.of(builtin)
        self._out = _Spelling.of(wire)

    # -- parameter names (getparam names and groups, setparam pairs, replies) ---------------
    def param_out(self, name: str) -> str:
        return name if self.identity else _param(name, self._in, self._out)

    def param_in(self, name: str) -> str:
        """A name as the camera spells it -> the built-in one. A built-in spelling this
        camera does not use is no name of its own: it comes back ``UNKNOWN``-marked, so
        the emulator refuses it as the real firmware would."""
        if self.identity:
            return name
        builtin = _param(name, self._out, self._in)
        if builtin == name and _param(name, self._in, self._out) != name:
            return name + UNKNOWN
        return builtin

    # -- paths, arguments and outcomes of the command CGIs ---------------------------------
    def path_out(self, path: str) -> str:
        return _swap(self._in.paths, self._out.paths, path)

    def path_in(self, path: str) -> str:
        return _strict(path, self._out.paths, self._in.paths)

    def args_out(self, cgi: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """A CGI's arguments (``cgi``: link_test, preset, camctrl, tracking) as sent."""
        table_in, table_out = self._in.args.get(cgi, {}), self._out.args.get(cgi, {})
        return {_swap(table_in, table_out, k): v for k, v in args.items()}

    def arg_in(self, cgi: str, name: str) -> str:
        return _strict(name, self._out.args.get(cgi, {}), self._in.args.get(cgi, {}))

    def arg_out(self, cgi: str, name: str) -> str:
        return _swap(self._in.args.get(cgi, {}), self._out.args.get(cgi, {}), name)

    def outcome_in(self, word: str) -> str:
        return _swap(self._out.outcomes, self._in.outcomes, word)

    def outcome_out(self, word: str) -> str:
        return _swap(self._in.outcomes, self._out.outcomes, word)

    # -- VCA JSON ---------------------------------------------------------------------------
    def vca_key_out(self, key: str) -> str:
        return _swap(self._in.vca, self._out.vca, key)

    def rules_out(self, rules: Mapping[str, Any]) -> dict[str, Any]:
        """``{name: rule object}`` with each rule's keys as the camera spells them."""
        return {name: _keys(rule, self._in.vca, self._out.vca) for name, rule in rules.items()}

    def rules_in(self, rules: Mapping[str, Any]) -> dict[str, Any]:
        return {name: _keys(rule, self._out.vca, self._in.vca) for name, rule in rules.items()}

    def vca_body_in(self, body: Any) -> Any:
        """A VCA reply or request body in built-in keys: rules, or ``{error key: reason}``."""
        return _vca_body(body, self._out.vca, self._in.vca)

    def vca_body_out(self, body: Any) -> Any:
        return _vca_body(body, self._in.vca, self._out.vca)


def _strict(word: str, wire: Mapping[str, str], builtin: Mapping[str, str]) -> str:
    """``word`` as the camera spells it -> built-in; a built-in spelling the camera does
    not use is marked ``UNKNOWN`` (see ``Naming.param_in``)."""
    out = _swap(wire, builtin, word)
    if out == word and _swap(builtin, wire, word) != word:
        return word + UNKNOWN
    return out


def _keys(rule: Any, keys_from: Mapping[str, str], keys_to: Mapping[str, str]) -> Any:
    if not isinstance(rule, Mapping):
        return rule
    return {_swap(keys_from, keys_to, k): v for k, v in rule.items()}


def _vca_body(body: Any, keys_from: Mapping[str, str], keys_to: Mapping[str, str]) -> Any:
    if not isinstance(body, Mapping):
        return body
    error = keys_from["error"]
    if error in body and len(body) == 1:
        return {keys_to["error"]: body[error]}
    return {name: _keys(rule, keys_from, keys_to) for name, rule in body.items()}


def _param(name: str, src: _Spelling, dst: _Spelling) -> str:
    capability = _swap(src.caps, dst.caps, name)
    if capability != name:
        return capability
    match = src.peer.match(name)
    if match:
        return _field(match, dst.peer_group, src.peer_fields, dst.peer_fields)
    match = src.link.match(name)
    if match:
        head = fw.event_param(int(match["event"]), "")
        return head + _field(match, dst.link_group, src.link_fields, dst.link_fields)
    match = src.rule.match(name)
    if match:
        return fw.event_param(int(match["event"]), dst.rule_field)
    return name


IDENTITY = Naming(fw.DEFAULT)
