"""coachtui: follow a refactor-platform coaching session live from a terminal."""

__version__ = "0.1.0"
