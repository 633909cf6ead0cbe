"""What the firmware is: models, versions, parameter names and types.

This package is the only place that knows a parameter name or a VCA JSON key; every other
module asks it. [modelled] names (see firmware-contract.md) live in ``profile.py`` so that a
real camera's getparam dump can correct them in one place.
"""
