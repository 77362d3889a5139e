"""revox-mcp: a read-only MCP server for Revox voice assistants."""

__version__ = "0.1.0"
