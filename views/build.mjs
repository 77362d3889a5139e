// Builds each view into one self-contained HTML document: the bundled script and the stylesheet
// inlined, and a Content-Security-Policy that allows exactly those two (by hash) and no network.
//
//   node build.mjs                 write revox_mcp/views/<name>.html (committed: pip install needs no Node)
//   node build.mjs --check         exit 1 when a committed document differs from a fresh build
//   node build.mjs --out DIR       write the documents to DIR instead (the reproducibility test)
//   node build.mjs --host FILE     bundle the browser tests' host page script (tests/e2e/host/host.js)

import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = resolve(here, "../revox_mcp/views");
const HOST_ENTRY = resolve(here, "../tests/e2e/host/host.js");

// name -> entry; the name is the file name in revox_mcp/views and in the ui:// URI.
export const VIEWS = [
  { name: "calls-triage", entry: "src/triage.ts", title: "Revox calls triage" },
  { name: "config-diff", entry: "src/diff.ts", title: "Revox configuration diff" },
];

const sha256 = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

async function bundle(entry) {
  const result = await esbuild.build({
    entryPoints: [join(here, entry)],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    platform: "browser",
    charset: "utf8",
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text.trimEnd();
}

async function stylesheet() {
  const result = await esbuild.build({
    entryPoints: [join(here, "src/style.css")],
    bundle: true,
    minify: true,
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text.trimEnd();
}

export async function buildView(view, template, style) {
  const script = await bundle(view.entry);
  // The document is parsed as HTML: these would end the inline blocks early.
  if (/<\/script|<!--/i.test(script)) throw new Error(`${view.name}: the script contains </script or <!--`);
  if (/<\/style/i.test(style)) throw new Error("the stylesheet contains </style");
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src data:",
    "font-src data:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const fill = { CSP: csp, TITLE: view.title, STYLE: style, SCRIPT: script };
  return template.replace(/\{\{(CSP|TITLE|STYLE|SCRIPT)\}\}/g, (_, key) => fill[key]);
}

async function buildAll() {
  const template = await readFile(join(here, "src/page.html"), "utf8");
  const style = await stylesheet();
  const built = new Map();
  for (const view of VIEWS) built.set(view.name, await buildView(view, template, style));
  return built;
}

async function buildHost(file) {
  await esbuild.build({
    entryPoints: [HOST_ENTRY],
    bundle: true,
    minify: true, // parsed again by every document the tests load
    format: "iife",
    target: "es2020",
    platform: "browser",
    outfile: resolve(file),
    nodePaths: [join(here, "node_modules")], // the host page's source lives in tests/, its packages here
    logLevel: "warning",
  });
}

async function main(args) {
  if (args[0] === "--host") {
    await buildHost(args[1]);
    return 0;
  }
  const built = await buildAll();
  if (args[0] === "--check") {
    const stale = [];
    for (const [name, html] of built) {
      const committed = await readFile(join(PACKAGE_DIR, `${name}.html`), "utf8").catch(() => null);
      if (committed !== html) stale.push(name);
    }
    if (stale.length) {
      console.error(`Out of date with views/src: ${stale.join(", ")}. Run: npm --prefix views run build`);
      return 1;
    }
    console.log(`${built.size} views match a fresh build`);
    return 0;
  }
  const out = args[0] === "--out" ? resolve(args[1]) : PACKAGE_DIR;
  await mkdir(out, { recursive: true });
  for (const [name, html] of built) {
    await writeFile(join(out, `${name}.html`), html, "utf8");
    console.log(`${join(out, `${name}.html`)}: ${Buffer.byteLength(html, "utf8")} bytes`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
