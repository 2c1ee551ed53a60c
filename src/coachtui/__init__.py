"""coachtui: follow a refactor-platform coaching session live from a terminal."""

__version__ = "0.1.0"

# The X-Version header the backend expects; one home for the client, the CLI and the devserver.
API_VERSION = "1.0.0-beta1"
