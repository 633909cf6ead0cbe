"""camlink-provision: VIVOTEK Camera Link deployments as code.

The version has one source, the package metadata (``version`` in pyproject.toml): this is
what ``--version`` shows and what plan files and the journal record.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("camlink-provision")
except PackageNotFoundError:  # a bare checkout on sys.path, never installed
    __version__ = "0+unknown"
