"""Probing one camera: read it, find its capabilities, compare with its profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError
from camlink_provision.firmware import models
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming
from camlink_provision.firmware.version import parse_firmware
from camlink_provision.probe.compare import Finding, compare, usable
from camlink_provision.probe.expect import expected
from camlink_provision.probe.observe import RULES, PathCheck, check_paths, observe
from camlink_provision.probe.vca_keys import KeyCheck, check_keys

CAPABILITY_NAMES = {"npreset": fw.CAP_NPRESET, "ndi": fw.CAP_NDI, "ndo": fw.CAP_NDO,
                    "nvi": fw.CAP_NVI, "nevent": fw.CAP_NEVENT, "npeer": fw.CAP_NPEER}


@dataclass
class CameraProbe:
    camera: str
    profile: str  # the profile's source: "built-in profile" or the override file
    model: str = ""
    firmware: str = ""
    capabilities: dict[str, int | bool] = field(default_factory=dict)
    capabilities_from: str = ""  # "the camera" or "the model catalogue"
    findings: list[Finding] = field(default_factory=list)
    paths: list[PathCheck] = field(default_factory=list)
    rule_keys: KeyCheck | None = None  # on a PTZ camera whose rules could be read
    notes: list[str] = field(default_factory=list)
    error: str = ""  # the camera could not be read at all
    params: dict[str, str] = field(default_factory=dict, repr=False)  # for --save-dump

    @property
    def usable(self) -> bool:
        return not self.error and usable(self.findings) and not any(
            p.status in ("missing", "error") for p in self.paths) and not (
            self.rule_keys is not None and self.rule_keys.blocking)


def probe_camera(client: CameraClient, naming: Naming) -> CameraProbe:
    result = CameraProbe(client.name, naming.profile.source)
    try:
        seen = observe(client, naming)
    except CameraError as error:
        result.error = error.message
        return result
    params = seen.params
    result.params = params
    result.model = params.get(fw.MODELNAME, "")
    result.firmware = params.get(fw.FIRMWARE, "")
    result.notes.extend(seen.notes)
    caps, result.capabilities_from = capabilities(params, naming, result.model)
    if caps is None:
        result.error = (f"the camera reports no {fw.MODELNAME} the catalogue knows "
                        f"({result.model!r}) and no capabilities: nothing to compare")
        return result
    result.capabilities = {"npreset": caps.npreset, "ndi": caps.ndi, "ndo": caps.ndo,
                           "nvi": caps.nvi, "nevent": caps.nevent, "npeer": caps.npeer,
                           "camera_link": caps.cameralink, "ptz": caps.ptz}
    result.findings = compare(expected(caps, naming), params, seen.levels)
    result.paths = check_paths(client, naming, caps.ptz)
    rules = next((p for p in result.paths if p.what == RULES and p.status == "ok"), None)
    if rules is not None:
        result.rule_keys = check_keys(rules.keys, naming)
    return result


def capabilities(params: dict[str, str], naming: Naming,
                 model: str) -> tuple[fw.Capabilities | None, str]:
    """What the camera says it can do; where it says nothing, the model catalogue."""
    info = models.lookup(model)

    def count(key: str, default: int) -> int:
        text = params.get(naming.param_out(CAPABILITY_NAMES[key]), "")
        return int(text) if text.isdigit() else default

    link = params.get(naming.param_out(fw.CAP_CAMERALINK))
    if info is None and link is None:
        return None, ""
    ptz_bits = params.get(fw.CAP_PTZ, "")
    caps = fw.Capabilities(
        npreset=count("npreset", info.npreset if info and info.ptz else 0),
        ndi=count("ndi", info.ndi if info else 0), ndo=count("ndo", info.ndo if info else 0),
        nvi=count("nvi", info.nvi if info else 0),
        nevent=count("nevent", info.nevent if info else 0),
        npeer=count("npeer", info.npeer if info else 0),
        cameralink=(link == fw.ON) if link is not None else _link_firmware(params),
        ptz=(int(ptz_bits) > 0) if ptz_bits.isdigit() else bool(info and info.ptz))
    source = "the camera" if link is not None else \
        "the model catalogue and the firmware version (the camera lists no Camera Link " \
        "capability)"
    return caps, source


def _link_firmware(params: dict[str, str]) -> bool:
    """Camera Link exists from firmware 2103 on: what the version says when the camera
    lists no capability for it (an unreadable version: assume it does, and compare)."""
    version = parse_firmware(params.get(fw.FIRMWARE, ""))
    return version is None or version.major >= models.MIN_CAMERA_LINK_MAJOR
