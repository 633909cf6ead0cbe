"""The tracking rules' VCA JSON keys: the camera's, against the profile's.

Keys show only in rules the camera holds, so an empty rule set proves nothing (said so).
Every rule has a name, a type, a field and the event switch; the type's own key
(condition, duration, direction) only in rules of that type, so those three are never
reported missing, only unknown keys are matched to them. For each key the camera lacks, the
unknown key that reads most alike is its candidate (difflib, at least 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming

ALWAYS = ("rule_name", "type", "field", "connect_event")  # handles every rule has
MIN_RATIO = 0.5


@dataclass(frozen=True)
class KeyCheck:
    status: str  # ok | keys differ | not checked
    detail: str
    candidates: dict[str, str] = field(default_factory=dict)  # handle -> the camera's key

    @property
    def blocking(self) -> bool:
        return self.status == "keys differ"


def check_keys(seen: tuple[str, ...], naming: Naming) -> KeyCheck:
    if not seen:
        return KeyCheck("not checked", "the camera holds no rule, so it shows no key")
    spelled = {handle: naming.vca_key_out(key) for handle, key in fw.DEFAULT.vca_keys.items()}
    unknown = sorted(set(seen) - set(spelled.values()))
    missing = [h for h in ALWAYS if spelled[h] not in seen]
    if not missing and not unknown:
        return KeyCheck("ok", f"{len(seen)} key(s), as the profile spells them")
    candidates = {}
    for handle in [*missing, *(h for h in spelled if h not in ALWAYS)]:
        if spelled[handle] in seen:
            continue
        ranked = sorted(unknown, key=lambda k: -SequenceMatcher(None, spelled[handle].lower(),
                                                                k.lower()).ratio())
        if ranked and SequenceMatcher(None, spelled[handle].lower(),
                                      ranked[0].lower()).ratio() >= MIN_RATIO:
            candidates[handle] = ranked[0]
            unknown.remove(ranked[0])
    parts = [f"missing {', '.join(spelled[h] for h in missing)}"] if missing else []
    left = sorted(set(seen) - set(spelled.values()))
    parts += [f"unknown {', '.join(left)}"] if left else []
    found = ", ".join(f"{spelled[h]} -> {k}" for h, k in candidates.items())
    parts += [f"candidates: {found}"] if found else []
    return KeyCheck("keys differ", "; ".join(parts), candidates)
