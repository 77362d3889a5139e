"""Build the Claude Desktop bundle: ``python bundle/build.py`` -> ``dist/revox-mcp-<version>.mcpb``.

``--smoke`` then unpacks it and starts it with ``uv run``, as Claude Desktop does (CI runs that).

Stages the package, its pyproject and README with ``bundle/manifest.json`` (its ``version`` and ``tools``
filled from the package itself, so they cannot drift), then validates and packs it with the official
``@anthropic-ai/mcpb`` CLI (through npx; needs Node and npm). The bundle uses the ``uv`` server type:
Claude Desktop provides Python and installs the dependencies, so pydantic's compiled parts need no
bundling.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MCPB = ["npx", "--yes", "@anthropic-ai/mcpb@2.1.2"]
STAGE = ROOT / "dist" / "bundle"


def tools() -> list[dict[str, str]]:
    """Name and description of every tool, as tools/list gives them (demo data, in-process)."""
    import anyio
    from mcp import Client

    from revox_mcp.server.app import build_server
    from revox_mcp.settings import load_settings

    server = build_server(load_settings({}, demo=True))

    async def listed() -> list[dict[str, str]]:
        async with Client(server) as client:
            return [{"name": t.name, "description": t.description or ""} for t in (await client.list_tools()).tools]

    return anyio.run(listed)


def manifest() -> dict[str, Any]:
    """bundle/manifest.json with the package's version and tools."""
    from revox_mcp import __version__

    data: dict[str, Any] = json.loads((ROOT / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    return {**data, "version": __version__, "tools": tools()}


def stage() -> Path:
    """dist/bundle/: manifest.json, pyproject.toml, README.md, revox_mcp/, server/main.py."""
    shutil.rmtree(STAGE, ignore_errors=True)
    (STAGE / "server").mkdir(parents=True)
    shutil.copytree(ROOT / "revox_mcp", STAGE / "revox_mcp", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, STAGE / name)
    shutil.copy2(ROOT / "bundle" / "main.py", STAGE / "server" / "main.py")
    (STAGE / "manifest.json").write_text(json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return STAGE


def smoke(bundle: Path) -> int:
    """Unpack the bundle and start it as Claude Desktop would (``uv run`` in the unpacked folder), with the
    demo toggle on: revox_status must answer. Needs ``uv`` on PATH; uv fetches the dependencies from PyPI."""
    import os
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory() as unpacked:
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(unpacked)
        config = json.loads((Path(unpacked) / "manifest.json").read_text(encoding="utf-8"))["server"]["mcp_config"]
        args = [arg.replace("${__dirname}", unpacked) for arg in config["args"]]
        env = {**os.environ, "REVOX_MCP_DEMO": "true", "REVOX_API_KEY": ""}
        env.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")  # uv ignores pip's cert setting
        command = [config["command"], *args, "call", "revox_status"]
        print("$", " ".join(command), flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    if done.returncode != 0 or "demo: yes" not in done.stdout:
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
        return 1
    print("the unpacked bundle starts and answers revox_status (demo)")
    return 0


def main() -> int:
    from revox_mcp import __version__

    staged = stage()
    output = ROOT / "dist" / f"revox-mcp-{__version__}.mcpb"
    for command in (
        [*MCPB, "validate", str(staged / "manifest.json")],
        [*MCPB, "pack", str(staged), str(output)],
        [*MCPB, "info", str(output)],
    ):
        print("$", " ".join(command), flush=True)
        if subprocess.run(command, check=False).returncode != 0:  # noqa: S603  # fixed argv, no shell
            return 1
    print(f"built {output.relative_to(ROOT)}")
    return smoke(output) if "--smoke" in sys.argv[1:] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
