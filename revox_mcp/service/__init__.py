"""The read operations the MCP edge exposes, over the cached client: output models and their text."""
