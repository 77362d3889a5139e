// Building the page. Every piece of text, trusted or not (names, prompts, transcripts, tool errors),
// becomes a text node: no HTML is ever parsed from data, and no attribute that loads or runs
// anything (src, href, on*) is ever set from a string.

export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

const FORBIDDEN = /^(on|src|href|srcdoc|action|formaction|xlink:href|style)/i;

function apply(node: Element, attrs: Attrs | null | undefined): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      node.addEventListener(name, value);
    } else if (FORBIDDEN.test(name)) {
      throw new Error(`attribute ${name} is never set from a value`);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

export function append(node: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  apply(node, attrs);
  append(node, children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag) as SVGElementTagNameMap[K];
  apply(node, attrs);
  append(node, children);
  return node;
}

export function replace(node: Node, ...children: Child[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

let counter = 0;
/** A document-unique id, for aria-controls and aria-labelledby. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
