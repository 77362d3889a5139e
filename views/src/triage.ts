// The calls triage view, for analyze_calls: the period's series with configuration changes and
// change points marked, the findings (severity, k/n, share, field and value, the other fields the
// fix names with theirs, the fix), and one click from a finding to its calls and from a call to its
// transcript.

import { callsPanel, callText } from "./calls";
import type { Marker } from "./chart";
import { seriesChart } from "./chart";
import type { Child } from "./dom";
import { el, uid } from "./dom";
import { label, percent, ratio, share, time, when } from "./format";
import type { HostConnection } from "./protocol";
import type { Obj } from "./read";
import { isObj, num, obj, objects, str, strings, tally } from "./read";
import { message, startView, staleNote } from "./view";

const SEVERITIES = ["error", "warning", "info"];
// counts' dimensions counted per call; the others are per attempt.
const PER_CALL = new Set(["status", "outcome"]);

/** The severity's word as the server gave it, and its style (an unknown word is shown plain). */
function severity(value: unknown): { word: string; style: string } {
  const word = str(value)?.toLowerCase() ?? "info";
  return { word, style: SEVERITIES.includes(word) ? word : "other" };
}

/** A toggle, and the panel of calls it shows (loaded the first time it opens). */
function drill(host: HostConnection, heading: Child[], args: Obj, examples: string[], note?: string): [HTMLElement, HTMLElement] {
  const panelId = uid("calls");
  const region = el("div", { id: panelId, class: "drill", hidden: true });
  let loaded = false;
  const toggle = el(
    "button",
    {
      type: "button",
      class: "toggle",
      "aria-expanded": "false",
      "aria-controls": panelId,
      click: () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        region.hidden = !open;
        if (open && !loaded) {
          loaded = true;
          region.append(callsPanel(host, args, examples, note));
        }
      },
    },
    heading,
  );
  return [toggle, region];
}

function sideText(side: Obj): string {
  const count = num(side.count);
  const of = num(side.of);
  if (count !== undefined && of !== undefined) return `${ratio(count, of)} (${percent(share(count, of))})`;
  return Object.entries(side)
    .map(([key, value]) => `${label(key)} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(", ");
}

function findingItem(host: HostConnection, finding: Obj, assistantId: string | undefined): HTMLElement {
  const { word, style: level } = severity(finding.severity);
  const count = num(finding.count);
  const of = num(finding.of);
  const findingShare = num(finding.share) ?? (count !== undefined && of !== undefined ? share(count, of) : undefined);
  const field = str(finding.field);
  const examples = strings(finding.examples);
  const related = Object.entries(obj(finding.related)).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  const given = isObj(finding.drill_down) ? finding.drill_down : undefined;
  const args = given ?? (assistantId ? { assistant_id: assistantId } : {});
  const note = given
    ? undefined
    : "This finding names no call filter: the list is the assistant's recent calls, its example calls marked.";
  const head: Child[] = [
    el("span", { class: `sev ${level}` }, word.toUpperCase()),
    count !== undefined ? el("span", { class: "count", title: `${count} of ${of ?? "?"}` }, ratio(count, of)) : null,
    findingShare !== undefined ? el("span", { class: "share" }, percent(findingShare)) : null,
    el("span", { class: "what" }, str(finding.what) ?? str(finding.rule) ?? "finding"),
  ];
  const [toggle, calls] = drill(host, head, args, examples, note);
  return el(
    "li",
    { class: `finding ${level}` },
    toggle,
    el(
      "dl",
      { class: "finding-facts" },
      field
        ? [
            el("dt", null, "Field"),
            el("dd", null, el("code", { class: "field" }, field), " = ", el("code", { class: "value" }, str(finding.value) ?? "—")),
          ]
        : null,
      // The other fields the fix names, with their current values (issue 16: a fix names no field whose value is not shown).
      related.length
        ? [
            el("dt", null, "Now"),
            el(
              "dd",
              { class: "related" },
              related.map(([path, value]) => el("div", null, el("code", { class: "field" }, path), " = ", el("code", { class: "value" }, value))),
            ),
          ]
        : null,
      str(finding.change) ? [el("dt", null, "Fix"), el("dd", { class: "fix" }, str(finding.change))] : null,
      [el("dt", null, "Rule"), el("dd", null, el("code", null, str(finding.rule) ?? "?"))],
      examples.length ? [el("dt", null, "Examples"), el("dd", { class: "id" }, examples.join(", "))] : null,
    ),
    calls,
  );
}

function changePointItem(host: HostConnection, point: Obj, tag: string, assistantId: string | undefined): HTMLElement {
  const before = obj(point.before);
  const after = obj(point.after);
  const cause = obj(point.cause);
  const given = isObj(point.drill_down) ? point.drill_down : undefined;
  const head: Child[] = [
    el("span", { class: "sev change" }, `CHANGE ${tag}`),
    el("span", { class: "what" }, el("code", null, str(point.metric) ?? "?"), str(point.kind) ? ` (${str(point.kind)})` : "", ` from ${when(str(point.at)) || "?"}`),
  ];
  const [toggle, calls] = drill(
    host,
    head,
    given ?? (assistantId ? { assistant_id: assistantId } : {}),
    [],
    given ? undefined : "This change point names no call filter: the list is the assistant's recent calls.",
  );
  return el(
    "li",
    { class: "finding change" },
    toggle,
    el(
      "dl",
      { class: "finding-facts" },
      el("dt", null, "Before"),
      el("dd", null, sideText(before)),
      el("dt", null, "After"),
      el("dd", null, sideText(after)),
      str(point.significance) || num(point.p_value) !== undefined
        ? [el("dt", null, "Evidence"), el("dd", null, str(point.significance) ?? `p = ${num(point.p_value)}`, str(point.test) ? ` · ${str(point.test)}` : "")]
        : null,
      Object.keys(cause).length
        ? [
            el("dt", null, "Cause"),
            el("dd", null, `${str(cause.kind) ?? "change"} at ${when(str(cause.at)) || "?"}`, strings(cause.fields).length ? ` (fields: ${strings(cause.fields).join(", ")})` : ""),
          ]
        : null,
    ),
    calls,
  );
}

function markersOf(changes: Obj[], points: Obj[]): Marker[] {
  const markers: Marker[] = [];
  changes.forEach((change, index) => {
    const at = time(change.at);
    if (at !== undefined) {
      markers.push({ at, kind: "config", tag: `C${index + 1}`, text: `C${index + 1}: ${str(change.summary) ?? str(change.kind) ?? "change"} at ${when(str(change.at))}` });
    }
  });
  points.forEach((point, index) => {
    const at = time(point.at);
    if (at !== undefined) {
      markers.push({ at, kind: "change", tag: `P${index + 1}`, text: `P${index + 1}: ${str(point.metric) ?? "change"} from ${when(str(point.at))}` });
    }
  });
  return markers;
}

function timeSection(content: Obj, changes: Obj[], points: Obj[]): Child {
  const series = objects(content.series);
  if (!series.length) return null;
  const chart = seriesChart(series, obj(content.period), markersOf(changes, points));
  if (!chart) return null;
  return el(
    "section",
    { "aria-labelledby": "over-time" },
    el("h2", { id: "over-time" }, "Over time"),
    chart,
    changes.length
      ? el(
          "ul",
          { class: "markers" },
          changes.map((change, index) =>
            el(
              "li",
              null,
              el("span", { class: "marker-key config" }, `C${index + 1}`),
              ` ${when(str(change.at)) || "?"} · ${str(change.summary) ?? str(change.kind) ?? "configuration change"}`,
              strings(change.fields).length ? ` (fields: ${strings(change.fields).join(", ")})` : "",
              str(change.source) ? el("span", { class: "muted" }, ` · seen in ${str(change.source)}`) : "",
            ),
          ),
        )
      : null,
  );
}

function countsSection(content: Obj): Child {
  const counts = Object.entries(obj(content.counts)).filter(([, value]) => tally(value).length);
  const metrics = Object.entries(obj(content.metrics)).filter(([, value]) => typeof value === "number" || typeof value === "string");
  if (!counts.length && !metrics.length) return null;
  const calls = num(content.calls);
  const attempts = num(content.attempts);
  return el(
    "section",
    { "aria-labelledby": "what-calls-did" },
    el("h2", { id: "what-calls-did" }, "What the calls did"),
    el(
      "div",
      { class: "counts" },
      counts.map(([dimension, value]) => {
        const of = PER_CALL.has(dimension) ? calls : attempts;
        return el(
          "div",
          { class: "count-group" },
          el("h3", null, label(dimension), el("span", { class: "muted" }, PER_CALL.has(dimension) ? " per call" : " per attempt")),
          el(
            "ul",
            { class: "bars" },
            tally(value).map(([key, count]) => {
              const bar = el("span", { class: "bar", "aria-hidden": "true" });
              bar.style.width = `${Math.round(100 * Math.min(1, count / Math.max(1, of ?? count)))}%`;
              return el("li", null, el("span", { class: "bar-label" }, key), el("span", { class: "bar-track" }, bar), el("span", { class: "bar-value" }, of !== undefined ? `${count} of ${of}` : String(count)));
            }),
          ),
        );
      }),
    ),
    metrics.length
      ? el(
          "dl",
          { class: "metrics" },
          metrics.map(([key, value]) => el("div", null, el("dt", null, label(key)), el("dd", null, String(value)))),
        )
      : null,
  );
}

function header(content: Obj): Child[] {
  const id = str(content.assistant_id);
  const period = obj(content.period);
  const calls = num(content.calls) ?? num(period.calls);
  const total = num(content.total);
  const attempts = num(content.attempts);
  const span =
    str(period.since) || str(period.until)
      ? `${when(str(period.since)) || "?"} to ${when(str(period.until)) || "?"}`
      : str(content.span);
  const facts = [
    calls !== undefined ? `${calls} calls${total !== undefined && total !== calls ? ` of ${total}` : ""}` : null,
    attempts !== undefined ? `${attempts} attempts` : null,
    span,
  ].filter(Boolean);
  return [
    el("h1", null, str(content.name) ?? id ?? "Calls"),
    id ? el("p", { class: "id" }, id) : null,
    facts.length ? el("p", { class: "summary" }, facts.join(" · ")) : null,
    period.complete === false || str(period.note) ? message("note", str(period.note) ?? "The period was not fetched in full.") : null,
    staleNote(content),
    strings(content.notes).map((note) => message("note", note)),
  ];
}

function render(content: Obj, _result: unknown, host: HostConnection): Child {
  const assistantId = str(content.assistant_id);
  const changes = objects(content.config_changes);
  const points = objects(content.change_points);
  const findings = objects(content.findings);
  return [
    header(content),
    timeSection(content, changes, points),
    points.length
      ? el(
          "section",
          { "aria-labelledby": "change-points" },
          el("h2", { id: "change-points" }, "When it changed"),
          el("ul", { class: "findings" }, points.map((point, index) => changePointItem(host, point, `P${index + 1}`, assistantId))),
        )
      : null,
    el(
      "section",
      { "aria-labelledby": "findings" },
      el("h2", { id: "findings" }, `Findings (${findings.length})`),
      findings.length
        ? [
            el("p", { class: "muted small" }, "Open a finding to list its calls; open a call for its summary and transcript."),
            el("ul", { class: "findings" }, findings.map((finding) => findingItem(host, finding, assistantId))),
          ]
        : message("note", "No finding: nothing in these calls points at a configuration field."),
    ),
    countsSection(content),
    assistantId
      ? el("p", { class: "muted small" }, "All calls: ", el("code", null, callText("list_calls", { assistant_id: assistantId })))
      : null,
  ];
}

startView("revox-mcp calls triage", render);
