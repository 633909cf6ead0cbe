"""FLEET.yml: the cameras ``camlink-provision emulate --fleet`` serves.

    cameras:
      - name: spot1
        model: IB9389-EHT-v2
        firmware: 2.2103.34.01d
        address: 192.168.51.21        # or 192.168.51.21:8080; a routing key only
        auth: digest                  # or basic
        accounts:
          - {username: admin, password: admin-pass, privilege: admin}

Read through YAML nodes (not plain data) so that every error points at its file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from camlink_provision.emulator.spec import (
    AccountSpec,
    CameraSpec,
    Privilege,
    spec_problem,
)
from camlink_provision.errors import InventoryError, Location

CAMERA_KEYS = {"name", "model", "firmware", "address", "auth", "accounts", "serial",
               "hostname"}
ACCOUNT_KEYS = {"username", "password", "privilege"}


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def where(self, node: yaml.Node, json_path: str) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1, json_path)

    def fail(self, node: yaml.Node, json_path: str, message: str, hint: str = "") -> None:
        raise InventoryError(message, self.where(node, json_path), hint)

    def mapping(self, node: yaml.Node, json_path: str, allowed: set[str],
                required: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, json_path, "expected a mapping")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.fail(key_node, json_path, f"unknown key {key!r}",
                          "known keys: " + ", ".join(sorted(allowed)))
            out[str(key)] = value_node
        for key in required:
            if key not in out:
                self.fail(node, json_path, f"missing {key!r}")
        return out

    def text(self, node: yaml.Node, json_path: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.fail(node, json_path, "expected a value")
        return str(node.value)


def load_fleet_file(path: str | Path) -> list[CameraSpec]:
    """The cameras of a fleet file, in file order; InventoryError with file:line if bad."""
    name = str(path)
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InventoryError(f"cannot read the fleet file: {exc.strerror}",
                             Location(name)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        raise InventoryError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                             where) from None
    reader = _Reader(name)
    if root is None:
        raise InventoryError("the fleet file is empty", Location(name),
                             "it needs a top-level 'cameras:' list")
    cameras = reader.mapping(root, "$", {"cameras"}, ("cameras",))["cameras"]
    if not isinstance(cameras, yaml.SequenceNode) or not cameras.value:
        reader.fail(cameras, "$.cameras", "'cameras' must be a non-empty list")
    specs = [_camera(reader, node, f"$.cameras[{i}]") for i, node in enumerate(cameras.value)]
    _check_unique(reader, cameras.value, specs)
    return specs


def _camera(reader: _Reader, node: yaml.Node, json_path: str) -> CameraSpec:
    fields = reader.mapping(node, json_path, CAMERA_KEYS, ("name", "model"))
    values = {k: reader.text(v, f"{json_path}.{k}") for k, v in fields.items()
              if k != "accounts"}
    kwargs: dict[str, Any] = {k: v for k, v in values.items() if k != "address"}
    if "address" in values:
        kwargs["address"], kwargs["site_port"] = _site_address(
            reader, fields["address"], f"{json_path}.address", values["address"])
    if "accounts" in fields:
        kwargs["accounts"] = _accounts(reader, fields["accounts"], f"{json_path}.accounts")
    try:
        return CameraSpec(**kwargs)
    except ValueError:
        problem = spec_problem(_unchecked(kwargs)) or "invalid camera"
        reader.fail(node, json_path, problem)
        raise  # unreachable: fail() raises


def _unchecked(kwargs: dict[str, Any]) -> CameraSpec:
    """A spec built without its checks, to ask ``spec_problem`` what is wrong with it."""
    spec = object.__new__(CameraSpec)
    for key, value in {**CameraSpec.__dataclass_fields__, **kwargs}.items():
        default = CameraSpec.__dataclass_fields__[key].default if key not in kwargs else value
        object.__setattr__(spec, key, default)
    return spec


def _site_address(reader: _Reader, node: yaml.Node, json_path: str,
                  text: str) -> tuple[str, int]:
    """``IP`` or ``IP:PORT`` (``[v6]:PORT`` for IPv6); the port defaults to 80."""
    host, sep, port = text.rpartition(":")
    if not sep or (text.count(":") > 1 and not text.startswith("[")):
        return text, 80
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        reader.fail(node, json_path, f"bad port in address {text!r}", "use IP or IP:PORT")
    return host.strip("[]"), int(port)


def _accounts(reader: _Reader, node: yaml.Node, json_path: str) -> tuple[AccountSpec, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        reader.fail(node, json_path, "'accounts' must be a non-empty list")
    accounts = []
    for i, item in enumerate(node.value):
        path = f"{json_path}[{i}]"
        fields = reader.mapping(item, path, ACCOUNT_KEYS, ("username", "password"))
        privilege = reader.text(fields["privilege"], f"{path}.privilege") \
            if "privilege" in fields else "admin"
        if privilege not in ("viewer", "operator", "admin"):
            reader.fail(fields["privilege"], f"{path}.privilege",
                        "privilege must be viewer, operator or admin")
        accounts.append(AccountSpec(reader.text(fields["username"], f"{path}.username"),
                                    reader.text(fields["password"], f"{path}.password"),
                                    _privilege(privilege)))
    return tuple(accounts)


def _privilege(text: str) -> Privilege:
    assert text in ("viewer", "operator", "admin")
    return text  # type: ignore[return-value]


def _check_unique(reader: _Reader, nodes: list[yaml.Node], specs: list[CameraSpec]) -> None:
    seen_names: set[str] = set()
    seen_sites: set[tuple[str, int]] = set()
    for i, (node, spec) in enumerate(zip(nodes, specs, strict=True)):
        if spec.name in seen_names:
            reader.fail(node, f"$.cameras[{i}].name", f"camera {spec.name!r} is listed twice")
        site = (spec.address, spec.site_port)
        if spec.address and site in seen_sites:
            reader.fail(node, f"$.cameras[{i}].address",
                        f"site address {spec.address}:{spec.site_port} is used twice")
        seen_names.add(spec.name)
        seen_sites.add(site)
