// One interop run of a TypeScript MCP client against `revox-mcp --demo`, generic over the tools it lists.
//   node ts_client.mjs v1|v2 stdio|http legacy|modern <python> | <url>
// Prints one JSON line: {client, version, transport, era, checks: [{name, ok, detail}]}.
import { readFileSync } from "node:fs";

const [sdk, transportKind, era, target] = process.argv.slice(2);
const pkgName = sdk === "v1" ? "@modelcontextprotocol/sdk" : "@modelcontextprotocol/client";
const pkgJson = new URL(`./node_modules/${pkgName}/package.json`, import.meta.url);
const pkgVersion = JSON.parse(readFileSync(pkgJson, "utf8")).version;

async function load() {
  if (sdk === "v1") {
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    return { Client, StdioClientTransport, StreamableHTTPClientTransport };
  }
  const { Client, StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
  const { StdioClientTransport } = await import("@modelcontextprotocol/client/stdio");
  return { Client, StdioClientTransport, StreamableHTTPClientTransport };
}

const checks = [];
function check(name, ok, detail = "") {
  checks.push({ name, ok: Boolean(ok), detail: String(detail).slice(0, 300) });
}
const textOf = (result) => (result.content || []).filter((b) => b.type === "text").map((b) => b.text).join("\n");

// Valid arguments for a tool from its input schema: ids from the matching list tool, nothing else.
function argumentsFor(tool, ids) {
  const args = {};
  const props = tool.inputSchema.properties || {};
  for (const name of tool.inputSchema.required || []) {
    const kind = name.replace(/_id(_[a-z])?$/, "");
    const pool = ids[kind];
    if (!pool || pool.length === 0) return null;
    args[name] = name.endsWith("_b") && pool.length > 1 ? pool[1] : pool[0];
  }
  if ("fields" in props && tool.name === "get_assistant") args.fields = ["prompt"];
  return args;
}

async function main() {
  const { Client, StdioClientTransport, StreamableHTTPClientTransport } = await load();
  const options = sdk === "v2" && era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {};
  const client = new Client({ name: `interop-ts-${sdk}`, version: "1.0.0" }, options);
  const transport =
    transportKind === "stdio"
      ? new StdioClientTransport({ command: target, args: ["-m", "revox_mcp", "--demo"], stderr: "ignore" })
      : new StreamableHTTPClientTransport(new URL(target));
  let negotiated = "";
  const setVersion = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (version) => {
    negotiated = version; // v1 tells the transport what initialize agreed on, stdio included
    setVersion?.(version);
  };
  await client.connect(transport);
  negotiated = client.getNegotiatedProtocolVersion?.() ?? negotiated;
  check("protocol era", era === "modern" ? negotiated === "2026-07-28" : negotiated === "2025-11-25", negotiated);

  const { tools } = await client.listTools();
  check("tools/list", tools.length >= 5, tools.map((t) => t.name).join(","));
  for (const tool of tools) {
    const schema = tool.inputSchema;
    check(`${tool.name} schema closed`, schema.additionalProperties === false, JSON.stringify(schema).slice(0, 120));
  }

  // Ids for *_id parameters, taken from each list_<kind>s tool's structured content.
  const ids = {};
  for (const tool of tools.filter((t) => /^list_[a-z_]+s$/.test(t.name))) {
    const kind = tool.name.slice(5, -1);
    const listed = await client.callTool({ name: tool.name, arguments: {} });
    const values = Object.values(listed.structuredContent || {}).find((v) => Array.isArray(v)) || [];
    ids[kind] = values.map((item) => item && item.id).filter(Boolean);
  }

  for (const tool of tools) {
    const args = argumentsFor(tool, ids);
    if (args === null) {
      check(`call ${tool.name}`, false, "no valid arguments known for its required parameters");
      continue;
    }
    try {
      // Both SDKs validate structuredContent against the tool's outputSchema here (ajv).
      const result = await client.callTool({ name: tool.name, arguments: args });
      const ok = !result.isError && textOf(result).length > 0 && (!tool.outputSchema || result.structuredContent);
      check(`call ${tool.name}`, ok, result.isError ? textOf(result) : Object.keys(result.structuredContent || {}));
      if (tool.name === "get_assistant") checkModelFacing(result);
    } catch (error) {
      check(`call ${tool.name}`, false, error.message);
    }
  }

  const strictCall = await client.callTool({
    name: "list_assistants",
    arguments: { query: null, limit: null, cursor: null },
  });
  check("strict-mode nulls accepted", !strictCall.isError, textOf(strictCall).split("\n")[0]);
  const unknown = await client.callTool({ name: "list_assistants", arguments: { qurey: "x" } });
  check("unknown argument refused", unknown.isError === true && /query/.test(textOf(unknown)), textOf(unknown));

  const { resources } = await client.listResources();
  check("resources/list", resources.some((r) => r.uri === "revox://assistants"), resources.map((r) => r.uri));
  const index = await client.readResource({ uri: "revox://assistants" });
  check("resources/read index", JSON.parse(index.contents[0].text).total > 0, index.contents[0].mimeType);
  const { resourceTemplates } = await client.listResourceTemplates();
  const template = resourceTemplates.find((t) => t.uriTemplate === "revox://assistants/{assistant_id}");
  check("resources/templates/list", Boolean(template), resourceTemplates.map((t) => t.uriTemplate));
  const one = await client.readResource({ uri: `revox://assistants/${ids.assistant[0]}` });
  check("resources/read template", JSON.parse(one.contents[0].text).id === ids.assistant[0], one.contents[0].uri);
  const completion = await client.complete({
    ref: { type: "ref/resource", uri: "revox://assistants/{assistant_id}" },
    argument: { name: "assistant_id", value: ids.assistant[0].slice(0, 4) },
  });
  check("completion/complete", completion.completion.values.includes(ids.assistant[0]), completion.completion.values);
  const { prompts } = await client.listPrompts();
  check("prompts/list", prompts.some((p) => p.name === "troubleshoot_assistant"), prompts.map((p) => p.name));
  const prompt = await client.getPrompt({
    name: "troubleshoot_assistant",
    arguments: { assistant_id: ids.assistant[0], symptom: "hangs up early" },
  });
  check("prompts/get", prompt.messages[0].content.text.includes(ids.assistant[0]), prompt.messages.length);
  await client.close();
}

// What a model sees of get_assistant(fields=["prompt"]): the value, in structured content and in the text.
function checkModelFacing(result) {
  const structured = result.structuredContent || {};
  const text = textOf(result);
  if (structured.config && typeof structured.config.prompt === "string") {
    const value = structured.config.prompt;
    // The text renders the prompt as an indented block: each of its first lines must be there.
    const lines = value.slice(0, 120).split("\n").slice(0, -1).map((line) => line.trim()).filter(Boolean);
    check("model-facing data (structured)", value.length > 20 && lines.every((line) => text.includes(line)), value.slice(0, 60));
  } else {
    check("model-facing data (structured)", false, JSON.stringify(structured).slice(0, 200));
  }
}

try {
  await main();
} catch (error) {
  check("session", false, error.stack || error.message);
}
const label = sdk === "v1" ? "TypeScript SDK 1.x" : "TypeScript client 2.x";
process.stdout.write(
  JSON.stringify({
    client: label,
    version: pkgVersion,
    transport: transportKind === "http" ? "streamable HTTP" : "stdio",
    era: era === "modern" ? "2026-07-28" : "2025-11-25",
    checks,
  }) + "\n",
);
process.exit(0);
