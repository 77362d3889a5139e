// The configuration diff view, for compare_assistants (and an assistant's version history): one
// row per changed path with A and B side by side, and long texts (prompts) as a line diff read
// from the unified diff the structured content carries.

import type { Child } from "./dom";
import { el } from "./dom";
import { valueText, when } from "./format";
import type { Obj } from "./read";
import { isObj, list, num, obj, objects, str, strings } from "./read";
import { message, startView, staleNote } from "./view";

type LineKind = "a" | "b" | "both" | "hunk" | "note";

interface DiffLine {
  kind: LineKind;
  text: string;
}

/** The lines of a unified diff (A -> B), its file headers dropped. */
export function diffLines(diff: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const line of diff.split("\n")) {
    if (line.startsWith("--- ") || line.startsWith("+++ ")) continue;
    if (line.startsWith("@@")) lines.push({ kind: "hunk", text: hunkText(line) });
    else if (line.startsWith("-")) lines.push({ kind: "a", text: line.slice(1) });
    else if (line.startsWith("+")) lines.push({ kind: "b", text: line.slice(1) });
    else if (line.startsWith(" ")) lines.push({ kind: "both", text: line.slice(1) });
    else if (line !== "") lines.push({ kind: "note", text: line });
  }
  return lines;
}

function hunkText(line: string): string {
  const match = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
  if (!match) return line;
  const range = (start: string, count: string | undefined): string => {
    const n = count === undefined ? 1 : Number(count);
    return n <= 1 ? `line ${start}` : `lines ${start}–${Number(start) + n - 1}`;
  };
  return `A ${range(match[1], match[2])} · B ${range(match[3], match[4])}`;
}

const GUTTER: Record<LineKind, string> = { a: "A −", b: "B +", both: "", hunk: "", note: "" };

function lineDiff(diff: string): HTMLElement {
  return el(
    "ol",
    { class: "line-diff", "aria-label": "Line diff, A to B" },
    diffLines(diff).map((line) =>
      el(
        "li",
        { class: `dline ${line.kind}` },
        el("span", { class: "gutter" }, GUTTER[line.kind]),
        el("span", { class: "text" }, line.text === "" ? " " : line.text),
      ),
    ),
  );
}

function valueCell(side: "A" | "B", present: boolean, value: unknown): HTMLElement {
  if (!present) return el("td", { class: "side absent", "data-side": side }, el("span", { class: "muted" }, "(absent)"));
  if (value === null) return el("td", { class: "side", "data-side": side }, el("span", { class: "null" }, "null"));
  return el("td", { class: "side", "data-side": side }, el("pre", { class: "value" }, valueText(value)));
}

const KIND_WORDS: Record<string, string> = { changed: "changed", removed: "only in A", added: "only in B" };

function changeRows(change: Obj): HTMLElement[] {
  const kind = str(change.kind) ?? "changed";
  const path = str(change.path) ?? "?";
  const rows = [
    el(
      "tr",
      { class: `change ${kind}` },
      el("th", { scope: "row", class: "path" }, el("code", null, path), " ", el("span", { class: `kind ${kind}` }, KIND_WORDS[kind] ?? kind)),
      valueCell("A", kind !== "added" || "a" in change, change.a),
      valueCell("B", kind !== "removed" || "b" in change, change.b),
    ),
  ];
  const diff = str(change.diff);
  if (diff) {
    rows.push(el("tr", { class: "diff-row" }, el("td", { colspan: "3" }, lineDiff(diff))));
  }
  return rows;
}

function sideName(side: Obj, fallback: string, withId = true): Child {
  const name = str(side.name);
  const id = str(side.id);
  const at = str(side.at) ?? str(side.version);
  return [name ?? id ?? fallback, withId && name && id ? el("span", { class: "id" }, ` ${id}`) : null, at ? ` · ${when(at)}` : null];
}

export function changesTable(changes: Obj[], a: Obj, b: Obj): HTMLElement {
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { class: "changes" },
      el(
        "thead",
        null,
        el("tr", null, el("th", { scope: "col" }, "Path"), el("th", { scope: "col" }, "A · ", sideName(a, "A", false)), el("th", { scope: "col" }, "B · ", sideName(b, "B", false))),
      ),
      el("tbody", null, changes.map(changeRows)),
    ),
  );
}

const DATED: Record<string, string> = { updated_at: "its updated_at", seen: "first seen by the server" };

/** One stored version: when, what changed, and its diff from the version before it (A) to it (B). */
function versionBlock(version: Obj, number: number): HTMLElement {
  const at = str(version.at);
  const changes = objects(version.changes);
  const summary = str(version.summary) ?? "";
  return el(
    "section",
    { class: "version", "aria-label": `Version ${number}` },
    el(
      "h2",
      null,
      `V${number}`,
      at ? ` · ${when(at)}` : null,
      el("span", { class: "muted small" }, ` (${DATED[str(version.dated) ?? ""] ?? "seen"})`),
    ),
    el("p", { class: "summary" }, summary),
    version.diff_cut ? message("note", "Diffs shortened to fit: ask for fewer versions to see them whole.") : null,
    changes.length ? changesTable(changes, { name: "before" }, { name: `V${number}` }) : null,
  );
}

/** An assistant's history (assistant_history): the versions the server stored, then the changes seen in calls. */
function renderHistory(content: Obj): Child {
  const versions = objects(content.versions);
  const store = obj(content.store);
  const total = num(content.total_versions) ?? versions.length;
  const calls = isObj(content.calls) ? content.calls : null;
  const seen = objects(content.call_changes);
  const name = str(content.name);
  return [
    el("h1", null, "Configuration history"),
    el("p", null, name ?? "", el("span", { class: "id" }, ` ${str(content.assistant_id) ?? ""}`)),
    str(store.state) !== "ok" && str(store.reason) ? message("note", `Store ${str(store.kind) ?? ""}: ${str(store.reason)}`) : null,
    staleNote(content),
    strings(content.notes).map((note) => message("note", note)),
    el("h2", null, `Stored versions: ${versions.length} of ${total}`, el("span", { class: "muted small" }, ` (${str(store.kind) ?? "?"})`)),
    versions.length
      ? versions.map((version, index) => versionBlock(version, index + 1))
      : message("note", "No version stored yet."),
    calls
      ? [
          el(
            "h2",
            null,
            "Changes seen in calls",
            el("span", { class: "muted small" }, ` (${num(calls.calls) ?? 0} calls from ${when(str(calls.since) ?? "")} to ${when(str(calls.until) ?? "")})`),
          ),
          seen.length
            ? el(
                "ul",
                { class: "call-changes" },
                seen.map((change) =>
                  el(
                    "li",
                    null,
                    el("span", { class: "when" }, when(str(change.at) ?? "")),
                    " ",
                    el("span", { class: `kind ${str(change.kind) ?? ""}` }, str(change.kind) ?? ""),
                    " ",
                    str(change.summary) ?? "",
                    str(change.first_call) ? el("span", { class: "id" }, ` first call ${str(change.first_call)}`) : null,
                  ),
                ),
              )
            : message("note", "No change seen in the calls."),
        ]
      : null,
  ];
}

function render(content: Obj): Child {
  if (Array.isArray(content.versions)) return renderHistory(content);
  // compare_assistants nests its answer under "comparison"; a version history may not.
  const comparison = isObj(content.comparison) ? content.comparison : content;
  const a = obj(comparison.a ?? comparison.from);
  const b = obj(comparison.b ?? comparison.to);
  const changes = objects(comparison.changes);
  const identical = num(comparison.identical_fields);
  const ignored = strings(comparison.ignored);
  const counts = changes.reduce<Record<string, number>>((tally, change) => {
    const kind = str(change.kind) ?? "changed";
    tally[kind] = (tally[kind] ?? 0) + 1;
    return tally;
  }, {});
  return [
    el("h1", null, "Configuration diff"),
    el(
      "dl",
      { class: "sides" },
      el("dt", null, "A"),
      el("dd", null, sideName(a, "A")),
      el("dt", null, "B"),
      el("dd", null, sideName(b, "B")),
    ),
    el(
      "p",
      { class: "summary" },
      [
        `${changes.length} differences`,
        ...Object.entries(counts).map(([kind, n]) => `${n} ${KIND_WORDS[kind] ?? kind}`),
        identical !== undefined ? `${identical} fields identical` : null,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    ignored.length ? el("p", { class: "muted small" }, `Not compared: ${ignored.join(", ")}`) : null,
    staleNote(content),
    list(content.notes).length ? strings(content.notes).map((note) => message("note", note)) : null,
    changes.length ? changesTable(changes, a, b) : message("note", "No difference: the two configurations are the same."),
  ];
}

startView("revox-mcp configuration diff", render);
