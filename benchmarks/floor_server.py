"""The floor: the same SDK serving one no-op tool over stdio, nothing else imported."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer


def build() -> MCPServer:
    server = MCPServer("floor", log_level="WARNING")

    @server.tool()
    def noop() -> str:
        """Do nothing."""
        return "ok"

    return server


if __name__ == "__main__":
    build().run("stdio")
