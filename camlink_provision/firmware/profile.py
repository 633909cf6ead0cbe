"""Parameter names, types and access levels of firmware 2103+: the firmware profile.

Both the camera client's callers (resources/) and the emulator build names only through the
functions here. Names tagged [modelled] in firmware-contract.md (Camera Link peers and
actions, ``vadp_rule``, the capability counts, the link test, the VCA tracking-rule keys) are
not spelled here: they come from the packaged data file ``profile.yml`` (loaded once, by
``profile_data``), and the constants below are its built-in spellings, the ones the rest of
the code works in. A camera whose firmware spells them otherwise is corrected by an override
file, never by editing code: ``naming.py`` translates at the wire (docs/new-firmware.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from urllib.parse import quote

from camlink_provision.firmware import profile_data
from camlink_provision.firmware.profile_data import FirmwareProfile, ParamDef

# The built-in profile (profile.yml): the source of every [modelled] constant below.
DEFAULT: FirmwareProfile = profile_data.packaged()

# ---------------------------------------------------------------------------------------------
# Security levels [real]: the CGI directory names and the level each stands for.
LEVEL_DIRS: dict[str, int] = {"anonymous": 0, "viewer": 1, "operator": 4, "admin": 6}
PRIVILEGE_LEVELS: dict[str, int] = {"viewer": 1, "operator": 4, "admin": 6}
NOBODY = 7
# Directories that are not named after a level: the level each demands [modelled; real cameras
# make PTZ control and DI/DO separately configurable privileges].
OTHER_DIR_LEVELS: dict[str, int] = {"camctrl": 1, "dido": 4}
VCA_CONFIG_LEVEL = 6
VCA_STATUS_LEVEL = 1

# Replies [real].
INVALID_COMMAND = b"ERROR: Invalid command!\n"
AUTH_REALM = "streaming_server"

# CGI paths [real unless noted].
GETPARAM = "/cgi-bin/admin/getparam.cgi"
SETPARAM = "/cgi-bin/admin/setparam.cgi"
PRESET = "/cgi-bin/operator/preset.cgi"  # addpos / delpos; &index= is [modelled]
RECALL = "/cgi-bin/viewer/recall.cgi"
CAMCTRL = "/cgi-bin/camctrl/camctrl.cgi"
SETVI = "/cgi-bin/admin/setvi.cgi"
SETDO = "/cgi-bin/dido/setdo.cgi"
LINK_TEST = DEFAULT.link_test["path"]  # [modelled]
VCA_TRACKING = DEFAULT.vca_path  # [modelled on the real /VCA/ family]
VCA_STATUS = "/VCA/Camera/Status"
EDITACCOUNT = "/cgi-bin/admin/editaccount.cgi"  # POST method=add|edit|delete [real]
# What a login check reads: one identity parameter at the lowest level an account can have,
# so any account that exists and holds its password gets a 200 (others a 401).
LOGIN_CHECK = "/cgi-bin/viewer/getparam.cgi"

# Characters a string[n] may not hold [real].
FORBIDDEN_CHARS = "\"'<>&"

# ---------------------------------------------------------------------------------------------
# Value types [real].


@dataclass(frozen=True)
class StringType:
    size: int  # string[n]: fewer than n characters

    def check(self, value: str) -> str | None:
        if len(value) >= self.size:
            return f"must be shorter than {self.size} characters"
        bad = sorted({c for c in value if c in FORBIDDEN_CHARS})
        if bad:
            return "may not contain " + " ".join(bad)
        if any(ord(c) < 32 for c in value):
            return "may not contain control characters"
        return None


@dataclass(frozen=True)
class IntType:
    low: int
    high: int

    def check(self, value: str) -> str | None:
        if not re.fullmatch(r"-?\d+", value) or not self.low <= int(value) <= self.high:
            return f"must be an integer {self.low}~{self.high}"
        return None


@dataclass(frozen=True)
class EnumType:
    values: tuple[str, ...]

    def check(self, value: str) -> str | None:
        return None if value in self.values else "must be one of " + ", ".join(self.values)


@dataclass(frozen=True)
class TimeType:
    def check(self, value: str) -> str | None:
        match = re.fullmatch(r"(\d\d):(\d\d)", value)
        if not match:
            return "must be hh:mm"
        hours, minutes = int(match[1]), int(match[2])
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            return "must be 00:00~24:00"
        return None


@dataclass(frozen=True)
class AddressType:
    def check(self, value: str) -> str | None:
        if value and not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]{1,253}", value):
            return "must be an IP address or host name"
        return None


ValueType = StringType | IntType | EnumType | TimeType | AddressType
BOOL = EnumType(("0", "1"))


def bitmask(bits: int) -> IntType:
    return IntType(0, (1 << bits) - 1)


_INT = re.compile(r"int (-?\d+)~(-?\d+)")


def parse_type(text: str) -> ValueType:
    """A profile file's type text: ``bool``, ``address``, ``int LOW~HIGH``, ``string N``
    (the schema admits nothing else)."""
    if text == "bool":
        return BOOL
    if text == "address":
        return AddressType()
    match = _INT.fullmatch(text)
    if match:
        return IntType(int(match[1]), int(match[2]))
    return StringType(int(text.split(" ")[1]))


def type_text(vtype: ValueType) -> str:
    """The reverse of ``parse_type``, for reports (enumerations are listed)."""
    if vtype == BOOL:
        return "bool"
    if isinstance(vtype, AddressType):
        return "address"
    if isinstance(vtype, IntType):
        return f"int {vtype.low}~{vtype.high}"
    if isinstance(vtype, StringType):
        return f"string {vtype.size}"
    if isinstance(vtype, EnumType):
        return "one of " + " ".join(vtype.values)
    return "hh:mm"


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ValueType
    get_level: int
    set_level: int
    default: str = ""

    @property
    def secret(self) -> bool:
        return self.get_level == NOBODY


# ---------------------------------------------------------------------------------------------
# Groups read in one getparam when gathering a camera's facts.
IDENTITY_GROUPS = ("system_info", "system_hostname", "capability")
MODELNAME = "system_info_modelname"
SERIAL = "system_info_serialnumber"
FIRMWARE = "system_info_firmwareversion"
HOSTNAME = "system_hostname"
CAP_NPRESET = "capability_npreset"
CAP_PTZ = "capability_ptzenabled"
CAP_NDI = "capability_ndi"
CAP_NDO = "capability_ndo"
CAP_NVI = "capability_nvi"
CAP_CAMERALINK = DEFAULT.capabilities["cameralink"].name  # [modelled]
CAP_NPEER = DEFAULT.capabilities["npeer"].name  # [modelled]
CAP_NEVENT = DEFAULT.capabilities["nevent"].name  # [modelled]
PRESET_GROUP = "camctrl_c0_preset"
EVENT_GROUP = "event"
PEER_GROUP = DEFAULT.peer_group  # [modelled]
LINK_GROUP = DEFAULT.link_group  # [modelled]: event_i<slot>_<LINK_GROUP>_i<peer>_<field>
DO_STATUS = "status_do_i0"
# Parameters that change without anyone configuring anything (a DO's state): never part of
# an observation's fingerprint.
VOLATILE_PREFIXES = ("status_",)

# Event fields [real unless noted]. Types follow the contract's section 5.
EVENT_TRIGGERS = ("boot", "di", "motion", "seq", "vi", "tampering", "vadp")
# The inventory's trigger kinds -> the event's ``trigger`` value; the field holding the
# bitmask of inputs (DI, VI) or motion windows; the field naming the analytics rule.
TRIGGER_VALUES = {"detection": "vadp", "di": "di", "vi": "vi", "motion": "motion"}
TRIGGER_INPUT_FIELDS = {"di": "di", "vi": "vi", "motion": "mdwin"}
TRIGGER_RULE_FIELD = DEFAULT.rule_field.name  # [modelled]
PRIORITIES = {"low": "0", "normal": "1", "high": "2"}
# The same tables read the other way: firmware value -> inventory word.
TRIGGER_KINDS = {value: kind for kind, value in TRIGGER_VALUES.items()}
PRIORITY_NAMES = {value: name for name, value in PRIORITIES.items()}
# The day -> bit table of ``event_i<N>_weekday``, defined here only (resources, the importer,
# the emulator and ``schedule`` all read it from here). UNCONFIRMED: this order is the
# contract's "bit 0 Saturday ... bit 6 Sunday" read as Sat, Mon .. Fri, Sun; VIVOTEK's
# parameter tables for some models read bit 0 Sat, bit 1 Fri ... bit 5 Mon, bit 6 Sun (Mon<->Fri
# and Tue<->Thu swapped). Every day (127), mon-fri (62) and sat+sun (65) are the same either
# way. Left as it is until a real camera's dump settles it: docs/firmware-contract-notes.md.
WEEKDAY_BITS = {"sat": 0, "sun": 6, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5}
ALL_WEEK = 127
NAME_TYPE = StringType(40)


PRESET_NAME = "name"  # of ``preset_param``
PRESET_AXES = ("pan", "tilt", "zoom")  # its position fields, named as ``POSITION_KEYS``


# Called for every slot of every camera read; bounded, as slot numbers come from replies.
@functools.lru_cache(maxsize=8192)
def preset_param(slot: int, field: str) -> str:
    """``camctrl_c0_preset_i<slot>_<field>``; field is name, pan, tilt or zoom [real]."""
    return f"{PRESET_GROUP}_i{slot}_{field}"


# Called for every slot of every camera read; bounded, as slot numbers come from replies.
@functools.lru_cache(maxsize=8192)
def event_param(slot: int, field: str) -> str:
    """``event_i<slot>_<field>``, e.g. ``event_param(0, 'action_goto_name')`` [real]."""
    return f"event_i{slot}_{field}"


# Called for every slot of every camera read; bounded, as slot numbers come from replies.
@functools.lru_cache(maxsize=8192)
def peer_param(peer: int, field: str) -> str:
    """``cameralink_i<peer>_<field>`` [modelled]."""
    return f"{PEER_GROUP}_i{peer}_{field}"


def link_action_param(slot: int, peer: int, field: str) -> str:
    """``event_i<slot>_action_cameralink_i<peer>_<field>`` [modelled]."""
    return f"event_i{slot}_{LINK_GROUP}_i{peer}_{field}"


_SLOT = re.compile(r"^(?P<prefix>[a-z0-9_]+?)_i(?P<slot>\d+)_(?P<field>.+)$")


# Called for every slot of every camera read; bounded, as slot numbers come from replies.
@functools.lru_cache(maxsize=8192)
def account_param(slot: int, field: str) -> str:
    """``security_user_i<slot>_<field>``; field is name, privilege or pass [real]."""
    return f"{ACCOUNT_GROUP}_i{slot}_{field}"


def split_slot(name: str) -> tuple[str, int, str] | None:
    """``event_i3_delay`` -> ``("event", 3, "delay")``; None when the name has no slot."""
    match = _SLOT.match(name)
    if not match:
        return None
    return match["prefix"], int(match["slot"]), match["field"]


# ---------------------------------------------------------------------------------------------
# The parameter table of one camera, derived from its capabilities. The emulator serves
# exactly these; validation checks values against their types.

# The field names of one event slot (``event_i<slot>_<field>``), for code that reads or
# writes a particular field: nothing outside this module spells one.
EVENT_NAME, EVENT_ENABLE, EVENT_PRIORITY, EVENT_DELAY = "name", "enable", "priority", "delay"
EVENT_WEEKDAY, EVENT_BEGIN, EVENT_END = "weekday", "begintime", "endtime"
EVENT_TRIGGER = "trigger"
EVENT_DO_ENABLE, EVENT_DO_DURATION = "action_do_i0_enable", "action_do_i0_duration"
EVENT_GOTO_ENABLE, EVENT_GOTO_NAME = "action_goto_enable", "action_goto_name"
EVENT_CF_ENABLE = "action_cf_enable"
SERVER_ENABLE = "enable"  # of ``event_server_field(server, ...)``

EVENT_FIELDS: dict[str, tuple[ValueType, str]] = {
    EVENT_NAME: (NAME_TYPE, ""),
    EVENT_ENABLE: (BOOL, "0"),
    EVENT_PRIORITY: (EnumType(("0", "1", "2")), "1"),
    EVENT_DELAY: (IntType(1, 999), "10"),
    EVENT_WEEKDAY: (bitmask(7), "127"),
    EVENT_BEGIN: (TimeType(), "00:00"),
    EVENT_END: (TimeType(), "24:00"),
    EVENT_TRIGGER: (EnumType(EVENT_TRIGGERS), "motion"),
    "di": (bitmask(8), "0"),
    "vi": (bitmask(8), "0"),
    "mdwin": (bitmask(8), "0"),
    TRIGGER_RULE_FIELD: (parse_type(DEFAULT.rule_field.type), DEFAULT.rule_field.default),
    EVENT_DO_ENABLE: (BOOL, "0"),
    EVENT_DO_DURATION: (IntType(1, 999), "1"),
    EVENT_GOTO_ENABLE: (BOOL, "0"),
    EVENT_GOTO_NAME: (NAME_TYPE, ""),
    EVENT_CF_ENABLE: (BOOL, "0"),
    "action_cf_media": (NAME_TYPE, ""),
}
SERVER_FIELDS: dict[str, tuple[ValueType, str]] = {
    SERVER_ENABLE: (BOOL, "0"),
    "media": (NAME_TYPE, ""),
}
NSERVER = 5


def event_server_field(server: int, field: str) -> str:
    """``action_server_i<server>_<field>``: an upload action's field within an event slot."""
    return f"action_server_i{server}_{field}"


def _fields(defs: dict[str, ParamDef]) -> dict[str, tuple[ValueType, str]]:
    return {d.name: (parse_type(d.type), d.default) for d in defs.values()}


# [modelled] Camera Link action of an event for one peer (``link_action_param``).
_ACTION = {key: d.name for key, d in DEFAULT.link_fields.items()}
ACTION_ENABLE, ACTION_PRESET = _ACTION["enable"], _ACTION["preset"]
ACTION_DO_ENABLE, ACTION_DO_DURATION = _ACTION["do_enable"], _ACTION["do_duration"]
ACTION_TRACK_ENABLE, ACTION_TRACK_RULE = _ACTION["track_enable"], _ACTION["track_rule"]
LINK_ACTION_FIELDS: dict[str, tuple[ValueType, str]] = _fields(DEFAULT.link_fields)
# [modelled] Camera Link peers (``peer_param``).
_PEER = {key: d.name for key, d in DEFAULT.peer_fields.items()}
PEER_ENABLE, PEER_NAME = _PEER["enable"], _PEER["name"]
PEER_ADDRESS, PEER_PORT = _PEER["ipaddress"], _PEER["port"]
PEER_USERNAME, PEER_PASSWORD = _PEER["username"], _PEER["passwd"]
PEER_FIELDS: dict[str, tuple[ValueType, str]] = _fields(DEFAULT.peer_fields)
PEER_SECRET_FIELDS = frozenset({PEER_PASSWORD})
# Accounts [real]: ``security_user_i<0..20>_<field>``; i0 is root. The name is listed but set
# only through editaccount.cgi (6/7); the password is never readable (7/6).
ACCOUNT_GROUP = "security_user"
NACCOUNT = 21
ACCOUNT_NAME, ACCOUNT_PRIVILEGE, ACCOUNT_PASSWORD = "name", "privilege", "pass"
ACCOUNT_SECRET_FIELDS = frozenset({ACCOUNT_PASSWORD})
SECRET_FIELDS = PEER_SECRET_FIELDS | ACCOUNT_SECRET_FIELDS
# editaccount.cgi's form [real]: method, username, userpass, privilege.
ACCOUNT_METHOD, ACCOUNT_USERNAME = "method", "username"
ACCOUNT_USERPASS, ACCOUNT_PRIVILEGE_ARG = "userpass", "privilege"
ACCOUNT_ADD, ACCOUNT_EDIT, ACCOUNT_DELETE = "add", "edit", "delete"
ACCOUNT_NAME_TYPE = StringType(64)
# A boolean parameter's two values [real].
ON, OFF = "1", "0"


@dataclass(frozen=True)
class Capabilities:
    npreset: int
    ndi: int
    ndo: int
    nvi: int
    nevent: int
    npeer: int
    cameralink: bool
    ptz: bool


def _spec(name: str, definition: ParamDef) -> ParamSpec:
    """A [modelled] parameter under its built-in ``name``, typed as ``definition`` says."""
    return ParamSpec(name, parse_type(definition.type), definition.get_level,
                     definition.set_level, definition.default)


def event_specs(slot: int, caps: Capabilities) -> Iterator[ParamSpec]:
    for field, (vtype, default) in EVENT_FIELDS.items():
        if field == TRIGGER_RULE_FIELD:
            yield _spec(event_param(slot, field), DEFAULT.rule_field)
            continue
        yield ParamSpec(event_param(slot, field), vtype, 6, 6, default)
    for server in range(NSERVER):
        for field, (vtype, default) in SERVER_FIELDS.items():
            yield ParamSpec(event_param(slot, event_server_field(server, field)), vtype, 6, 6,
                            default)
    if caps.cameralink:
        for peer in range(caps.npeer):
            for key, field in _ACTION.items():
                yield _spec(link_action_param(slot, peer, field), DEFAULT.link_fields[key])


def peer_specs(peer: int) -> Iterator[ParamSpec]:
    for key, field in _PEER.items():
        yield _spec(peer_param(peer, field), DEFAULT.peer_fields[key])


def preset_specs(slot: int) -> Iterator[ParamSpec]:
    # Presets are created by preset.cgi, not setparam: the name is read-only here, as on a
    # real camera where setparam of a preset name is refused.
    yield ParamSpec(preset_param(slot, PRESET_NAME), NAME_TYPE, 1, NOBODY, "")
    for axis in PRESET_AXES:
        yield ParamSpec(preset_param(slot, axis), IntType(-36000, 36000), 1, NOBODY, "0")


def account_specs(slot: int) -> Iterator[ParamSpec]:
    yield ParamSpec(account_param(slot, ACCOUNT_NAME), ACCOUNT_NAME_TYPE, 6, NOBODY, "")
    yield ParamSpec(account_param(slot, ACCOUNT_PRIVILEGE),
                    EnumType(("", *PRIVILEGE_LEVELS)), 6, 6, "")
    # Root's password is readable by an admin (6/6), every other one by nobody (7/6) [real].
    yield ParamSpec(account_param(slot, ACCOUNT_PASSWORD), ACCOUNT_NAME_TYPE,
                    6 if slot == 0 else NOBODY, 6, "")


_SECRET_SUFFIXES = tuple(f"_{field}" for field in sorted(SECRET_FIELDS))
# Any name of a secret field, ending a name: one regex pass over a reply's names finds
# whether it may hold one (38 us for a PTZ's 1,554, where asking each name took 152).
_MAYBE_SECRET = re.compile("(?:" + "|".join(map(re.escape, sorted(SECRET_FIELDS)))
                           + r")(?:\n|\Z)")


def is_secret_param(name: str) -> bool:
    """A password field (its last ``_`` part is one of ``SECRET_FIELDS``)."""
    return name.endswith(_SECRET_SUFFIXES) or name in SECRET_FIELDS


def without_secrets(params: Mapping[str, str]) -> dict[str, str]:
    """A getparam reply without any password in it: root's is listed to an admin [real],
    and this tool never needs one, so none is kept (not in a plan, journal or fingerprint)."""
    kept = dict(params)
    # A secret's name ends in a secret field, so the names joined by line breaks hold one
    # just before a break or the end; a reply without one (the usual case) is copied whole.
    if not _MAYBE_SECRET.search("\n".join(kept)):
        return kept
    for name in [name for name in kept if is_secret_param(name)]:
        del kept[name]
    return kept


def parameter_table(caps: Capabilities) -> dict[str, ParamSpec]:
    """Every parameter a camera with these capabilities serves, keyed by name."""
    cap = DEFAULT.capabilities  # [modelled]: typed by the data file
    specs: list[ParamSpec] = [
        ParamSpec(MODELNAME, StringType(64), 0, NOBODY),
        ParamSpec(SERIAL, StringType(64), 0, NOBODY),
        ParamSpec(FIRMWARE, StringType(64), 0, NOBODY),
        ParamSpec(HOSTNAME, StringType(40), 1, 6),
        ParamSpec(CAP_NPRESET, IntType(0, 4096), 0, NOBODY, str(caps.npreset)),
        ParamSpec(CAP_PTZ, IntType(0, 255), 0, NOBODY, "31" if caps.ptz else "0"),
        ParamSpec(CAP_NDI, IntType(0, 16), 0, NOBODY, str(caps.ndi)),
        ParamSpec(CAP_NDO, IntType(0, 16), 0, NOBODY, str(caps.ndo)),
        ParamSpec(CAP_NVI, IntType(0, 16), 0, NOBODY, str(caps.nvi)),
        replace(_spec(CAP_CAMERALINK, cap["cameralink"]),
                default="1" if caps.cameralink else "0"),
        replace(_spec(CAP_NPEER, cap["npeer"]), default=str(caps.npeer)),
        replace(_spec(CAP_NEVENT, cap["nevent"]), default=str(caps.nevent)),
    ]
    for slot in range(caps.nevent):
        specs.extend(event_specs(slot, caps))
    if caps.cameralink:
        for peer in range(caps.npeer):
            specs.extend(peer_specs(peer))
    for slot in range(caps.npreset):
        specs.extend(preset_specs(slot))
    if caps.ndo:
        specs.append(ParamSpec(DO_STATUS, BOOL, 1, NOBODY, "0"))
    for slot in range(NACCOUNT):
        specs.extend(account_specs(slot))
    return {spec.name: spec for spec in specs}


SLOT_MARK = "_i<N>"
_ANY_SLOT = re.compile(r"_i\d+")


def pattern_of(name: str) -> str:
    """``event_i3_action_cameralink_i0_preset`` -> ``event_i<N>_action_cameralink_i<N>_preset``."""
    return _ANY_SLOT.sub(SLOT_MARK, name)


# Where each [modelled] parameter lives in the profile file: built-in pattern -> (section,
# key). What an override corrects, what the probe reports, what ``profile_table`` retypes.
MODELLED: dict[str, tuple[str, str]] = {
    **{d.name: ("capabilities", key) for key, d in DEFAULT.capabilities.items()},
    **{pattern_of(peer_param(0, d.name)): ("peers", key)
       for key, d in DEFAULT.peer_fields.items()},
    **{pattern_of(link_action_param(0, 0, d.name)): ("link_actions", key)
       for key, d in DEFAULT.link_fields.items()},
    pattern_of(event_param(0, DEFAULT.rule_field.name)): ("events", "rule_field"),
}


def definition(prof: FirmwareProfile, section: str, key: str) -> ParamDef:
    """The definition ``prof`` gives a [modelled] parameter (see ``MODELLED``)."""
    if section == "capabilities":
        return prof.capabilities[key]
    if section == "peers":
        return prof.peer_fields[key]
    if section == "link_actions":
        return prof.link_fields[key]
    return prof.rule_field


def profile_table(caps: Capabilities, prof: FirmwareProfile) -> dict[str, ParamSpec]:
    """``parameter_table`` with the [modelled] parameters typed, levelled and defaulted as
    ``prof`` says; names stay built-in (the emulator serves them in ``prof``'s spellings,
    through ``naming``). A capability keeps its value as its default."""
    table = parameter_table(caps)
    if prof is DEFAULT:
        return table
    for name, spec in table.items():
        where = MODELLED.get(pattern_of(name))
        if where is None:
            continue
        given = definition(prof, *where)
        default = spec.default if where[0] == "capabilities" else given.default
        table[name] = replace(spec, type=parse_type(given.type), get_level=given.get_level,
                              set_level=given.set_level, default=default)
    return table


# ---------------------------------------------------------------------------------------------
# Smart Tracking Advanced rules in VCA JSON [modelled on VIVOTEK's VCA API].
RULE_TYPES = ("intrusion", "loitering", "linecrossing")
RULE_CONDITIONS = ("enter", "leave", "both")
RULE_DIRECTIONS = ("AtoB", "BtoA", "both")
FIELD_MAX = 10000
TRACKING_WAITING, TRACKING_ACTIVE = "Waiting", "Tracking"
TRACKING_STATUSES = (TRACKING_WAITING, TRACKING_ACTIVE, "Missing", "Sleep")


# The keys of one rule object; ``RULE_TYPE_KEYS``: the one key each type adds.
_VCA = DEFAULT.vca_keys
VCA_RULE_NAME = _VCA["rule_name"]  # also the query of DELETE <VCA_TRACKING>?RuleName=<name>
VCA_TYPE, VCA_FIELD, VCA_CONNECT_EVENT = _VCA["type"], _VCA["field"], _VCA["connect_event"]
VCA_CONDITION, VCA_DURATION, VCA_DIRECTION = (_VCA["condition"], _VCA["duration"],
                                              _VCA["direction"])
RULE_TYPE_KEYS = {"intrusion": VCA_CONDITION, "loitering": VCA_DURATION,
                  "linecrossing": VCA_DIRECTION}
RULE_DEFAULTS: dict[str, object] = {VCA_CONDITION: "enter", VCA_DURATION: 5,
                                    VCA_DIRECTION: "both"}


def rule_to_vca(name: str, kind: str, field: list[list[int]], connect_event: bool,
                condition: str | None = None, duration: int | None = None,
                direction: str | None = None) -> dict[str, object]:
    """The VCA JSON object of one tracking rule, with only the keys its type uses."""
    rule: dict[str, object] = {VCA_RULE_NAME: name, VCA_TYPE: kind, VCA_FIELD: field,
                               VCA_CONNECT_EVENT: connect_event}
    key = RULE_TYPE_KEYS.get(kind)
    if key is not None:
        given = {VCA_CONDITION: condition, VCA_DURATION: duration,
                 VCA_DIRECTION: direction}[key]
        rule[key] = given if given is not None and given != "" else RULE_DEFAULTS[key]
    return rule


# ---------------------------------------------------------------------------------------------
# Arguments of the command CGIs and the keys of their replies [real unless noted]. The client
# builds every query from these; the emulator parses with them.


def encode_query(args: Mapping[str, str | int]) -> str:
    """``name=value&...`` for a query string or a form body [real: x-www-form-urlencoded].

    Every value is percent-encoded as UTF-8 except RFC 3986's unreserved characters, so no
    value can carry ``&``, ``=``, ``%``, ``+``, a space or a newline in as syntax. Names are
    the caller's to check. Shared by the camera client and the emulated spotter's peer calls.
    """
    return "&".join(f"{name}={quote(str(value), safe='', encoding='utf-8')}"
                    for name, value in args.items())


PRESET_ADD = "addpos"  # preset.cgi?addpos=<name>
PRESET_DELETE = "delpos"  # preset.cgi?delpos=<name>
PRESET_INDEX = DEFAULT.commands["preset_index"]  # preset.cgi?addpos=<name>&index=<slot>
RECALL_NAME = "recall"  # recall.cgi?recall=<name>
MOVE_PAN, MOVE_TILT, MOVE_ZOOM = "setpan", "settilt", "setzoom"  # setzoom [modelled]
GET_PAN, GET_TILT, GET_ZOOM = "getpan", "gettilt", "getzoom"
POSITION_KEYS = ("pan", "tilt", "zoom")  # the reply: pan=<p>\r\ntilt=<t>\r\nzoom=<z>\r\n
GET_ACTION = "getaction"
ACTION_KEY = "action"  # the reply: action=idle|tracking|patrol
PTZ_ACTIONS = ("idle", "tracking", "patrol")
AUTO = "auto"  # camctrl.cgi?auto=objtrack&rule=<name> | auto=stop
AUTO_TRACK = "objtrack"
AUTO_STOP = "stop"
TRACK_RULE = DEFAULT.commands["track_rule"]  # [modelled]
LINK_TEST_INDEX = DEFAULT.link_test["index"]  # cameralink_test.cgi?index=<peer>[&event=<slot>]
LINK_TEST_EVENT = DEFAULT.link_test["event"]  # [modelled]
LINK_TEST_RESULT = DEFAULT.link_test["result"]  # the reply: result='ok|...' [modelled]
LINK_TEST_OK, LINK_TEST_UNREACHABLE = DEFAULT.outcomes["ok"], DEFAULT.outcomes["unreachable"]
LINK_TEST_UNAUTHORIZED = DEFAULT.outcomes["unauthorized"]
# an action's call the peer answered with other than 200
LINK_TEST_REFUSED = DEFAULT.outcomes["refused"]
LINK_TEST_RESULTS = (LINK_TEST_OK, LINK_TEST_UNREACHABLE, LINK_TEST_UNAUTHORIZED)
LINK_TEST_ACTION = DEFAULT.link_test["action"]  # with &event=: a line action='<result>'
# The action's outcome, the worst of its calls to the peer: "refused" is a call the peer
# answered with something other than 200 (no such preset, ERROR:, 403/500/503) [modelled]
LINK_TEST_ACTIONS = (LINK_TEST_OK, LINK_TEST_REFUSED, LINK_TEST_UNAUTHORIZED,
                     LINK_TEST_UNREACHABLE)
# How long a spotter waits for each HTTP request it sends its peer (the Test button's contact,
# each call of a camera-link action) [modelled]. A link test's reply comes only after those
# requests: up to LINK_TEST_PEER_REQUESTS of them, or LINK_TEST_EVENT_PEER_REQUESTS with
# &event= (the contact, then recall, tracking and output), each maybe challenged once (401).
LINK_PEER_TIMEOUT = 5.0
LINK_TEST_PEER_REQUESTS = 2
LINK_TEST_EVENT_PEER_REQUESTS = 2 + 3 * 2
VCA_PTZ_INFO = "PTZInfo"  # GET VCA_STATUS -> {"PTZInfo": {"Status": ..., "Rule": ...}}
VCA_STATUS_KEY = "Status"
VCA_RULE_KEY = "Rule"
VCA_ERROR = DEFAULT.vca_error  # a VCA 400 body: {"Error": "<reason>"} [modelled]


def vi_arg(index: int) -> str:
    """``vi<index>``: setvi.cgi?vi0=1 fires virtual input 0 [real]."""
    return f"vi{index}"


def do_arg(output: int = 1) -> str:
    """``do<output>``: setdo.cgi?do1=1; outputs count from 1 in the URL [real]."""
    return f"do{output}"
