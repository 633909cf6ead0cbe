"""What a test or a fleet file says about one emulated camera, and about its faults.

These are plain frozen values: the emulator builds its live state from them and never
changes them. ``LogEntry`` is what the request log keeps of one firmware request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

from camlink_provision.firmware import models
from camlink_provision.firmware.profile import PRIVILEGE_LEVELS, StringType
from camlink_provision.firmware.profile_data import FirmwareProfile
from camlink_provision.firmware.version import parse_firmware

Privilege = Literal["viewer", "operator", "admin"]
AuthScheme = Literal["basic", "digest"]
DEFAULT_FIRMWARE = "2.2103.34.01d"
VIVOTEK_OUI = "0002D1"  # the first half of every VIVOTEK MAC, hence of every serial number
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HOSTNAME = StringType(40)


@dataclass(frozen=True)
class AccountSpec:
    username: str
    password: str = field(repr=False)  # never shown, even by a failing test's repr
    privilege: Privilege

    @property
    def level(self) -> int:
        return PRIVILEGE_LEVELS[self.privilege]


@dataclass(frozen=True)
class CameraSpec:
    name: str
    model: str
    firmware: str = DEFAULT_FIRMWARE
    address: str = ""  # its site address, what spotters store for it; "" = none
    site_port: int = 80  # the port spotters use to reach it
    auth: AuthScheme = "digest"
    accounts: tuple[AccountSpec, ...] = (AccountSpec("admin", "admin-pass", "admin"),)
    serial: str = ""  # 12 hex digits; derived from the name when empty
    hostname: str = ""  # defaults to the name
    # The firmware's spellings of the [modelled] names; None = the built-in profile.
    profile: FirmwareProfile | None = field(default=None, compare=False)
    # A captured getparam dump (name, value) to start from (emulator/dump.py): the camera
    # then serves exactly the parameters the dump lists, under their names.
    dump: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = spec_problem(self)
        if problem:
            raise ValueError(f"camera {self.name!r}: {problem}")

    @property
    def model_info(self) -> models.ModelInfo:
        info = models.lookup(self.model)
        assert info is not None  # checked in __post_init__
        return info

    @property
    def firmware_major(self) -> int:
        version = parse_firmware(self.firmware)
        assert version is not None  # checked in __post_init__
        return version.major

    @property
    def serial_number(self) -> str:
        if self.serial:
            return self.serial.upper()
        digest = hashlib.sha256(self.name.encode()).hexdigest().upper()
        return VIVOTEK_OUI + digest[:6]

    @property
    def host_name(self) -> str:
        return self.hostname or self.name

    def account(self, username: str) -> AccountSpec | None:
        return next((a for a in self.accounts if a.username == username), None)


def spec_problem(spec: CameraSpec) -> str | None:
    """Why this spec cannot be emulated, or None. Messages never quote a password."""
    if not _NAME.match(spec.name):
        return "the name must be 1-64 letters, digits, '.', '_' or '-'"
    info = models.lookup(spec.model)
    if info is None:
        return f"unknown model {spec.model!r}"
    version = parse_firmware(spec.firmware)
    if version is None or "-VVTK-" in spec.firmware:
        return f"firmware {spec.firmware!r} is not a bare version like {DEFAULT_FIRMWARE}"
    if spec.auth not in ("basic", "digest"):
        return f"auth must be basic or digest, not {spec.auth!r}"
    if not 1 <= spec.site_port <= 65535:
        return f"site port {spec.site_port} is not 1~65535"
    if spec.serial and not re.fullmatch(r"[0-9A-Fa-f]{12}", spec.serial):
        return "serial must be 12 hex digits"
    if spec.hostname and _HOSTNAME.check(spec.hostname):
        return f"hostname {_HOSTNAME.check(spec.hostname)}"
    return _accounts_problem(spec.accounts)


def _accounts_problem(accounts: tuple[AccountSpec, ...]) -> str | None:
    names = [a.username for a in accounts]
    if len(set(names)) != len(names):
        return "account usernames must be unique"
    for account in accounts:
        if account.privilege not in PRIVILEGE_LEVELS:
            return f"account {account.username!r}: privilege must be viewer, operator or admin"
        if not account.username or ":" in account.username:
            return "an account username must be non-empty and free of ':'"
    return None


@dataclass(frozen=True)
class Fault:
    """Misbehaviour injected into one camera. All fields combine; the default is healthy."""

    latency_ms: float = 0.0  # added to every reply
    jitter_ms: float = 0.0  # uniform extra 0..jitter
    down: bool = False  # connection refused (listening socket closed)
    reset: bool = False  # accept, read the request, then reset the connection (no reply)
    status: int = 0  # reply HTTP 500 or 503 instead of handling ...
    rate: float = 1.0  # ... with this probability (status faults only)
    reboot_seconds: float = 0.0  # refused for T seconds from now, settings kept
    partial_write: int | None = None  # a setparam stores its first K pairs, then resets
    lost_reply: bool = False  # the request is carried out, then the connection is reset
    match: str = ""  # only requests whose path contains this string
    skip: int = 0  # let the first N matching requests through untouched
    count: int | None = None  # affect at most N requests, then clear itself

    def __post_init__(self) -> None:
        problem = fault_problem(self)
        if problem:
            raise ValueError(problem)

    @property
    def per_request(self) -> bool:
        """Whether the fault acts on requests (as opposed to the listening socket)."""
        return bool(self.latency_ms or self.jitter_ms or self.reset or self.status
                    or self.partial_write is not None or self.lost_reply)


def fault_problem(fault: Fault) -> str | None:
    if fault.latency_ms < 0 or fault.jitter_ms < 0 or fault.reboot_seconds < 0:
        return "latency, jitter and reboot time must not be negative"
    if fault.status not in (0, 500, 503):
        return "status must be 500 or 503"
    if not 0.0 <= fault.rate <= 1.0:
        return "rate must be between 0 and 1"
    if fault.partial_write is not None and fault.partial_write < 0:
        return "partial_write must be 0 or more"
    if fault.skip < 0 or (fault.count is not None and fault.count < 1):
        return "skip must be 0 or more and count 1 or more"
    return None


@dataclass(frozen=True)
class LogEntry:
    """One firmware request as the camera saw it. Parameter names only, never values."""

    method: str
    path: str  # without the query string, which carries values
    params: tuple[str, ...]
    status: int  # 0 when the connection was reset instead of answered
    write: bool  # the request stored settings (an accepted setparam, preset or VCA write)
    fault: str = ""  # the injected fault that shaped this reply, if any
    # Order of answering across the whole process (every camera of every fleet): tests put
    # the logs of several cameras back into the one order the requests were answered in.
    seq: int = 0
    # Who asked (the User-Agent; "" from another camera's link call): a benchmark counts the
    # tool's requests apart from the cameras' own traffic to each other.
    agent: str = ""

    def to_json(self) -> dict[str, object]:
        return {"method": self.method, "path": self.path, "params": list(self.params),
                "status": self.status, "write": self.write, "fault": self.fault,
                "seq": self.seq, "agent": self.agent}
