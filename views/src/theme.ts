// The host's theme: light or dark from the host context, and its style variables (--color-*,
// --font-*, --border-radius-*) as CSS custom properties; the stylesheet falls back to its own.

import type { HostContext } from "./protocol";

export function applyHostContext(context: HostContext): void {
  const root = document.documentElement;
  const theme =
    context.theme === "light" || context.theme === "dark"
      ? context.theme
      : // A host that names no theme: the system's, until the host says.
        (root.dataset.theme ?? (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  const variables = context.styles?.variables;
  if (variables && typeof variables === "object") {
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }
}
