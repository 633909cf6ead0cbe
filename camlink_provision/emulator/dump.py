"""An emulated camera started from a captured dump: a real camera's ``getparam.cgi`` reply.

``emulate --from-dump FILE`` (and ``CameraSpec(dump=...)``) turns a field report into a test
case: the camera serves exactly the parameters the dump lists, under the dump's names, with
its values as factory state. Identity (model, firmware, serial, host name) comes from the
dump. Parameters the profile knows (through the camera's profile: ``naming``) keep their
types and levels and behave as the firmware does; the others are served read-only at admin
level, as found. Passwords are never in a dump (7/6: never readable); each known password
field is added beside its group's other fields.

The file is the reply's text, ``name='value'`` per line; blank lines and lines starting with
``#`` (a note on where it came from) are allowed. Anything else is an error naming the line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from camlink_provision.emulator.params import ParamTable
from camlink_provision.emulator.spec import CameraSpec
from camlink_provision.errors import InventoryError, Location
from camlink_provision.firmware import models
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming
from camlink_provision.firmware.profile_data import FirmwareProfile
from camlink_provision.inventory.located import display_path

_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_]+)='(?P<value>[^']*)'$")
_AS_FOUND = fw.StringType(1 << 16)  # a parameter the profile does not know: any text
ADMIN = fw.LEVEL_DIRS["admin"]
_HINT = ("a dump is the text of getparam.cgi's reply: name='value' per line "
         "(camlink-provision probe --save-dump FILE writes one)")


def read_dump(path: str | Path) -> tuple[tuple[str, str], ...]:
    """The dump's pairs in file order; an ``InventoryError`` at the first bad line."""
    file = Path(path)
    name = display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"cannot read the dump: {exc}", Location(name),
                             hint="check the path and that it is a UTF-8 text file") from None
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise InventoryError("not a name='value' line", Location(name, number, 1), _HINT)
        pairs.append((match["name"], match["value"]))
    if not pairs:
        raise InventoryError("the dump holds no parameter", Location(name, 1, 1), _HINT)
    return tuple(pairs)


def spec_from_dump(path: str | Path, name: str | None = None,
                   profile: FirmwareProfile | None = None) -> CameraSpec:
    """A camera spec whose identity and parameters are the dump's."""
    pairs = read_dump(path)
    values = dict(pairs)
    where = display_path(Path(path))
    model = values.get(fw.MODELNAME, "")
    if models.lookup(model) is None:
        raise InventoryError(f"the dump's {fw.MODELNAME} {model!r} is not a known model",
                             _line_of(path, fw.MODELNAME, where),
                             hint="emulate a model of firmware/models.py: edit that line")
    full = values.get(fw.FIRMWARE, "")
    firmware = full.split("-VVTK-", 1)[1] if "-VVTK-" in full else full
    serial = values.get(fw.SERIAL, "")
    hostname = values.get(fw.HOSTNAME, "")
    try:
        return CameraSpec(name or _safe_name(hostname) or "dump", model, firmware=firmware,
                          serial=serial if re.fullmatch(r"[0-9A-Fa-f]{12}", serial) else "",
                          hostname=hostname, profile=profile, dump=pairs)
    except ValueError as exc:
        raise InventoryError(str(exc), _line_of(path, fw.FIRMWARE, where),
                             hint="the dump's identity lines must be a camera's") from None


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:64]


def _line_of(path: str | Path, parameter: str, where: str) -> Location:
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(parameter + "="):
            return Location(where, number, 1)
    return Location(where)


def dump_table(dump: tuple[tuple[str, str], ...], naming: Naming,
               model_caps: fw.Capabilities) -> tuple[ParamTable, fw.Capabilities,
                                                     dict[str, str]]:
    """The table a dump camera serves, its capabilities and its values (built-in names)."""
    values = {naming.param_in(name): value for name, value in dump}
    caps = _capabilities(values, model_caps)
    known = fw.profile_table(caps, naming.profile)
    specs: dict[str, fw.ParamSpec] = {}
    for name in values:
        spec = known.get(name)
        specs[name] = spec if spec is not None else fw.ParamSpec(name, _AS_FOUND, ADMIN,
                                                                 fw.NOBODY)
    groups = {name.rsplit("_", 1)[0] for name in values}
    for name, spec in known.items():  # passwords: never listed, present with their group
        if spec.secret and name.rsplit("_", 1)[0] in groups:
            specs[name] = spec
        # Every camera has accounts (a dump read below admin level lists none): the
        # camera's own slots, filled with the accounts its spec gives.
        if name.startswith(fw.ACCOUNT_GROUP + "_") and name not in specs:
            specs[name] = spec
    return ParamTable(specs), caps, values


def _capabilities(values: dict[str, str], caps: fw.Capabilities) -> fw.Capabilities:
    """What the dump's capability lines say; the model's own where a line is missing."""
    def count(name: str, default: int) -> int:
        text = values.get(name, "")
        return int(text) if text.isdigit() else default

    return replace(
        caps, npreset=count(fw.CAP_NPRESET, caps.npreset), ndi=count(fw.CAP_NDI, caps.ndi),
        ndo=count(fw.CAP_NDO, caps.ndo), nvi=count(fw.CAP_NVI, caps.nvi),
        nevent=count(fw.CAP_NEVENT, caps.nevent), npeer=count(fw.CAP_NPEER, caps.npeer),
        cameralink=values.get(fw.CAP_CAMERALINK, "1" if caps.cameralink else "0") == fw.ON,
        ptz=count(fw.CAP_PTZ, 1 if caps.ptz else 0) > 0)
