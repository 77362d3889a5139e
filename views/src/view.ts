// What both views share: connecting to the host, following its theme, and turning a tool result
// into a page (or into a readable message when the result is an error or has no structured content).

import type { Child } from "./dom";
import { el, replace } from "./dom";
import type { HostContext, ToolResult } from "./protocol";
import { HostConnection } from "./protocol";
import type { Obj } from "./read";
import { isObj, list, num, obj, str } from "./read";
import { applyHostContext } from "./theme";

export const VERSION = "1.0.0";

/** The text blocks of a result (what the model reads), joined. */
export function textOf(result: ToolResult): string {
  return list(result.content)
    .map((block) => (isObj(block) && block.type === "text" && typeof block.text === "string" ? block.text : ""))
    .filter(Boolean)
    .join("\n");
}

export function message(kind: "error" | "note", ...children: Child[]): HTMLElement {
  return el("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, children);
}

/** A tool's error as the page shows it: its text, never as HTML. */
export function failure(result: ToolResult, doing: string): HTMLElement {
  return message("error", `${doing} failed: `, textOf(result) || "the server gave no reason.");
}

export function staleNote(content: Obj): HTMLElement | null {
  if (content.stale !== true) return null;
  const age = num(content.age_seconds);
  return message(
    "note",
    `Revox could not be reached (${str(content.stale_reason) ?? "error"}); this is cached data` +
      (age === undefined ? "." : ` ${age} s old.`),
  );
}

export type Render = (content: Obj, result: ToolResult, host: HostConnection) => Child;

export function startView(name: string, render: Render): void {
  const root = document.getElementById("app");
  if (!root) return;
  const host = new HostConnection(
    { name, version: VERSION },
    {
      toolResult(result: ToolResult) {
        root.removeAttribute("aria-busy");
        if (result.isError) {
          replace(root, failure(result, "The tool call"));
          return;
        }
        if (!isObj(result.structuredContent)) {
          // A host that kept only the text: show it as it is.
          replace(root, el("pre", { class: "plain" }, textOf(result)));
          return;
        }
        try {
          replace(root, render(obj(result.structuredContent), result, host));
        } catch (error) {
          replace(
            root,
            message("error", `This view could not show the result (${String(error)}). The text answer:`),
            el("pre", { class: "plain" }, textOf(result)),
          );
        }
      },
      toolCancelled(reason) {
        root.removeAttribute("aria-busy");
        replace(root, message("note", `The tool call was cancelled${reason ? `: ${reason}` : "."}`));
      },
      hostContext(context: HostContext) {
        applyHostContext(context);
      },
    },
  );
  host.connect().catch((error: unknown) => {
    root.removeAttribute("aria-busy");
    replace(root, message("error", `Could not connect to the host: ${String(error)}`));
  });
}
