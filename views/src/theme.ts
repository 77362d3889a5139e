// The host's theme: light or dark from the host context, and its style variables (--color-*,
// --font-*, --border-radius-*) as CSS custom properties; the stylesheet falls back to its own.

import type { HostContext } from "./protocol";

export function applyHostContext(context: HostContext): void {
  const root = document.documentElement;
  if (context.theme === "light" || context.theme === "dark") {
    root.dataset.theme = context.theme;
    root.style.colorScheme = context.theme;
  }
  const variables = context.styles?.variables;
  if (variables && typeof variables === "object") {
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }
}
