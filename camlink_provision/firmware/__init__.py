"""What the firmware is: models, versions, parameter names and types.

This package is the only place that knows a parameter name or a VCA JSON key; every other
module asks it. [modelled] names (see firmware-contract.md) are data, ``profile.yml``, read
by ``profile_data.py`` and interpreted by ``profile.py``; a real camera that spells them
otherwise is corrected by an override file (read by ``override.py``, chosen per camera by
``choice.py``, spoken at the wire by ``naming.py``), never by editing code:
docs/new-firmware.md.
"""
