"""The inventory's JSON Schema (draft 2020-12), built from the firmware profile and the model
catalogue so that no limit is written twice.

``schemas/inventory.schema.json`` (a whole inventory file) and ``schemas/vars.schema.json``
(a ``group_vars/`` or ``host_vars/`` file) are this module's output, committed for editors:

    python -m camlink_provision.inventory.schema --write

A test fails when the committed files differ from what this module builds.

Two keywords are this project's own; editors ignore them, the loader's validator knows them:
``x-firmware-type`` names an entry of ``limits.FIRMWARE_TYPES`` a string must fit, and
``x-complete`` holds what a value must also satisfy once every level and source is merged
(a camera needs an address; a group_vars file that sets only credentials is fine); with
``unlessAbsent``, not of a thing marked ``state: absent`` (removing needs only a name).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from camlink_provision.datafiles import checkout_schema_dir
from camlink_provision.firmware import models, profile
from camlink_provision.inventory import limits
from camlink_provision.inventory.model import (
    RESOURCE_KINDS,
    Connection,
    Event,
    Schedule,
    TrackingRule,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
INVENTORY_FILE = "inventory.schema.json"
VARS_FILE = "vars.schema.json"
CAMERA_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
GROUP_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_-]*$"
FIRMWARE_KEYWORD = "x-firmware-type"
COMPLETE_KEYWORD = "x-complete"
UNLESS_ABSENT = "unlessAbsent"  # in x-complete: not asked of a thing marked state: absent
JSON = dict[str, Any]


def _default(cls: type, name: str) -> Any:
    for f in dataclasses.fields(cls):
        if f.name == name:
            value = f.default if f.default_factory is dataclasses.MISSING else \
                f.default_factory()
            return list(value) if isinstance(value, tuple) else value
    raise KeyError(name)


def ref(name: str, description: str | None = None) -> JSON:
    """A reference to ``$defs[name]``; as a property, with its own description."""
    out: JSON = {"$ref": f"#/$defs/{name}"}
    if description is not None:
        out["description"] = description
    return out


def text(key: str, description: str, **more: Any) -> JSON:
    vtype = limits.FIRMWARE_TYPES[key]
    return {"type": "string", FIRMWARE_KEYWORD: key,
            "description": f"{description} ({limits.describe(vtype)}).", **more}


def integer(key: str, description: str, **more: Any) -> JSON:
    low, high = limits.int_range(key)
    return {"type": "integer", "minimum": low, "maximum": high,
            "description": f"{description} ({low}~{high}).", **more}


def choice(values: Any, description: str, **more: Any) -> JSON:
    return {"enum": list(values), "description": description, **more}


def state() -> JSON:
    return choice(("present", "absent"), "`absent` removes the thing of this name from the "
                  "camera; `present` (the default) creates or updates it.",
                  default="present")


def names_of(kind: str, pattern: str, **more: Any) -> JSON:
    return {"type": "string", "pattern": pattern,
            "description": f"A {kind} name: letters, digits, '_' and '-'"
            + (" and '.'" if "." in pattern else "") + ".", **more}


# -- the pieces ----------------------------------------------------------------------------
def connection_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False,
        "description": "How this tool reaches the camera, when not at its site address "
        "(NAT, a VPN, the emulator). Other cameras still use `address`.",
        "properties": {
            "host": {"type": "string", FIRMWARE_KEYWORD: "address",
                     "description": "Host name or IP address to connect to. Default: the "
                     "camera's `address`."},
            "port": integer("port", "TCP port to connect to. Default: 80 for http, 443 for "
                            "https"),
            "scheme": choice(("http", "https"), "Protocol.",
                             default=_default(Connection, "scheme")),
            "ca_bundle": {"type": "string", "description": "A CA certificate file (PEM) to "
                          "check an https camera's certificate with, relative to the file "
                          "that sets it. Default: the system's CAs."},
            "verify_tls": {"type": "boolean", "default": _default(Connection, "verify_tls"),
                           "description": "Check the https certificate. Turn off only for "
                           "a camera whose certificate cannot be checked."},
            "auth": choice(("auto", "basic", "digest"), "HTTP authentication: `auto` "
                           "answers whatever the camera asks for.",
                           default=_default(Connection, "auth")),
            "timeout": {"type": "number", "exclusiveMinimum": 0,
                        "default": _default(Connection, "timeout"),
                        "description": "Seconds to wait for each reply."},
        },
    }


def credentials_schema(link: bool) -> JSON:
    props: JSON = {
        "username": text("username", "Account name"),
        "password": {"type": "string", "description": "The account's password. Must be a "
                     "template calling secret(), e.g. \"{{ secret('ptz_password') }}\": "
                     "no password is ever written in an inventory"},
    }
    if link:
        props["privilege"] = choice(tuple(profile.PRIVILEGE_LEVELS), "The account's "
                                    "privilege on the PTZ camera (the emulator creates it so; "
                                    "`do` targets need operator or admin).",
                                    default="operator")
        description = ("The account spotters store to call this PTZ camera (Camera Link "
                       "peer credentials). Default: the camera's `credentials`.")
    else:
        props["previous_password"] = {
            "type": "string", "description": "To rotate the admin password: the one the "
            "cameras hold now, tried when `password` is refused; apply then sets `password` "
            "on each camera and logs in with it to confirm. Must be a template calling "
            "secret(). Remove it once every camera has the new one."}
        description = "The admin account this tool logs in with."
    return {"type": "object", "additionalProperties": False, "description": description,
            "properties": props, COMPLETE_KEYWORD: {"required": ["username", "password"]}}


def account_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "An account on the camera, besides the admin account this tool logs "
        "in with and a PTZ camera's link account: created with its privilege when missing, "
        "its privilege corrected, its password checked by logging in as it (and set when "
        "refused). Accounts the inventory does not name are left alone unless `prune` "
        "names `account`.",
        "properties": {
            "name": text("account.name", "Account name"),
            "password": {"type": "string", "description": "The account's password. Must be a "
                         "template calling secret(), e.g. \"{{ secret('viewer_password') }}\""},
            "privilege": choice(tuple(profile.PRIVILEGE_LEVELS), "The account's privilege.",
                                default="viewer"),
            "state": state(),
        },
        COMPLETE_KEYWORD: {"required": ["password"], UNLESS_ABSENT: True},
    }


def preset_schema() -> JSON:
    axis = "Position to save the preset at"
    return {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "A PTZ preset. With pan, tilt and zoom the camera moves there and "
        "saves it; with none, an existing preset of this name is adopted as it is.",
        "properties": {
            "name": text("preset.name", "Preset name, as the camera shows it"),
            "pan": integer("preset.axis", f"{axis}: pan"),
            "tilt": integer("preset.axis", f"{axis}: tilt"),
            "zoom": integer("preset.axis", f"{axis}: zoom"),
            "state": state(),
        },
    }


def tracking_rule_schema() -> JSON:
    point = {"type": "array", "minItems": 2, "maxItems": 2,
             "description": "A point [x, y] in the camera image.",
             "items": {"type": "integer", "minimum": 0, "maximum": profile.FIELD_MAX}}
    return {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "A Smart Tracking Advanced rule on a PTZ camera.",
        "properties": {
            "name": text("rule.name", "Rule name"),
            "type": choice(profile.RULE_TYPES, "What the rule detects."),
            "field": {"type": "array", "minItems": limits.LINE_POINTS, "items": point,
                      "description": f"The zone (a polygon of at least "
                      f"{limits.ZONE_MIN_POINTS} points) or, for linecrossing, the line "
                      f"(exactly {limits.LINE_POINTS} points); coordinates "
                      f"0~{profile.FIELD_MAX}."},
            "condition": choice(profile.RULE_CONDITIONS, "intrusion only: people entering "
                                "the zone, leaving it, or both. Default: the firmware's "
                                "(enter)."),
            "duration": {"type": "integer", "minimum": limits.LOITERING_MIN_SECONDS,
                         "description": "loitering only: seconds a person stays in the zone "
                         "before it counts. Default: the firmware's (5)."},
            "direction": choice(profile.RULE_DIRECTIONS, "linecrossing only: which "
                                "crossing direction counts. Default: the firmware's (both)."),
            "connect_event": {"type": "boolean",
                              "default": _default(TrackingRule, "connect_event"),
                              "description": "\"Connect to Event Settings of camera web\": "
                              "the rule also fires the PTZ camera's own events."},
            "state": state(),
        },
        COMPLETE_KEYWORD: {"required": ["type", "field"], UNLESS_ABSENT: True},
    }


def trigger_schema() -> JSON:
    inputs = {"type": ["integer", "array"], "minimum": 1, "minItems": 1, "uniqueItems": True,
              "items": {"type": "integer", "minimum": 1}}
    return {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "maxProperties": 1,
        "description": "What fires the event: exactly one of the keys below.",
        "properties": {
            "detection": text("event.rule", "A detection (analytics) rule of the spotter, "
                              "by name"),
            "motion": {"type": ["boolean", "array"], "minItems": 1, "uniqueItems": True,
                       "items": {"type": "integer", "minimum": 1,
                                 "maximum": limits.motion_windows()},
                       "description": "Motion detection: `true`, or the windows to watch "
                       f"(numbered 1~{limits.motion_windows()}). Default window: the first."},
            "di": {**inputs, "description": "Digital input(s), numbered from 1 as on the "
                   "camera's web page (a gate contact wired to DI 1 is `di: 1`); up to the "
                   "model's number of inputs."},
            "vi": {**inputs, "description": "Virtual input(s), numbered from 1 (the "
                   "firmware's vi0 is 1)."},
        },
    }


def schedule_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False,
        "description": "When the event is active. `begin` later than `end` spans midnight "
        "(20:00 to 06:00 is a night).",
        "properties": {
            "days": {"type": "array", "minItems": 1, "uniqueItems": True,
                     "items": {"enum": list(profile.WEEKDAY_BITS)},
                     "default": _default(Schedule, "days"),
                     "description": "Days of the week."},
            "begin": text("event.time", "Start time", default=_default(Schedule, "begin")),
            "end": text("event.time", "End time", default=_default(Schedule, "end")),
        },
    }


def event_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "An event on a spotter. Links hang their PTZ actions on it.",
        "properties": {
            "name": text("event.name", "Event name, as the camera shows it"),
            "trigger": ref("trigger", "What fires the event."),
            "enabled": {"type": "boolean", "default": _default(Event, "enabled"),
                        "description": "\"Enable this event\"."},
            "priority": choice(profile.PRIORITIES, "Event priority.",
                               default=_default(Event, "priority")),
            "delay": integer("event.delay", "\"Detect next event after\" this many seconds",
                             default=_default(Event, "delay")),
            "schedule": ref("schedule", "When the event is active. Default: always."),
            "do": integer("event.do", "Local action: pulse the spotter's own digital "
                          "output for this many seconds"),
            "goto": text("event.goto", "Local action: move the spotter (a PTZ model) to "
                         "this preset of its own"),
            "state": state(),
        },
        COMPLETE_KEYWORD: {"required": ["trigger"], UNLESS_ABSENT: True},
    }


def prune_schema() -> JSON:
    return {
        "type": ["boolean", "object"], "additionalProperties": False,
        "description": "Remove what the inventory does not name: `true` for every kind but "
        "accounts, or per kind. Default: leave unnamed things alone.",
        "properties": {kind: {"type": "boolean", "description": f"Prune {kind}s."
                              + (" Only ever by name: `prune: true` leaves accounts alone, "
                                 "and never removes root or the account this tool logs in "
                                 "with." if kind == "account" else "")}
                       for kind in RESOURCE_KINDS},
    }


def settings_schema() -> JSON:
    return {
        "type": ["object", "null"],
        "description": "A camera's settings, at any level (all, a group, the camera). Keys "
        "not listed here are variables for templates.",
        "properties": {
            "role": choice(("spotter", "ptz"), "What the camera does in Camera Link. "
                           "Default: from the group it is in (`spotters` or `ptz`)."),
            "address": {"type": "string", FIRMWARE_KEYWORD: "address",
                        "description": "The site address other cameras reach this one at "
                        "(what a spotter stores for its PTZ peer)."},
            "site_port": integer("port", "The HTTP port other cameras reach this one at",
                                 default=80),
            "model": {"type": "string", "examples": models.ptz_models()
                      + models.fixed_models(),
                      "description": "The camera model; must be on the vendor's Camera "
                      "Link list (see Models)."},
            "firmware": {"type": "string", "description": "The minimum firmware expected, "
                         "e.g. 2.2103.34.01d; Camera Link needs major "
                         f"{models.MIN_CAMERA_LINK_MAJOR} or later."},
            "connection": ref("connection", "How this tool reaches the camera. Default: "
                              "http to `address`, port 80."),
            "credentials": ref("credentials", "The admin account this tool logs in with."),
            "link_credentials": ref("link_credentials", "PTZ only: the account spotters "
                                    "store to call it. Default: `credentials`."),
            "presets": {"type": "array", "items": ref("preset"),
                        "description": "PTZ presets (PTZ models only)."},
            "tracking_rules": {"type": "array", "items": ref("tracking_rule"),
                               "description": "Smart Tracking Advanced rules (PTZ models "
                               "only)."},
            "events": {"type": "array", "items": ref("event"),
                       "description": "Events (spotters only)."},
            "accounts": {"type": "array", "items": ref("account"),
                         "description": "Other accounts to manage on the camera (viewers "
                         "for a recorder, an operator for a guard station)."},
            "prune": ref("prune", "What to remove from this camera when the inventory "
                         "does not name it. Default: the site's `prune`."),
        },
        COMPLETE_KEYWORD: {"type": "object", "required": ["address", "model", "credentials"]},
    }


def group_schema() -> JSON:
    return {
        "type": ["object", "null"], "additionalProperties": False,
        "description": "A group, as in an Ansible YAML inventory.",
        "properties": {
            "vars": {**ref("settings"), "description": "Settings and variables of every "
                     "camera in the group (below group_vars/<group>.yml in precedence)."},
            "hosts": {"type": ["object", "null"],
                      "propertyNames": names_of("camera", CAMERA_NAME,
                                                **{FIRMWARE_KEYWORD: "camera.name"}),
                      "additionalProperties": ref("settings"),
                      "description": "The group's cameras: name -> settings (or nothing)."},
            "children": {"type": ["object", "null"],
                         "propertyNames": names_of("group", GROUP_NAME),
                         "additionalProperties": ref("group"),
                         "description": "Groups inside this one."},
        },
    }


def target_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False, "required": ["ptz"],
        "description": "What one PTZ camera does when the link's event fires: any of "
        "preset, track and do.",
        "properties": {
            "ptz": {"type": "string", "description": "The PTZ camera, by name."},
            "preset": text("link.preset", "Move to this preset (declared or adopted on "
                           "that PTZ)"),
            "track": text("link.track", "Then track with this Smart Tracking Advanced rule "
                          "(declared on that PTZ)"),
            "do": integer("link.do", "Pulse the PTZ camera's digital output for this many "
                          "seconds"),
        },
    }


def link_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "description": "A spotter event and the PTZ cameras it commands.",
        "properties": {
            "name": {"type": "string", "minLength": 1,
                     "description": "The link's name (unique in the site)."},
            "spotter": {"type": "string", "description": "The spotter camera, by name."},
            "event": {"type": "string", "description": "The spotter's event that fires "
                      "the link, by name (declared under the spotter's `events`)."},
            "targets": {"type": "array", "minItems": 1,
                        "maxItems": limits.max_link_targets(), "items": ref("target"),
                        "description": "The PTZ cameras and what each does."},
            "state": state(),
        },
        COMPLETE_KEYWORD: {"required": ["spotter", "event", "targets"]},
    }


def site_schema() -> JSON:
    return {
        "type": "object", "additionalProperties": False,
        "description": "Site-wide settings.",
        "properties": {
            "name": {"type": "string", "pattern": CAMERA_NAME, "description": "The site's "
                     "name (required: some source must give it): it keys the site's lock, "
                     "journal and plan files. A path never names a site, so a moved or "
                     "second checkout is the same site."},
            "prune": ref("prune", "What to remove, site-wide, when the inventory does not "
                         "name it. Default: nothing."),
            "secrets_command": {"type": "string", "minLength": 1, "description": "A "
                                "command whose output is the secrets YAML (NAME: value "
                                "lines), run in the inventory's directory when neither "
                                "--secrets nor --secrets-command is given, e.g. "
                                "`sops -d secrets.enc.yml`. Plain text, not a template."},
            "firmware_profile": {"type": "string", "minLength": 1, "description": "A "
                                 "firmware profile override file, relative to this "
                                 "inventory file: corrected spellings of the [modelled] "
                                 "firmware names for cameras whose firmware differs "
                                 "(`camlink-provision probe --write-profile` starts one; "
                                 "docs/new-firmware.md). `--profile FILE` wins over it."},
        },
    }


def build_schema() -> JSON:
    return {
        "$schema": DRAFT,
        "title": "camlink-provision inventory",
        "description": "A camlink-provision site inventory file (inventory.yml, links.yml, "
        "or a single-file inventory). Reference: docs/inventory.md.",
        "type": "object", "additionalProperties": False,
        "properties": {
            "site": ref("site", "Site-wide settings: name and prune."),
            "all": {**ref("group"), "description": "The top group: every camera is in it."},
            "group_vars": {"type": "object", "propertyNames": names_of("group", GROUP_NAME),
                           "additionalProperties": ref("settings"),
                           "description": "group -> settings, as group_vars/<group>.yml."},
            "host_vars": {"type": "object",
                          "propertyNames": names_of("camera", CAMERA_NAME),
                          "additionalProperties": ref("settings"),
                          "description": "camera -> settings, as host_vars/<camera>.yml. "
                          "An overlay file is just this key."},
            "links": {"type": "array", "items": ref("link"),
                      "description": "Links: a spotter event and its PTZ targets."},
        },
        "$defs": {
            "site": site_schema(), "group": group_schema(), "settings": settings_schema(),
            "connection": connection_schema(), "credentials": credentials_schema(False),
            "link_credentials": credentials_schema(True), "account": account_schema(),
            "preset": preset_schema(),
            "tracking_rule": tracking_rule_schema(), "event": event_schema(),
            "trigger": trigger_schema(), "schedule": schedule_schema(),
            "prune": prune_schema(), "link": link_schema(), "target": target_schema(),
        },
    }


TEMPLATE = {"type": "string", "pattern": r"\{\{|\{%",
            "description": "A Jinja2 template, rendered before the value is checked."}


def for_editors(node: Any) -> Any:
    """The schema as committed: every value that is not text may also be a template.

    An editor cannot render ``delay: "{{ alert_delay }}"``; without this it would flag the
    string where a number belongs. ``validate`` reaches the same verdict another way: it
    judges a template only once rendered (see schemacheck), on the schema without these
    alternatives, which keeps its messages plain and its checks fast.
    """
    if isinstance(node, list):
        return [for_editors(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: for_editors(value) if key not in ("properties", "$defs") else
           {name: _templatable(for_editors(sub)) if key == "properties" else for_editors(sub)
            for name, sub in value.items()}
           for key, value in node.items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _templatable(out[key])
    return out


def _templatable(node: JSON) -> JSON:
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text_only = "string" in kinds and "pattern" not in node
    if text_only or not ("$ref" in node or "enum" in node or kinds):
        return node
    annotations = ("description", "default", "examples")  # what editors show: kept outside
    inner = {key: value for key, value in node.items() if key not in annotations}
    wrapped: JSON = {"anyOf": [inner, {"$ref": "#/$defs/template"}]}
    wrapped.update((key, node[key]) for key in annotations if key in node)
    return wrapped


def build_vars_schema() -> JSON:
    return {"$schema": DRAFT, "title": "camlink-provision group_vars / host_vars file",
            "description": "The settings and variables of one group or camera.",
            "$ref": f"{INVENTORY_FILE}#/$defs/settings"}


def rendered() -> dict[str, str]:
    """File name -> the text committed under schemas/ (for editors: see ``for_editors``)."""
    editors = for_editors(build_schema())
    editors["$defs"]["template"] = TEMPLATE
    return {name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            for name, schema in ((INVENTORY_FILE, editors),
                                 (VARS_FILE, build_vars_schema()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print or write the inventory schemas.")
    parser.add_argument("--write", action="store_true", help="write them to schemas/")
    args = parser.parse_args(argv)
    for name, content in rendered().items():
        if args.write:
            (checkout_schema_dir() / name).write_text(content, encoding="utf-8")
        else:
            sys.stdout.write(content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
