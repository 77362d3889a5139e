"""The MCP edge: the only package that imports mcp."""
