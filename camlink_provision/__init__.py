"""camlink-provision: VIVOTEK Camera Link deployments as code."""

__version__ = "0.1.0"
