"""One camera's parameters: the typed table from the firmware profile and the stored values.

The table is shared by every camera with the same capabilities (a speed dome has some 1,500
parameters; a thousand cameras must not hold a thousand copies). A camera stores only the
values that differ from the table's defaults, plus its identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from camlink_provision.emulator.forms import Pair
from camlink_provision.firmware.profile import (
    ACCOUNT_GROUP,
    NOBODY,
    PRESET_GROUP,
    Capabilities,
    ParamSpec,
    parameter_table,
    profile_table,
)
from camlink_provision.firmware.profile_data import FirmwareProfile

MAX_CACHED_NAMES = 4096


class Readable(NamedTuple):
    """What one getparam name returns at one access level: the parameters' names in
    firmware order, their factory defaults, and each name's position."""

    names: tuple[str, ...]
    defaults: tuple[str, ...]
    position: dict[str, int]


class ParamTable:
    """The parameters of one capability set, in firmware order, with group look-ups."""

    def __init__(self, specs: Mapping[str, ParamSpec]) -> None:
        self.specs = dict(specs)
        self.order = list(self.specs.values())
        self._groups: dict[str, tuple[ParamSpec, ...]] = {}
        self._readable: dict[tuple[str, int], Readable] = {}

    def readable(self, name: str, level: int) -> Readable:
        """``matching(name)`` readable at ``level``, made once per table: every camera of a
        fleet answers the same groups (a getparam of a speed dome's 1,500 parameters took
        half the emulator's CPU in a benchmark of 1,000 cameras, issue 15)."""
        found = self._readable.get((name, level))
        if found is None:
            specs = [s for s in self.matching(name) if readable(s, level)]
            found = Readable(tuple(s.name for s in specs), tuple(s.default for s in specs),
                             {s.name: i for i, s in enumerate(specs)})
            if len(self._readable) < MAX_CACHED_NAMES:
                self._readable[(name, level)] = found
        return found

    def get(self, name: str) -> ParamSpec | None:
        return self.specs.get(name)

    def matching(self, name: str) -> tuple[ParamSpec, ...]:
        """The parameter of that exact name, or else every parameter of the group it names."""
        exact = self.specs.get(name)
        if exact is not None:
            return (exact,)
        cached = self._groups.get(name)
        if cached is None:
            prefix = name + "_"
            cached = tuple(s for s in self.order if s.name.startswith(prefix))
            if len(self._groups) < MAX_CACHED_NAMES:
                self._groups[name] = cached
        return cached


@lru_cache(maxsize=64)
def table_for(caps: Capabilities, prof: FirmwareProfile | None = None) -> ParamTable:
    """``prof``: a firmware profile other than the built-in one (CameraSpec.profile)."""
    return ParamTable(parameter_table(caps) if prof is None else profile_table(caps, prof))


def readable(spec: ParamSpec, level: int) -> bool:
    return spec.get_level <= level and spec.get_level < NOBODY


def writable(spec: ParamSpec, level: int) -> bool:
    return spec.set_level <= level and spec.set_level < NOBODY


class ParamStore:
    """Values over a table. ``base`` holds the camera's identity and factory accounts (never
    persisted: they come from its spec)."""

    def __init__(self, table: ParamTable, base: Mapping[str, str]) -> None:
        self.table = table
        self._base = dict(base)
        self._values: dict[str, str] = {}
        # Every value that is not its table default (``_base``, then ``_values`` over it):
        # a read takes the defaults whole and puts these few in their places.
        self._not_default: dict[str, str] = dict(self._base)

    def value(self, name: str) -> str:
        if name in self._values:
            return self._values[name]
        if name in self._base:
            return self._base[name]
        return self.table.specs[name].default

    def read(self, names: list[str], level: int) -> list[tuple[str, str]] | None:
        """``getparam``: every requested name or group readable at ``level``; None = refused.

        No names means everything readable. Secrets never appear, not even in a group.
        """
        if not names:
            return [(s.name, self.value(s.name)) for s in self.table.order if readable(s, level)]
        out: list[tuple[str, str]] = []
        for name in names:
            found = self.table.readable(name, level)
            if not found.names:
                return None
            values = list(found.defaults)
            changed = self._not_default
            if len(found.names) < len(changed):  # a name or a small group: look each up
                for at, param in enumerate(found.names):
                    value = changed.get(param)
                    if value is not None:
                        values[at] = value
            else:  # a large group: put each changed value in its place
                for param, value in changed.items():
                    place = found.position.get(param)
                    if place is not None:
                        values[place] = value
            out.extend(zip(found.names, values, strict=True))
        return out

    def check_write(self, pairs: list[Pair], level: int) -> dict[str, str] | None:
        """The pairs to store (last value wins) if every one is valid at ``level``, else None.

        Refused whole: one unknown name, bare name, level too low or bad value refuses all.
        """
        wanted: dict[str, str] = {}
        for pair in pairs:
            spec = self.table.get(pair.name)
            if spec is None or pair.value is None or not writable(spec, level):
                return None
            if spec.type.check(pair.value) is not None:
                return None
            wanted[pair.name] = pair.value
        return wanted or None

    def store(self, values: Mapping[str, str]) -> None:
        """Store values already checked (or set by the firmware itself: presets, DO state)."""
        for name, value in values.items():
            spec = self.table.specs[name]
            if value == self._base.get(name, spec.default):
                self._values.pop(name, None)
            else:
                self._values[name] = value
            if name in self._values or name in self._base:
                self._not_default[name] = value
            else:
                self._not_default.pop(name, None)

    def echo(self, names: Iterable[str], level: int) -> list[tuple[str, str]]:
        """What a setparam reply shows: each stored pair readable at ``level``."""
        specs = (self.table.specs[n] for n in names)
        return [(s.name, self.value(s.name)) for s in specs if readable(s, level)]

    def settings(self) -> dict[str, str]:
        """The values that differ from the factory defaults (what persistence keeps)."""
        return dict(self._values)

    def restore(self, saved: Mapping[str, str]) -> None:
        """Load persisted settings, keeping only those this table still accepts.

        Settings are what setparam or preset.cgi may change; identity, capabilities and
        status always come from the camera itself, never from a file.
        """
        for name, value in saved.items():
            spec = self.table.get(name)
            if spec is None or spec.type.check(value) is not None:
                continue
            # Preset and account names are set by their own CGIs, not setparam.
            if spec.set_level < NOBODY or name.startswith((PRESET_GROUP + "_",
                                                           ACCOUNT_GROUP + "_")):
                self.store({name: value})

    def factory_reset(self) -> None:
        self._values.clear()
        self._not_default = dict(self._base)
