"""The supported-model catalogue of the vendor guide (section 2).

Capability counts beyond "PTZ or fixed" are [modelled]: VIVOTEK publishes them per model in
datasheets we do not have here, so the defaults below are the common values (one DI, one DO,
eight VI, 256 presets on a speed dome, 10 event slots).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    category: str
    ptz: bool
    available: bool = True
    npreset: int = 0
    ndi: int = 1
    ndo: int = 1
    nvi: int = 8
    nevent: int = 10
    npeer: int = 3

    @property
    def short_name(self) -> str:
        """What the firmware version string starts with: ``SD9384-EHL`` -> ``SD9384``."""
        return self.name.split("-")[0]


def _fixed(category: str, names: str) -> list[ModelInfo]:
    out = []
    for raw in names.split(","):
        name = raw.strip()
        later = name.endswith("*")
        out.append(ModelInfo(name=name.rstrip("*"), category=category, ptz=False,
                             available=not later))
    return out


_CATALOGUE: list[ModelInfo] = [
    *_fixed("Box Camera", "IP9165-HT-v2, IP9165-LPC-v2, IP9165-LPR-v2, IP9181-HT-v2*, "
            "IP9181-LPC-v2*, IP9191-HT-v2*, IP9191-LPC-v2*"),
    *_fixed("Bullet Camera", "IB9365-EHT-v2, IB9367-EHT-v2, IB9369, IB9389-EH-v2, "
            "IB9389-EHT-v2, IB9391-EHT-v2, IB9387-LPR-v2*"),
    *_fixed("Fixed Dome Camera", "FD9167-HT-v2, FD9365-EHTV-v2, FD9367-EHTV-v2, FD9369, "
            "FD9189-H-v2, FD9189-HT-v2, FD9389-EHV-v2, FD9389-EHTV-v2, FD9391-EHTV-v2, "
            "IT9389-H-v2, CD9381-HNTV, CD9381-HNVF2"),
    *_fixed("180° Camera", "MS9390-HV-v2*"),
    *_fixed("360° Camera", "FE9382-EHV-v2, FE9191-H-v2*, FE9391-EHV-v2"),
    *_fixed("Multi-Sensor Camera", "MA9322-EHTVL"),
    *_fixed("Mobile Dome Camera", "MD9582-H, MD9584-H"),
    *_fixed("Split-type Camera System", "VC9101"),
    *[ModelInfo(name=n, category="Speed Dome Camera", ptz=True, npreset=256)
      for n in ("SD9161-H-v2", "SD9368-EHL", "SD9384-EHL")],
]

MODELS: dict[str, ModelInfo] = {m.name: m for m in _CATALOGUE}
# The guide lists kits as separate rows; they are the same camera for provisioning.
ALIASES: dict[str, str] = {
    "IP9165-LPR-v2 Kit": "IP9165-LPR-v2",
    "IP9181-LPC-v2 (Kit)": "IP9181-LPC-v2",
}

MIN_CAMERA_LINK_MAJOR = 2103


def lookup(name: str) -> ModelInfo | None:
    """The catalogue entry for a model name (case-insensitive), or None if unsupported."""
    name = ALIASES.get(name, name)
    if name in MODELS:
        return MODELS[name]
    folded = {k.lower(): v for k, v in MODELS.items()}
    return folded.get(name.lower())


def ptz_models() -> list[str]:
    return sorted(m.name for m in MODELS.values() if m.ptz and m.available)


def fixed_models() -> list[str]:
    return sorted(m.name for m in MODELS.values() if not m.ptz and m.available)
