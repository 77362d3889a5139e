"""The bundle's entry point: Claude Desktop runs it with `uv run`, which installs revox-mcp from the bundle."""

from revox_mcp.__main__ import main

if __name__ == "__main__":
    main()
