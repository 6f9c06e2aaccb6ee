"""gigawatch: an SQL-first monitor of news about AI infrastructure."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gigawatch")  # pyproject.toml's, the one place it is written
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
