"""Firmware names live only in the firmware profile (architecture.md: firmware/ is "the only
place that knows a parameter name").

The names are derived from ``firmware/profile.py`` itself: its string constants, the items
of its tuple and dict constants, the field names of its parameter tables, and the slot
prefixes its name builders produce (``event_i``, ``cameralink_i``, ...). Every other module
of the package is parsed, and any string literal (f-string constant parts included;
docstrings left out: they explain, they are not read by the program) that is one of those
names, or starts with a parameter-name prefix, fails the test with file:line.

A name the tool's own formats also use (the inventory, plan and playbook schemas and apply's
statuses: ``name``, ``port``, ``preset``, ``ok``, ``unreachable`` ...) cannot be told apart
by its spelling and is not checked: the link test's outcomes are all such words. The kinds
reach those fields through the profile's constants all the same.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from camlink_provision.apply.result import STATUSES
from camlink_provision.firmware import profile, profile_data

PACKAGE = Path(profile.__file__).resolve().parents[1]
PROFILE = Path(profile.__file__).resolve()
SCHEMAS = PACKAGE / "schemas"
SLOT = 7  # any slot number: the builders' output is cut at it to find the prefix
# Modules allowed to hold firmware names, each with why. Nothing is: the profile owns them.
ALLOWED: dict[str, str] = {}
ALLOWED_LITERALS: dict[tuple[str, str], str] = {}


def firmware_names() -> set[str]:
    """The names the firmware reads and writes, from the profile's own tables: the fields
    of every parameter table (event, upload server, camera-link action, peer, preset), every
    parameter that has no slot (identity, capabilities, DO status) and the groups read, the
    keys of a VCA rule object of every type, and the link test's outcomes."""
    caps = profile.Capabilities(npreset=1, ndi=1, ndo=1, nvi=1, nevent=1, npeer=1,
                                cameralink=True, ptz=True)
    names: set[str] = set()
    for table in (profile.EVENT_FIELDS, profile.SERVER_FIELDS, profile.LINK_ACTION_FIELDS,
                  profile.PEER_FIELDS):
        names.update(table)
    names.update((profile.PRESET_NAME, *profile.PRESET_AXES))
    names.update(name for name in profile.parameter_table(caps)
                 if profile.split_slot(name) is None)
    names.update((*profile.IDENTITY_GROUPS, profile.PRESET_GROUP, profile.EVENT_GROUP,
                  profile.PEER_GROUP))
    for kind in profile.RULE_TYPES:
        names.update(profile.rule_to_vca("r", kind, [], False))
    names.update((*profile.LINK_TEST_RESULTS, *profile.LINK_TEST_ACTIONS))
    return names - own_words()


def slot_prefixes() -> set[str]:
    """``event_i``, ``cameralink_i``, ``camctrl_c0_preset_i``, ``action_cameralink_i`` ...:
    what precedes a slot number in the names the profile's builders make."""
    built = [profile.event_param(SLOT, ""), profile.peer_param(SLOT, ""),
             profile.preset_param(SLOT, ""), profile.event_server_field(SLOT, ""),
             profile.link_action_param(0, SLOT, "").removeprefix(profile.event_param(0, ""))]
    prefixes = {name.split(str(SLOT))[0] for name in built}
    # the identity and capability groups: every name read under them starts so
    prefixes.update(f"{group}_" for group in profile.IDENTITY_GROUPS)
    return prefixes


def own_words() -> set[str]:
    """Words of the tool's own formats: property names, enum values and constants of the
    JSON schemas it ships (inventory, plan, playbook, variables), and apply's statuses."""
    words: set[str] = set(STATUSES)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    words.update(value)
                elif key in ("enum", "required") and isinstance(value, list):
                    words.update(v for v in value if isinstance(v, str))
                elif key == "const" and isinstance(value, str):
                    words.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(SCHEMAS.glob("*.json")):
        if path.name == profile_data.SCHEMA_FILE:
            continue  # the profile file's own keys are the handles of firmware names
        walk(json.loads(path.read_text(encoding="utf-8")))
    return words


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of a module and its classes and functions."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def offending(text: str, names: set[str], prefixes: set[str]) -> bool:
    if text in names:
        return True
    # a prefix followed by its slot number, or ending the literal (f"event_i{slot}_...")
    return any(text.startswith(p) and (len(text) == len(p) or text[len(p)].isdigit()
                                       or p.endswith("_"))
               for p in prefixes)


def literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = docstrings(tree)
    found = [(node.lineno, node.col_offset, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in skip]
    for line, _, text in sorted(found):  # in reading order: ast.walk goes breadth first
        yield line, text


def findings(root: Path = PACKAGE) -> list[str]:
    names, prefixes = firmware_names(), slot_prefixes()
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if path.resolve() == PROFILE or relative in ALLOWED \
                or relative.split("/")[0] in ALLOWED:
            continue
        out.extend(f"{relative}:{line}: {text!r}" for line, text in literals(path)
                   if offending(text, names, prefixes)
                   and (relative, text) not in ALLOWED_LITERALS)
    return out


def test_no_firmware_name_outside_the_profile() -> None:
    assert findings() == []


def test_the_check_finds_names_and_prefixes(tmp_path: Path) -> None:
    """The checker itself: a module spelling firmware names is reported, line by line;
    its docstring and the tool's own words are not."""
    (tmp_path / "mod.py").write_text(
        '"""Writes cameralink_i0_name and RuleName (a docstring: not reported)."""\n'
        "A = 'cameralink_i0_name'\n"
        "def f(slot: int) -> str:\n"
        "    return f'event_i{slot}_delay'\n"
        "B = {'RuleName': 1, 'name': 2, 'unreachable': 3}\n"
        "C = ('weekday', 'capability_nevent')\n", encoding="utf-8")
    assert findings(tmp_path) == [
        "mod.py:2: 'cameralink_i0_name'", "mod.py:4: 'event_i'", "mod.py:5: 'RuleName'",
        "mod.py:6: 'weekday'", "mod.py:6: 'capability_nevent'"]


def test_the_names_come_from_the_profile() -> None:
    names, prefixes = firmware_names(), slot_prefixes()
    assert {"action_do_i0_enable", "ipaddress", "passwd", "vadp_rule", "ConnectEvent",
            profile.CAP_NPEER} <= names
    assert {"event_i", "cameralink_i", "camctrl_c0_preset_i", "action_cameralink_i"} <= prefixes
    assert not names & {"name", "port", "preset", "ok", "unreachable"}  # the tool's words too


def modelled_spellings() -> set[str]:
    """Every spelling ``profile.yml`` gives: parameter names, groups, paths, arguments,
    outcomes and VCA keys (the values of the file, never its keys)."""
    found: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, str) and key not in ("type", "level", "default"):
            found.add(node)

    walk(profile_data.packaged_data())
    return found - {str(profile_data.packaged_data()["format"])}


def test_the_modelled_names_live_in_the_data_file() -> None:
    """profile.py spells no [modelled] name: each comes from profile.yml, looked up by its
    handle (the file's key). Words the tool's own formats share (``name``, ``port``,
    ``ok``) cannot be told apart and are skipped."""
    # ``enable`` is also a [real] event field, spelled in profile.py as such
    real = set(profile.EVENT_FIELDS) - {profile.TRIGGER_RULE_FIELD}
    spelled = modelled_spellings() - own_words() - real
    assert {"cameralink", "vadp_rule", "RuleName", "capability_cameralink_npeer",
            "/VCA/Config/RE/SmartTrackingAdvanced"} <= spelled
    tree = ast.parse(PROFILE.read_text(encoding="utf-8"))
    handles = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
    in_code = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and id(node) not in handles and id(node) not in docstrings(tree)} & spelled
    assert in_code == set()  # a handle (DEFAULT.peer_fields["passwd"]) is not a spelling


def test_the_data_file_names_are_the_profiles() -> None:
    """What the code uses is what the data file says: the constants and the name builders."""
    data = profile_data.packaged_data()
    assert data["peers"]["group"] == profile.PEER_GROUP
    assert profile.peer_param(2, profile.PEER_ADDRESS) == \
        f"{data['peers']['group']}_i2_{data['peers']['fields']['ipaddress']['name']}"
    assert profile.link_action_param(1, 0, profile.ACTION_PRESET).startswith(
        f"event_i1_{data['link_actions']['group']}_i0_")
    assert data["tracking"]["path"] == profile.VCA_TRACKING
    assert {"passwd"} == profile.PEER_SECRET_FIELDS == profile.DEFAULT.secret_peer_fields
    # every [modelled] parameter of the table is typed and levelled as the file says
    caps = profile.Capabilities(npreset=1, ndi=1, ndo=1, nvi=1, nevent=2, npeer=2,
                                cameralink=True, ptz=True)
    retyped = 0
    for name, spec in profile.parameter_table(caps).items():
        where = profile.MODELLED.get(profile.pattern_of(name))
        if where is not None:
            given = profile.definition(profile.DEFAULT, *where)
            assert (profile.type_text(spec.type), spec.get_level, spec.set_level) == (
                given.type, given.get_level, given.set_level), name
            retyped += 1
    assert retyped == 3 + 1 * 2 + 6 * 2 + 6 * 2 * 2  # capabilities, rule, peers, actions
