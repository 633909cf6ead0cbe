"""Rules about one camera that the schema cannot express: its model and firmware, what its
role and model allow, names and slot counts, tracking rule shapes, event inputs.

Each rule is a function ``(camera, where) -> errors``; ``CAMERA_RULES`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from camlink_provision.errors import InventoryError, Location
from camlink_provision.firmware import models, profile
from camlink_provision.firmware.version import parse_firmware
from camlink_provision.inventory import limits
from camlink_provision.inventory.build import SourceMap, camera_key
from camlink_provision.inventory.hints import STRICT, did_you_mean
from camlink_provision.inventory.model import Camera, Event, Preset, TrackingRule
from camlink_provision.resources.accounts import ALTERNATE_SUFFIX, link_pair

Errors = list[InventoryError]


def _at(where: SourceMap, camera: Camera, *field: str | int) -> Location:
    return where.at(camera_key(camera.name, *field), camera.location)


def model_supported(camera: Camera, where: SourceMap) -> Errors:
    info = models.lookup(camera.model)
    location = _at(where, camera, "model")
    if info is None:
        choices = models.ptz_models() if camera.role == "ptz" else models.fixed_models()
        return [InventoryError(f"model {camera.model} is not on the Camera Link supported "
                               "list", location,
                               did_you_mean(camera.model, choices, "use a model from the list "
                                            "in docs/inventory.md (Models)", STRICT))]
    if not info.available:
        return [InventoryError(f"model {info.name} is announced for Camera Link but not "
                               "available yet (marked 'available later' by the vendor)",
                               location, "use an available model")]
    if camera.role == "ptz" and not info.ptz:
        return [InventoryError(f"ptz camera {camera.name} has model {info.name}, which is not "
                               "a PTZ camera", location,
                               "use a speed dome (" + ", ".join(models.ptz_models()) +
                               ") or make the camera a spotter")]
    return []


def firmware_supported(camera: Camera, where: SourceMap) -> Errors:
    if camera.firmware is None:
        return []
    location = _at(where, camera, "firmware")
    version = parse_firmware(camera.firmware)
    if version is None:
        return [InventoryError(f"firmware {camera.firmware!r} is not a VIVOTEK version",
                               location, "write it as on the camera, e.g. 2.2103.34.01d")]
    if version.major < models.MIN_CAMERA_LINK_MAJOR:
        return [InventoryError(f"firmware {version} is older than Camera Link (major "
                               f"{version.major} < {models.MIN_CAMERA_LINK_MAJOR})", location,
                               f"upgrade the camera to {models.MIN_CAMERA_LINK_MAJOR} or "
                               "later and raise firmware: here")]
    return []


def role_allows(camera: Camera, where: SourceMap) -> Errors:
    errors: Errors = []
    info = models.lookup(camera.model)
    if info is not None and not info.ptz:
        for kind in ("presets", "tracking_rules"):
            if getattr(camera, kind):
                errors.append(InventoryError(
                    f"{kind} on {camera.name}, whose model {info.name} is not a PTZ camera",
                    _at(where, camera, kind), f"remove {kind}: it holds none"))
    if camera.role == "ptz" and camera.events:
        errors.append(InventoryError(f"events on ptz camera {camera.name}",
                                     _at(where, camera, "events"),
                                     "events belong to spotters; move them there"))
    if camera.role == "spotter" and camera.link_credentials is not None:
        errors.append(InventoryError(f"link_credentials on spotter {camera.name}",
                                     _at(where, camera, "link_credentials"),
                                     "only a PTZ camera is called by others; remove it"))
    return errors


def names_unique(camera: Camera, where: SourceMap) -> Errors:
    errors: Errors = []
    for noun, items in (("preset", camera.presets), ("tracking rule", camera.tracking_rules),
                        ("event", camera.events), ("account", camera.accounts)):
        errors += duplicates([(item.name, item.location) for item in items], noun,
                             f"on {camera.name}")
    return errors


def duplicates(named: Iterable[tuple[str, Location]], noun: str, scope: str) -> Errors:
    seen: dict[str, Location] = {}
    errors: Errors = []
    for name, location in named:
        if name in seen:
            errors.append(InventoryError(
                f"{noun} '{name}' is declared twice {scope} (first at line "
                f"{seen[name].line})", location, "remove or rename one"))
        else:
            seen[name] = location
    return errors


def slots_fit(camera: Camera, where: SourceMap) -> Errors:
    info = models.lookup(camera.model)
    if info is None:
        return []
    errors: Errors = []
    # Presets on a fixed model are role_allows's to report; counting them would say it twice.
    counted: list[tuple[str, Sequence[Preset | Event], int]] = [
        ("events", camera.events, info.nevent)]
    if info.ptz:
        counted.append(("presets", camera.presets, info.npreset))
    for kind, items, capacity in counted:
        present = [item for item in items if item.state == "present"]
        if len(present) > capacity:
            errors.append(InventoryError(
                f"{camera.name} has {len(present)} {kind}; its model {info.name} holds "
                f"{capacity}", present[capacity].location,
                f"remove {len(present) - capacity} of them"))
    return errors


def rule_shapes(camera: Camera, where: SourceMap) -> Errors:
    errors: Errors = []
    for index, rule in enumerate(camera.tracking_rules):
        if rule.state == "present":
            def at(key: str, index: int = index) -> Location:
                return _at(where, camera, "tracking_rules", index, key)
            errors += _rule_shape(rule, at)
    return errors


# Which optional keys each rule type uses (contract section 7).
RULE_KEYS = {"intrusion": "condition", "loitering": "duration", "linecrossing": "direction"}


def _rule_shape(rule: TrackingRule, at: Callable[[str], Location]) -> Errors:
    errors: Errors = []
    for kind, key in RULE_KEYS.items():
        if kind != rule.type and getattr(rule, key) is not None:
            errors.append(InventoryError(
                f"{key} is for {kind} rules; '{rule.name}' is {rule.type}", at(key),
                f"remove {key}, or use {RULE_KEYS[rule.type]}"))
    points = len(rule.field)
    if rule.type == "linecrossing" and points != limits.LINE_POINTS:
        errors.append(InventoryError(
            f"linecrossing rule '{rule.name}' has {points} points", at("field"),
            f"a line has exactly {limits.LINE_POINTS} points: [[x1, y1], [x2, y2]]"))
    elif rule.type != "linecrossing" and points < limits.ZONE_MIN_POINTS:
        errors.append(InventoryError(
            f"{rule.type} rule '{rule.name}' has {points} points", at("field"),
            f"a zone is a polygon of at least {limits.ZONE_MIN_POINTS} points"))
    return errors


def event_inputs(camera: Camera, where: SourceMap) -> Errors:
    info = models.lookup(camera.model)
    if info is None or camera.role != "spotter":
        return []
    errors: Errors = []
    declared = {p.name for p in camera.presets if p.state == "present"}
    counts = {"di": info.ndi, "vi": info.nvi}
    for index, event in enumerate(camera.events):
        trigger, at = event.trigger, _at(where, camera, "events", index, "trigger")
        have = counts.get(trigger.kind, 0)
        beyond = [i + 1 for i in trigger.inputs if i >= have]
        if trigger.kind in counts and beyond:
            noun = INPUT_NOUNS[trigger.kind]
            errors.append(InventoryError(
                f"event '{event.name}' uses {trigger.kind} {beyond[0]}; {info.name} has "
                f"{have} {noun}{'s' * (have != 1)}", at,
                f"use {trigger.kind} 1" if have == 1 else f"use {trigger.kind} 1~{have}"))
        if event.do_duration is not None and info.ndo == 0:
            errors.append(InventoryError(f"event '{event.name}' pulses a digital output "
                                         f"{info.name} does not have",
                                         _at(where, camera, "events", index, "do"),
                                         "remove do:"))
        if event.goto_preset is not None and event.goto_preset not in declared:
            errors.append(InventoryError(
                f"event '{event.name}' goes to preset '{event.goto_preset}', which "
                f"{camera.name} does not declare", _at(where, camera, "events", index, "goto"),
                f"declare it under {camera.name}'s presets (a PTZ model), or remove goto:"))
    return errors


INPUT_NOUNS = {"di": "digital input", "vi": "virtual input"}


def peer_password_fits(camera: Camera, where: SourceMap) -> Errors:
    """What spotters store to call a PTZ camera must fit the peer's password field."""
    if camera.role != "ptz":
        return []
    vtype = limits.FIRMWARE_TYPES["password"]
    if not vtype.check(camera.peer_credentials.password.reveal()):
        return []
    which = "link_credentials" if camera.link_credentials else "credentials"
    return [InventoryError(f"the {which} password of {camera.name} (from secret()) cannot be "
                           f"stored by a spotter: it must be {limits.describe(vtype)}",
                           _at(where, camera, which, "password"),
                           "choose another link password" if camera.link_credentials else
                           "give it link_credentials with a password spotters can store")]


# string[64] holds 63 characters; the alternate adds its suffix.
LINK_NAME_MAX = profile.ACCOUNT_NAME_TYPE.size - 1 - len(ALTERNATE_SUFFIX)


def accounts_apart(camera: Camera, where: SourceMap) -> Errors:
    """An account under ``accounts:`` is neither the one this tool logs in with nor a name
    the link account goes by (``camlink`` or its alternate ``camlink-alt``): each has one
    owner in the inventory. A link account's name leaves room for its alternate."""
    errors: Errors = []
    pair = link_pair(camera)
    for index, account in enumerate(camera.accounts):
        if account.name == camera.credentials.username:
            errors.append(InventoryError(
                f"account '{account.name}' on {camera.name} is the account this tool logs "
                "in with", _at(where, camera, "accounts", index, "name"),
                "manage it with credentials: (it is never removed nor demoted); remove it "
                "from accounts:"))
        elif pair is not None and account.name in pair:
            errors.append(InventoryError(
                f"account '{account.name}' on {camera.name} is a name of its link account "
                f"({' / '.join(pair)})", _at(where, camera, "accounts", index, "name"),
                "manage it with link_credentials:, or give the link account another name"))
    if pair is not None and camera.credentials.username in pair:
        errors.append(InventoryError(
            f"the link account of {camera.name} may go by '{pair[1]}', the name of the "
            "account this tool logs in with (a rotation alternates the two names)",
            _at(where, camera, "link_credentials", "username"),
            "give the link account a name whose alternate is not the admin account's"))
    if camera.role == "ptz" and pair is None \
            and camera.credentials.previous_password is not None:
        errors.append(InventoryError(
            f"the admin password of {camera.name} is being rotated, and its spotters call it "
            "with that very account (it has no link_credentials): every link would break "
            "until each spotter is told the new one",
            _at(where, camera, "credentials", "previous_password"),
            "give the PTZ camera link_credentials of its own and apply, then rotate the "
            "admin password"))
    link = camera.link_credentials
    if pair is not None and link is not None \
            and limits.FIRMWARE_TYPES["account.name"].check(pair[1]):
        errors.append(InventoryError(
            f"the link account name of {camera.name} leaves no room for its alternate "
            f"'{pair[1]}' (a password rotation moves the spotters there)",
            _at(where, camera, "link_credentials", "username"),
            f"shorten it to at most {LINK_NAME_MAX} characters"))
    return errors


def ca_bundle_exists(camera: Camera, where: SourceMap) -> Errors:
    bundle = camera.connection.ca_bundle
    if bundle is None or Path(bundle).is_file():
        return []
    return [InventoryError(f"ca_bundle {bundle} does not exist",
                           _at(where, camera, "connection", "ca_bundle"),
                           "give a PEM file, relative to the file that names it")]


CAMERA_RULES: tuple[Callable[[Camera, SourceMap], Errors], ...] = (
    model_supported, firmware_supported, role_allows, names_unique, slots_fit, rule_shapes,
    event_inputs, ca_bundle_exists, peer_password_fits, accounts_apart,
)


def check_cameras(cameras: Iterable[Camera], where: SourceMap) -> Errors:
    return [error for camera in cameras for rule in CAMERA_RULES
            for error in rule(camera, where)]
