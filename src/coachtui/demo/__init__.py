"""The demo's simulated participant: a client of the API, like the app itself (no server code)."""
