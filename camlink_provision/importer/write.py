"""An Adoption -> inventory files in the project's format (docs/inventory.md).

    inventory.yml          site name; spotters and ptz groups with each camera's address,
                           model and site port; the source's other groups, as memberships
    group_vars/all.yml     the credentials most cameras share (the source's own template)
    group_vars/ptz.yml     link_credentials, when every PTZ camera has the same
    host_vars/<cam>.yml    credentials or link_credentials that differ, the connection the
                           source gives, presets, tracking rules, events
    links.yml              links, and commented-out placeholders for targets the inventory
                           has no camera for

Passwords are written as the source wrote them (``{{ secret('NAME') }}``); a link account
the source does not know gets a new reference ``{{ secret('<ptz>_link_password') }}``.
No value of a secret is known here, let alone written. Settings equal to the inventory's
defaults are left out, so that the files read like ones written by hand.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import yaml
from jinja2 import meta

from camlink_provision.importer.adopt import Adoption, Placeholder
from camlink_provision.importer.source import Written
from camlink_provision.inventory.groups import ALL, ROLE_GROUPS
from camlink_provision.inventory.model import (
    Camera,
    Event,
    Link,
    LinkTarget,
    Preset,
    Schedule,
    TrackingRule,
)

SCHEMA_COMMENT = "# yaml-language-server: $schema={up}schemas/{name}.schema.json\n"
TEMPLATE_GLOBALS = frozenset({"secret", "env"})
SECRET_CALL = re.compile(r"secret\(\s*['\"]([^'\"]+)['\"]\s*\)")


@dataclass(frozen=True)
class Files:
    """Relative path -> text; plus what a reader must know about them."""

    texts: Mapping[str, str]
    secrets: tuple[str, ...]  # every secret NAME the files refer to
    new_secrets: tuple[str, ...]  # the NAMEs import made up (their values are to fill in)
    warnings: tuple[str, ...]


# -- YAML --------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    """Block style for the structure, flow style for small leaf lists and mappings."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) or (isinstance(v, list) and _leaf_list(v))
               for v in data.values()) and len(data) <= 5
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _leaf_list(values: list[Any]) -> bool:
    return all(not isinstance(v, dict | list) or (isinstance(v, list) and _leaf_list(v))
               for v in values)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data,
                                     flow_style=_leaf_list(data))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Templates in double quotes, as people write them: "{{ secret('NAME') }}".
    style = '"' if "{{" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(data: Mapping[str, Any]) -> str:
    text: str = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                          width=96)
    return text


def header(lines: Iterable[str], schema: str, depth: int) -> str:
    out = SCHEMA_COMMENT.format(up="../" * depth, name=schema) + "#\n"
    wrapped = textwrap.wrap(" ".join(lines), width=92, break_on_hyphens=False)
    return out + "".join(f"# {line}\n" for line in wrapped)


# -- resources as the inventory writes them ------------------------------------------------------
def preset_entry(preset: Preset) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": preset.name}
    for axis in ("pan", "tilt", "zoom"):
        if getattr(preset, axis) is not None:
            entry[axis] = getattr(preset, axis)
    return entry


def rule_entry(rule: TrackingRule) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": rule.name, "type": rule.type,
                             "field": [list(point) for point in rule.field]}
    for key in ("condition", "duration", "direction"):
        if getattr(rule, key) is not None:
            entry[key] = getattr(rule, key)
    if rule.connect_event:
        entry["connect_event"] = True
    return entry


def trigger_entry(event: Event) -> dict[str, Any]:
    trigger = event.trigger
    if trigger.kind == "detection":
        return {"detection": trigger.rule or ""}
    numbers = [n + 1 for n in trigger.inputs]  # the inventory counts from 1, as the web page
    if trigger.kind == "motion":
        return {"motion": True if numbers in ([], [1]) else numbers}
    if not numbers:
        numbers = [1]
    return {trigger.kind: numbers[0] if len(numbers) == 1 else numbers}


def schedule_entry(schedule: Schedule) -> dict[str, Any] | None:
    default = Schedule()
    entry: dict[str, Any] = {}
    if set(schedule.days) != set(default.days):
        entry["days"] = list(schedule.days)
    if schedule.begin != default.begin:
        entry["begin"] = schedule.begin
    if schedule.end != default.end:
        entry["end"] = schedule.end
    return entry or None


def event_entry(event: Event) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": event.name, "trigger": trigger_entry(event)}
    if not event.enabled:
        entry["enabled"] = False
    if event.priority != Event.priority:
        entry["priority"] = event.priority
    if event.delay != Event.delay:
        entry["delay"] = event.delay
    schedule = schedule_entry(event.schedule)
    if schedule:
        entry["schedule"] = schedule
    if event.do_duration:
        entry["do"] = event.do_duration
    if event.goto_preset:
        entry["goto"] = event.goto_preset
    return entry


def target_entry(target: LinkTarget, ptz: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"ptz": ptz or target.ptz}
    if target.preset:
        entry["preset"] = target.preset
    if target.track_rule:
        entry["track"] = target.track_rule
    if target.do_duration:
        entry["do"] = target.do_duration
    return entry


def link_entry(link: Link) -> dict[str, Any]:
    return {"name": link.name, "spotter": link.spotter, "event": link.event,
            "targets": [target_entry(t) for t in link.targets]}


# -- credentials -------------------------------------------------------------------------------
def link_secret_name(ptz: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", ptz) + "_link_password"


def template_variables(template: str) -> set[str]:
    """Names a template uses besides secret() and env(): they would need defining."""
    try:
        parsed = jinja2.Environment(autoescape=False).parse(template)
    except jinja2.TemplateSyntaxError:
        return set()
    return set(meta.find_undeclared_variables(parsed)) - TEMPLATE_GLOBALS


def credentials_entry(camera: Camera, written: Written) -> dict[str, Any]:
    return {"username": camera.credentials.username, "password": written.password or ""}


def link_entry_of(camera: Camera, written: Written) -> dict[str, Any] | None:
    link = camera.link_credentials
    if link is None:
        return None
    password = written.link_password or "{{ secret('" + link_secret_name(camera.name) + "') }}"
    entry: dict[str, Any] = {"username": link.username, "password": password}
    privilege = written.link_privilege or link.privilege
    if privilege != "operator":
        entry["privilege"] = privilege
    return entry


def account_secret_name(camera: str, account: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{camera}_{account}") + "_password"


def account_entries(camera: Camera) -> list[dict[str, Any]]:
    """``accounts:`` as read: names and privileges; each password a new secret() reference
    (passwords are never readable)."""
    out = []
    for account in camera.accounts:
        entry: dict[str, Any] = {"name": account.name, "password": "{{ secret('"
                                 + account_secret_name(camera.name, account.name) + "') }}"}
        if account.privilege != "viewer":
            entry["privilege"] = account.privilege
        out.append(entry)
    return out


def most_common(values: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    keyed = Counter(yaml.safe_dump(v, sort_keys=True) for v in values)
    if not keyed:
        return None
    best = keyed.most_common(1)[0][0]
    return next(v for v in values if yaml.safe_dump(v, sort_keys=True) == best)


# -- the files ---------------------------------------------------------------------------------
class InventoryWriter:
    def __init__(self, adoption: Adoption, written: Mapping[str, Written], source: str) -> None:
        self.adoption = adoption
        self.site = adoption.site
        self.written = written
        self.source = source
        self.warnings: list[str] = []
        creds = [credentials_entry(c, written[c.name]) for c in self.site.cameras.values()]
        self.shared_credentials = most_common(creds)
        ptz = [c for c in self.site.cameras.values() if c.role == "ptz"]
        links = [link_entry_of(c, written[c.name]) for c in ptz]
        first = links[0] if links else None
        self.shared_link = first if first is not None and all(x == first for x in links) \
            else None
        firmwares = {written[c].firmware for c in self.site.cameras}
        self.shared_firmware = firmwares.pop() if len(firmwares) == 1 else None

    def files(self) -> Files:
        texts = {"inventory.yml": self.inventory(), "links.yml": self.links()}
        texts.update(self.group_vars())
        for camera in self.site.cameras.values():
            host = self.host_vars(camera)
            if host:
                texts[f"host_vars/{camera.name}.yml"] = host
        referenced = sorted({name for text in texts.values()
                             for name in SECRET_CALL.findall(text)})
        new = sorted({link_secret_name(c.name) for c in self.site.cameras.values()
                      if c.link_credentials is not None and not self.written[c.name].link_password}
                     | {account_secret_name(c.name, a.name) for c in self.site.cameras.values()
                        for a in c.accounts})
        self.check_templates()
        return Files(texts, tuple(referenced), tuple(new), tuple(self.warnings))

    def check_templates(self) -> None:
        for name, written in self.written.items():
            for template in (written.password, written.link_password):
                used = template_variables(template) if template else set()
                if used:
                    self.warnings.append(
                        f"{name}: a password template uses {', '.join(sorted(used))}; define "
                        "them in the imported inventory (group_vars/all.yml)")

    def host_entry(self, camera: Camera) -> dict[str, Any]:
        entry: dict[str, Any] = {"address": camera.address, "model": camera.model}
        if camera.site_port != Camera.site_port:
            entry["site_port"] = camera.site_port
        return entry

    def inventory(self) -> str:
        children: dict[str, Any] = {}
        for group, role in ROLE_GROUPS.items():
            hosts = {c.name: self.host_entry(c) for c in self.site.cameras.values()
                     if c.role == role}
            if hosts:
                children[group] = {"hosts": hosts}
        for group, members in self.site.groups.items():
            if group == ALL or group in ROLE_GROUPS:
                continue
            chosen = [m for m in members if m in self.site.cameras]
            if chosen:
                children[group] = {"hosts": dict.fromkeys(chosen)}
        lines = [f"Written by camlink-provision import from {self.source}: what the cameras "
                 "held when they were read. Roles come from what each camera does; passwords "
                 "are the source's secret() references. Review, then plan: it should show no "
                 "change."]
        doc = {"site": {"name": self.site.name}, "all": {"children": children}}
        return header(lines, "inventory", 2) + dump(doc)

    def group_vars(self) -> dict[str, str]:
        out: dict[str, str] = {}
        everyone: dict[str, Any] = {}
        if self.shared_credentials:
            everyone["credentials"] = self.shared_credentials
        if self.shared_firmware:
            everyone["firmware"] = self.shared_firmware
        if everyone:
            out["group_vars/all.yml"] = header(
                ["Every camera: the admin account this tool logs in with."], "vars", 3) \
                + dump(everyone)
        if self.shared_link:
            out["group_vars/ptz.yml"] = header(
                ["Every PTZ camera: the account its spotters store to command it."], "vars",
                3) + dump({"link_credentials": self.shared_link})
        return out

    def host_vars(self, camera: Camera) -> str:
        written = self.written[camera.name]
        data: dict[str, Any] = {}
        credentials = credentials_entry(camera, written)
        if credentials != self.shared_credentials:
            data["credentials"] = credentials
        link = link_entry_of(camera, written)
        if link is not None and self.shared_link is None:
            data["link_credentials"] = link
        if written.firmware and written.firmware != self.shared_firmware:
            data["firmware"] = written.firmware
        if written.connection:
            data["connection"] = dict(written.connection)
        if camera.presets:
            data["presets"] = [preset_entry(p) for p in camera.presets]
        if camera.tracking_rules:
            data["tracking_rules"] = [rule_entry(r) for r in camera.tracking_rules]
        if camera.events:
            data["events"] = [event_entry(e) for e in camera.events]
        if camera.accounts:
            data["accounts"] = account_entries(camera)
        if not data:
            return ""
        return header([f"{camera.name} ({camera.role}, {camera.model}) as read by import."],
                      "vars", 3) + dump(data)

    def links(self) -> str:
        lines = ["Links reassembled from the spotters' events and their camera-link actions."]
        body = dump({"links": [link_entry(link) for link in self.site.links]}) \
            if self.site.links else "links: []\n"
        return header(lines, "inventory", 2) + body + placeholders_text(
            self.adoption.placeholders, {link.name for link in self.site.links})


def placeholders_text(placeholders: Sequence[Placeholder], written: set[str]) -> str:
    """Targets on cameras the inventory lacks, as comments to complete by hand."""
    if not placeholders:
        return ""
    out = ["", "# Placeholders: targets whose PTZ is not a camera of this inventory. Add the "
           "camera,", "# then the target (or the whole link) below, with its inventory name."]
    by_link: dict[str, list[Placeholder]] = {}
    for item in placeholders:
        by_link.setdefault(item.link, []).append(item)
    for link, items in by_link.items():
        first = items[0]
        out.append(f"# {first.spotter} event '{first.event}' also commands "
                   + ", ".join(i.where for i in items) + ":")
        if link not in written:
            out += [f"# - name: {link}", f"#   spotter: {first.spotter}",
                    f"#   event: {first.event}", "#   targets:"]
        else:
            out.append(f"#   (targets of link {link})")
        for item in items:
            entry = target_entry(item.target, ptz=f"TODO-camera-at-{item.address}")
            out.append("#     - " + dump(entry).strip())
    return "\n".join(out) + "\n"


def inventory_files(adoption: Adoption, written: Mapping[str, Written], source: str) -> Files:
    return InventoryWriter(adoption, written, source).files()
