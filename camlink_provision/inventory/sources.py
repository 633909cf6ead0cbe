"""Inventory sources (``-i``): a directory or a single YAML file, read into one document.

A directory holds, all optional but the first:

    inventory.yml            site:, all: (groups and hosts), and anything a document may hold
    group_vars/<group>.yml   the settings and variables of one group
    group_vars/<group>/*.yml the same, split into files (Ansible's directory form)
    host_vars/<camera>.yml   the settings and variables of one camera
    host_vars/<camera>/*.yml the same, split into files
    links.yml                links: (and anything a document may hold)
    secrets.yml, secrets/    the default secrets source (secrets.py)

and reads as the single document ``inventory.yml`` + ``{group_vars: {<group>: ...}}`` +
``{host_vars: {<camera>: ...}}`` + ``links.yml``, merged in that order. A single file is one
document of the same top-level shape. Several sources merge in the order given.

Every entry of the directory is read or reported, never silently skipped (``_Scan``):

- two files for one thing (``inventory.yml`` and ``inventory.yaml``, ``ptz.yml`` and
  ``ptz.yaml``, ``ptz.yml`` and ``ptz/``) is an error naming both;
- a directory where a file is expected (``links.yml/``) or a file where a directory is
  (``host_vars``), an unreadable file or directory, a symbolic link that loops, dangles or
  leads out of the inventory's directory, a FIFO or device: errors naming the path;
- in ``group_vars/`` and ``host_vars/`` (and their ``NAME/`` directories), anything that is
  not a ``.yml``/``.yaml`` file or a ``NAME/`` directory is an error (Ansible would read
  ``ptz`` and ``ptz.json``; this tool would not, so they must not sit there unread);
- at the top, a YAML file the loader does not read is an error (``link.yml``, a typo, would
  otherwise drop every link), an unknown directory a warning;
- not read, by rule: hidden entries (``.git``, ``.camlink``), editor backups (``*~``),
  examples (``*.example.yml``) and, at the top only, files that are not YAML (``README``,
  ``*.md``), which are documentation.

In the directory form, ``host_vars/NAME/`` files merge in file-name order, as Ansible reads
them; each value keeps the file and line it was written at. A top-level key set in two files
of one directory is an error (Ansible lets the later file win without a word; here nothing
is silently overridden: precedence is between levels, not between files of one level).
"""

from __future__ import annotations

import errno
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory.hints import STRICT, closest
from camlink_provision.inventory.located import LDict, display_path
from camlink_provision.inventory.merge import merge
from camlink_provision.inventory.yamlfile import read_yaml

INVENTORY_FILES = ("inventory.yml", "inventory.yaml")
LINKS_FILES = ("links.yml", "links.yaml")
VARS_DIRS = ("group_vars", "host_vars")
SECRETS_NAMES = ("secrets", "secrets.yml", "secrets.yaml")
YAML_SUFFIXES = (".yml", ".yaml")
EXAMPLE_SUFFIXES = (".example.yml", ".example.yaml")

Kind = Literal["file", "dir"]


def read_sources(sources: Sequence[Path], secrets: Path | None = None
                 ) -> tuple[LDict, list[InventoryError]]:
    """Every source merged, in order, into one document; the problems of its files (errors,
    and warnings about what is not read). ``secrets``: the secrets source in use, which an
    inventory directory may hold."""
    merged = LDict(Location("<inventory>"))
    errors: list[InventoryError] = []
    for source in sources:
        for doc in _documents(source, errors, secrets):
            merged = merge(merged, doc)
    return merged, errors


def _documents(source: Path, errors: list[InventoryError], secrets: Path | None
               ) -> Iterator[LDict]:
    if source.is_dir():
        yield from _Scan(source, errors, secrets).documents()
    elif source.is_file():
        yield from _file_document(source, errors, required=True)
    else:
        errors.append(InventoryError("no such inventory file or directory",
                                     Location(display_path(source), 1, 1),
                                     "check the -i path"))


def _file_document(path: Path, errors: list[InventoryError], required: bool = False
                   ) -> Iterator[LDict]:
    """``required``: the file must declare something (inventory.yml, a -i file): an empty
    or all-comment one is one error naming it, not dozens about what it lacks."""
    data, problems = read_yaml(path)
    errors.extend(problems)
    if data is None:
        if required and not problems:
            errors.append(InventoryError("the inventory file is empty (or only comments)",
                                         Location(display_path(path), 1, 1),
                                         "declare the groups and cameras under all: "
                                         "(see docs/inventory.md)"))
        return
    if isinstance(data, LDict):
        yield data
    else:
        errors.append(InventoryError("an inventory file must be a mapping at its top level",
                                     Location(display_path(path), 1, 1),
                                     "start with site:, all:, group_vars:, host_vars: or "
                                     "links:"))


def _ignored(name: str) -> bool:
    """Not read, by rule, anywhere: hidden entries, editor backups, examples."""
    return name.startswith(".") or name.endswith("~") or name.endswith(EXAMPLE_SUFFIXES)


def _is_yaml(name: str) -> bool:
    return name.endswith(YAML_SUFFIXES)


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if _is_yaml(name) else name


def _where(path: Path) -> Location:
    return Location(display_path(path), 1, 1)


@dataclass
class _Scan:
    """One inventory directory, entry by entry: each is read, or reported."""

    directory: Path
    errors: list[InventoryError]
    secrets: Path | None
    root: Path = field(init=False)
    reported: set[Path] = field(default_factory=set)  # entries _kind reported

    def __post_init__(self) -> None:
        self.root = self.directory.resolve()

    # -- the layout ------------------------------------------------------------------------
    def documents(self) -> Iterator[LDict]:
        entries = self._entries(self.directory)
        if entries is None:
            return
        known = {*INVENTORY_FILES, *LINKS_FILES, *VARS_DIRS, *SECRETS_NAMES}
        main = self._one_file(self.directory, INVENTORY_FILES, entries)
        if main is None and not any(n in entries or self.directory / n in self.reported
                                    for n in INVENTORY_FILES):
            self.errors.append(InventoryError(
                "the inventory directory has no inventory.yml", _where(self.directory),
                "add inventory.yml with the groups and hosts (all:)"))
        elif main is not None:
            yield from _file_document(main, self.errors, required=True)
        for kind in VARS_DIRS:
            if kind in entries:
                yield from self._vars_document(kind, entries[kind])
        links = self._one_file(self.directory, LINKS_FILES, entries)
        if links is not None:
            yield from _file_document(links, self.errors)
        for name in SECRETS_NAMES:
            if name in entries:
                self._secrets_entry(entries[name], name)
        for name, (path, kind) in entries.items():
            if name not in known:
                self._unknown_top(path, kind)

    def _one_file(self, directory: Path, names: Sequence[str],
                  entries: dict[str, tuple[Path, Kind]]) -> Path | None:
        """The one file of ``names`` (``inventory.yml`` or ``inventory.yaml``), if any."""
        present = [entries[n] for n in names if n in entries]
        if len(present) > 1:
            self._ambiguous([p for p, _ in present])
            return None
        if not present:
            return None
        path, kind = present[0]
        if kind == "dir":
            self.errors.append(InventoryError(
                f"{path.name} is a directory, not a file", self._at(path),
                f"make {path.name} a YAML file (a directory of that name is not read)"))
            return None
        return path

    def _ambiguous(self, paths: Sequence[Path]) -> None:
        """Two forms of one thing: ``x.yml``, ``x.yaml``, ``x/``, named in that order."""
        def order(path: Path) -> int:
            return 0 if path.name.endswith(".yml") else 1 if _is_yaml(path.name) else 2

        ordered = sorted(paths, key=order)
        names = " and ".join(self._inside(p) for p in ordered)
        self.errors.append(InventoryError(
            f"two files for one thing: {names}", self._at(ordered[0]),
            "keep one of them (merge their content into it): only one would be read"))

    def _inside(self, path: Path) -> str:
        """``host_vars/ptz-1.yml``: the path within the inventory directory."""
        try:
            shown = path.relative_to(self.directory).as_posix()
        except ValueError:
            shown = path.name
        return shown + "/" if path.is_dir() and not path.is_symlink() else shown

    def _at(self, path: Path) -> Location:
        """Where a problem with a file or directory is reported: a file at its first line, a
        directory by its name."""
        if path.is_dir() and not path.is_symlink():
            return Location(display_path(path) + "/")
        return _where(path)

    def _secrets_entry(self, entry: tuple[Path, Kind], name: str) -> None:
        path, _ = entry
        if self.secrets is not None and _same(path, self.secrets):
            return
        used = display_path(self.secrets) if self.secrets is not None else "none"
        self.errors.append(InventoryError(
            f"{name} is not read: the secrets in use are {used}", _where(path),
            "drop --secrets / $CAMLINK_SECRETS to use it, or move it out of the inventory",
            severity="warning"))

    def _unknown_top(self, path: Path, kind: Kind) -> None:
        if self.secrets is not None and _same(path, self.secrets):
            return
        known = [*INVENTORY_FILES[:1], *LINKS_FILES[:1], *VARS_DIRS]
        near = closest(_stem(path.name), [_stem(n) for n in known], STRICT)
        if kind == "dir":
            self.errors.append(InventoryError(
                f"the directory {path.name}/ is not part of an inventory, and is not read",
                self._at(path), f"did you mean {near}/?" if near in VARS_DIRS else
                "move it out of the inventory directory", severity="warning"))
        elif _is_yaml(path.name):
            target = next((n for n in known if _stem(n) == near), None)
            self.errors.append(InventoryError(
                f"{path.name} is not a file the inventory reads", _where(path),
                f"did you mean {target}?" if target else
                "move its content into inventory.yml, links.yml, group_vars/ or host_vars/, "
                "or rename it NAME.example.yml if it is an example"))
        # Any other file (README, notes.md) is documentation: not read, by rule.

    # -- group_vars/, host_vars/ -----------------------------------------------------------
    def _vars_document(self, kind: str, entry: tuple[Path, Kind]) -> Iterator[LDict]:
        """``group_vars/ptz.yml`` holding ``{...}`` reads as ``{group_vars: {ptz: {...}}}``;
        all files of the directory make one document (merging them one by one would copy
        the growing mapping once per file)."""
        directory, found = entry
        if found != "dir":
            self.errors.append(InventoryError(
                f"{kind} is a file, not a directory", _where(directory),
                f"make {kind}/ a directory of NAME.yml files"))
            return
        entries = self._entries(directory)
        if not entries:
            return
        by_name = LDict(_where(directory))
        groups: dict[str, list[tuple[Path, Kind]]] = {}
        for name, (path, sort) in entries.items():
            if sort == "dir" and _is_yaml(name):
                self.errors.append(InventoryError(
                    f"{kind}/{name} is a directory, not a file", self._at(path),
                    f"name the directory {kind}/{_stem(name)}/ (Ansible's directory form), "
                    f"or make it a file"))
            elif sort == "dir" or _is_yaml(name):
                groups.setdefault(_stem(name), []).append((path, sort))
            else:
                self._not_read(path, f"{kind}/")
        for name in sorted(groups):
            forms = groups[name]
            if len(forms) > 1:
                self._ambiguous([p for p, _ in sorted(forms, key=lambda f: f[0].name)])
                continue
            path, sort = forms[0]
            content = self._vars_directory(path) if sort == "dir" else self._vars_file(path)
            if content is not None:
                by_name.put(name, content, getattr(content, "loc", _where(path)),
                            _where(path))
        if not by_name:
            return
        doc = LDict(by_name.loc)
        doc.put(kind, by_name, by_name.loc, by_name.loc)
        yield doc

    def _not_read(self, path: Path, inside: str) -> None:
        self.errors.append(InventoryError(
            f"{inside}{path.name} is not read: only .yml and .yaml files are", _where(path),
            "rename it NAME.yml, or move it out of the inventory"))

    def _vars_file(self, path: Path) -> Any:
        data, problems = read_yaml(path)
        self.errors.extend(problems)
        if problems:
            return None
        return data if data is not None else LDict(_where(path))

    def _vars_directory(self, directory: Path) -> LDict | None:
        """``host_vars/NAME/*.yml`` merged in file-name order into one level, each value at
        the file and line it is written; a key in two files is an error."""
        entries = self._entries(directory)
        out = LDict(_where(directory))
        if entries is None:
            return None
        inside = f"{directory.parent.name}/{directory.name}/"
        failed = False
        for name in sorted(entries):
            path, sort = entries[name]
            if sort == "dir":
                self.errors.append(InventoryError(
                    f"{inside}{name}/ is a directory inside a directory of variables, and "
                    "is not read", self._at(path), f"move its files up into {inside}"))
                continue
            if not _is_yaml(name):
                self._not_read(path, inside)
                continue
            data = self._vars_file(path)
            if data is None:
                failed = True
                continue
            if not isinstance(data, LDict):
                self.errors.append(InventoryError(
                    f"{inside}{name} must be a mapping of settings and variables",
                    _where(path), "write NAME: value lines"))
                failed = True
                continue
            for key, value in data.items():
                if key in out:
                    first = out.key_where(key)
                    self.errors.append(InventoryError(
                        f"'{key}' is also set in {first.file}:{first.line}",
                        data.key_where(key),
                        f"set it in one file of {inside} (a later file does not override "
                        "an earlier one)"))
                    failed = True
                    continue
                out.put(key, value, data.where(key), data.key_where(key))
        return None if failed else out

    # -- one directory's entries -----------------------------------------------------------
    def _entries(self, directory: Path) -> dict[str, tuple[Path, Kind]] | None:
        """Name -> (path, file or dir) of what may be read; None if the directory cannot be
        listed. What cannot be read is reported here."""
        try:
            names = sorted(p.name for p in directory.iterdir())
        except OSError as exc:
            self.errors.append(InventoryError(
                f"cannot read the directory: {exc.strerror or type(exc).__name__}",
                Location(display_path(directory) + "/"), "check its permissions"))
            return None
        out: dict[str, tuple[Path, Kind]] = {}
        for name in names:
            if _ignored(name):
                continue
            path = directory / name
            kind = self._kind(path)
            if kind is not None:
                out[name] = (path, kind)
        return out

    def _kind(self, path: Path) -> Kind | None:
        """A file or a directory within the inventory; None (reported) for anything else."""
        def report(message: str, hint: str) -> None:
            self.reported.add(path)
            self.errors.append(InventoryError(message, _where(path), hint))

        try:
            if path.is_symlink():
                target = path.resolve(strict=True)
                if not target.is_relative_to(self.root):
                    report("a symbolic link that leads outside the inventory directory",
                           "copy what it points to into the inventory, or point the link "
                           "at a path inside it")
                    return None
            mode = path.stat().st_mode
        except RuntimeError:  # Python before 3.13: "Symlink loop from ..."
            report("a symbolic link that loops", "point the link at a file, or remove it")
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                report("a symbolic link that loops", "point the link at a file, or remove it")
            elif exc.errno == errno.ENOENT:
                report("a symbolic link to nothing", "point the link at a file, or remove it")
            else:
                report(f"cannot read: {exc.strerror or type(exc).__name__}",
                       "check its permissions")
            return None
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISREG(mode):
            return "file"
        report("neither a file nor a directory (a pipe or a device)",
               "replace it with a YAML file, or remove it")
        return None


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False
