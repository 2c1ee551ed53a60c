"""Live engine: SSE connection, typed events, routing, the session model. Never imports Textual."""
