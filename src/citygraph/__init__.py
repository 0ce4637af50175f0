"""citygraph: a knowledge graph of cities' international relationships."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("citygraph")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
