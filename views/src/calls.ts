// The drill-down: the calls behind a finding (list_calls with the finding's arguments) and one
// call's summary, attempts and transcript (get_call), all fetched through the host's tools/call.
// Everything a call says is quoted content from strangers: shown as text, inside a block marked so.

import type { Child } from "./dom";
import { el, replace, uid } from "./dom";
import { when } from "./format";
import type { HostConnection, ToolResult } from "./protocol";
import type { Obj } from "./read";
import { num, obj, objects, str, strings, tally } from "./read";
import { failure, message, staleNote } from "./view";

const PAGE = 10;

async function call(host: HostConnection, name: string, args: Obj): Promise<ToolResult> {
  try {
    return await host.callTool(name, args);
  } catch (error) {
    return { isError: true, content: [{ type: "text", text: String(error instanceof Error ? error.message : error) }] };
  }
}

/** "list_calls(end_reason=user_rejected, since=...)": the arguments as a person reads them. */
export function callText(tool: string, args: Obj): string {
  const shown = Object.entries(args).map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return `${tool}(${shown.join(", ")})`;
}

function rowFacts(row: Obj): string {
  const talk = num(row.duration_s);
  return [
    str(row.when) ?? "?",
    str(row.direction),
    str(row.status),
    str(row.result),
    str(row.end_reason),
    str(row.ended_by) ? `ended by ${str(row.ended_by)}` : undefined,
    str(row.dial_error) ? `dial error ${str(row.dial_error)}` : undefined,
    talk === undefined ? undefined : `${talk} s`,
    str(row.outcome) ? `outcome ${str(row.outcome)}` : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A list of calls; each opens its detail below the list. */
export function callsPanel(host: HostConnection, args: Obj, examples: string[], note?: string): HTMLElement {
  const list = el("ul", { class: "calls" });
  const status = el("div", { class: "calls-status", "aria-live": "polite" });
  const more = el("div");
  const detail = el("div", { class: "call-detail" });
  // Without a call filter the list is the assistant's recent calls: the finding's own examples
  // come first, each one click away, wherever they fall in that list.
  const pinned = note && examples.length ? el("ul", { class: "calls pinned" }) : null;
  const panel = el(
    "div",
    { class: "calls-panel" },
    el("p", { class: "muted small" }, note ? `${note} ` : "", el("code", null, callText("list_calls", args))),
    pinned ? [el("p", { class: "small" }, "Example calls named by this finding:"), pinned] : null,
    status,
    list,
    more,
    detail,
  );
  const open = (id: string): void => {
    for (const button of panel.querySelectorAll("button.call")) {
      button.setAttribute("aria-current", String((button as HTMLElement).dataset.id === id));
    }
    showCall(host, id, detail).catch((error: unknown) => replace(detail, message("error", `The call could not be shown: ${String(error)}`)));
  };
  const callButton = (row: Obj, id: string): HTMLElement =>
    el(
      "li",
      null,
      el(
        "button",
        { type: "button", class: "call", "data-id": id, click: () => open(id) },
        examples.includes(id) ? el("span", { class: "tag example" }, "example") : null,
        Object.keys(row).length ? el("span", { class: "facts" }, rowFacts(row)) : null,
        el("span", { class: "id" }, id),
      ),
    );
  for (const id of pinned ? examples : []) pinned?.appendChild(callButton({}, id));
  const load = async (cursor?: string): Promise<void> => {
    replace(status, message("note", "Loading calls…"));
    panel.setAttribute("aria-busy", "true");
    const result = await call(host, "list_calls", cursor ? { ...args, cursor } : { ...args, limit: PAGE });
    panel.removeAttribute("aria-busy");
    replace(more);
    if (result.isError) {
      replace(status, failure(result, "list_calls"));
      return;
    }
    const content = obj(result.structuredContent);
    const rows = objects(content.calls);
    for (const row of rows) {
      const id = str(row.id);
      if (id) list.appendChild(callButton(row, id));
    }
    const total = num(content.total);
    const shown = list.children.length;
    replace(
      status,
      staleNote(content),
      shown ? el("p", { class: "small" }, `${shown} of ${total ?? "?"} calls`) : message("note", "No call matches."),
    );
    const next = str(content.next_cursor);
    if (next) {
      replace(more, el("button", { type: "button", class: "more", click: () => void load(next).catch(() => undefined) }, "More calls"));
    }
  };
  load().catch((error: unknown) => replace(status, message("error", `The calls could not be listed: ${String(error)}`)));
  return panel;
}

function attemptLine(attempt: Obj): Child {
  const facts: [string, unknown][] = [
    ["result", attempt.result],
    ["end reason", attempt.end_reason],
    ["ended by", attempt.ended_by],
    ["dial error", attempt.dial_error],
    ["handled by", attempt.handled_by],
  ];
  const talk = num(attempt.duration_s);
  return el(
    "li",
    null,
    el("strong", null, `#${num(attempt.n) ?? "?"}`),
    ` ${when(str(attempt.started)) || "?"} · ${str(attempt.status) ?? "?"} · ${talk === undefined ? "not answered" : `${talk} s`}`,
    el(
      "span",
      { class: "kv" },
      facts.filter(([, value]) => str(value)).map(([name, value]) => el("span", null, `${name} `, el("code", null, String(value)))),
    ),
  );
}

function summaryBlock(summary: Obj): Child[] {
  const head = [str(summary.direction), str(summary.status), summary.created ? `created ${str(summary.created)}` : null]
    .filter(Boolean)
    .join(" · ");
  const facts: Child[] = [];
  const tools = objects(summary.tool_calls);
  if (tools.length) {
    facts.push(
      el(
        "li",
        null,
        "tools: ",
        tools.map((use, index) => [index ? ", " : "", str(use.name) ?? "?", " ", el("span", { class: use.ok ? "ok" : "bad" }, use.ok ? "ok" : "error")]),
      ),
    );
  }
  const latency = tally(summary.latency_ms);
  if (latency.length) facts.push(el("li", null, `latency ms: ${latency.map(([k, v]) => `${k} ${v}`).join(", ")}`));
  const turns = num(summary.agent_turns);
  if (turns !== undefined) facts.push(el("li", null, `interrupted on ${num(summary.interrupted) ?? 0} of ${turns} agent turns`));
  const sms = tally(summary.sms);
  if (sms.length || summary.emails !== undefined) {
    facts.push(el("li", null, `SMS ${sms.map(([k, v]) => `${k} ${v}`).join(", ") || "-"}; emails ${num(summary.emails) ?? 0}`));
  }
  const output = strings(summary.structured_output);
  if (output.length) facts.push(el("li", null, `structured output: ${output.join(", ")}`));
  const variables = strings(summary.prompt_variables);
  if (variables.length) facts.push(el("li", null, `prompt variables: ${variables.join(", ")}`));
  if (summary.recording === true) facts.push(el("li", null, "recording: yes"));
  return [
    el("p", null, head, str(summary.outcome) ? [" · outcome ", el("strong", null, str(summary.outcome))] : null),
    el(
      "p",
      { class: "small" },
      "Assistant: ",
      str(summary.assistant) ?? "?",
      " ",
      el("span", { class: "id" }, str(summary.assistant_id) ?? ""),
      str(summary.campaign) ? ` · campaign: ${str(summary.campaign)}` : "",
    ),
    el("h4", null, "Attempts"),
    el("ol", { class: "attempts" }, objects(summary.attempts).map(attemptLine)),
    facts.length ? el("ul", { class: "facts-list" }, facts) : null,
  ];
}

function turnItem(turn: Obj): HTMLElement {
  const role = str(turn.role) ?? "unknown";
  const tool = str(turn.tool);
  return el(
    "li",
    { class: `turn ${role === "user" || role === "assistant" || role === "tool" ? role : "other"}` },
    el("span", { class: "role" }, role === "tool" ? `tool ${tool ?? ""}${turn.error === true ? " · error" : ""}` : role),
    el("span", { class: "text" }, str(turn.text) ?? ""),
  );
}

async function showCall(host: HostConnection, id: string, into: HTMLElement): Promise<void> {
  const heading = el("h3", { tabindex: "-1", id: uid("call") }, "Call ", el("span", { class: "id" }, id));
  const body = el("div", { "aria-busy": "true" }, message("note", "Loading the call…"));
  replace(into, el("section", { class: "call-view", "aria-labelledby": heading.id }, heading, body));
  heading.focus();
  heading.scrollIntoView({ block: "nearest" });
  const [summaryResult, transcriptResult] = await Promise.all([
    call(host, "get_call", { call_id: id }),
    call(host, "get_call", { call_id: id, detail: "transcript" }),
  ]);
  body.removeAttribute("aria-busy");
  if (summaryResult.isError) {
    replace(body, failure(summaryResult, "get_call"));
    return;
  }
  const summaryContent = obj(summaryResult.structuredContent);
  const summary = obj(summaryContent.summary);
  const note = str(summaryContent.note) ?? str(obj(transcriptResult.structuredContent).note);
  const quoted = el(
    "section",
    { class: "quoted", "aria-label": "Quoted call content" },
    el("p", { class: "quoted-note" }, el("strong", null, "Quoted call content"), note ? ` · ${note.replace(/^Quoted call content:\s*/, "")}` : ""),
  );
  if (str(summary.outcome_summary)) {
    quoted.append(el("h4", null, "Outcome summary"), el("blockquote", null, str(summary.outcome_summary)));
  }
  const outputs = objects(summary.tool_calls).filter((use) => str(use.output));
  if (outputs.length) {
    quoted.append(
      el("h4", null, "Tool outputs"),
      el(
        "ul",
        { class: "tool-outputs" },
        outputs.map((use) =>
          el("li", null, el("span", { class: "role" }, `${str(use.name) ?? "?"} · ${use.ok ? "ok" : "error"}`), el("span", { class: "text" }, str(use.output))),
        ),
      ),
    );
  }
  quoted.append(transcriptBlock(host, id, transcriptResult));
  replace(body, staleNote(summaryContent), summaryBlock(summary), quoted);
}

function transcriptBlock(host: HostConnection, id: string, result: ToolResult): HTMLElement {
  const block = el("div", { class: "transcript" });
  if (result.isError) {
    block.append(failure(result, "The transcript"));
    return block;
  }
  const content = obj(result.structuredContent);
  const turns = el("ol", { class: "turns" });
  const heading = el("h4");
  const more = el("div");
  let shown = 0;
  const add = (part: Obj): void => {
    for (const turn of objects(part.turns)) turns.append(turnItem(turn));
    shown = turns.children.length;
    const total = num(part.total_turns);
    const attempt = num(part.attempt);
    replace(heading, `Transcript${attempt ? ` · attempt #${attempt}` : ""} · ${shown} of ${total ?? shown} turns`);
    const next = num(part.next_offset);
    replace(
      more,
      next === undefined
        ? null
        : el(
            "button",
            {
              type: "button",
              class: "more",
              click: async () => {
                const page = await call(host, "get_call", { call_id: id, detail: "transcript", offset: next });
                if (page.isError) replace(more, failure(page, "More turns"));
                else add(obj(page.structuredContent));
              },
            },
            "More turns",
          ),
    );
  };
  add(content);
  block.append(heading, shown ? turns : message("note", "This attempt has no transcript."), more);
  return block;
}
