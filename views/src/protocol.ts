// The view side of the MCP Apps host protocol (io.modelcontextprotocol/ui, 2026-01-26): JSON-RPC 2.0
// over postMessage with the parent window. It covers exactly what the views use: the handshake
// (ui/initialize, then ui/notifications/initialized), the tool input and result notifications,
// host-context-changed, tools/call, ping, ui/resource-teardown and size-changed.
//
// Why not @modelcontextprotocol/ext-apps' App here: bundled, it weighs 666 KB minified (zod and
// the MCP client come with it), against about 4 KB for this file. The browser tests drive these
// views from the package's own host side (AppBridge), so the two are held to the same protocol.

import type { Obj } from "./read";
import { isObj } from "./read";

export const PROTOCOL_VERSION = "2026-01-26";

export interface HostContext {
  theme?: "light" | "dark";
  styles?: { variables?: Record<string, string | undefined> };
  displayMode?: string;
  locale?: string;
  [key: string]: unknown;
}

export interface ToolResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

export interface ViewHandlers {
  toolInput?(args: Obj): void;
  toolResult(result: ToolResult): void;
  toolCancelled?(reason: string | undefined): void;
  hostContext(context: HostContext): void;
  teardown?(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: number;
}

/** Raised when the host answers a request with a JSON-RPC error, or not at all. */
export class HostError extends Error {}

// A host that never answers must not leave the view waiting forever.
const REQUEST_TIMEOUT_MS = 60_000;

export class HostConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private context: HostContext = {};
  private resizeObserver: ResizeObserver | undefined;
  private lastSize = "";

  constructor(
    private readonly appInfo: { name: string; version: string },
    private readonly handlers: ViewHandlers,
  ) {}

  /** Listen to the host, then perform the handshake; resolves with the host context. */
  async connect(): Promise<HostContext> {
    window.addEventListener("message", (event) => this.receive(event));
    const result = await this.request("ui/initialize", {
      protocolVersion: PROTOCOL_VERSION,
      appInfo: this.appInfo,
      appCapabilities: { availableDisplayModes: ["inline"] },
    });
    const hostContext = isObj(result) && isObj(result.hostContext) ? (result.hostContext as HostContext) : {};
    this.context = { ...hostContext };
    this.handlers.hostContext(this.context);
    this.notify("ui/notifications/initialized", {});
    this.watchSize();
    return this.context;
  }

  /** tools/call through the host (which relays it to this view's MCP server). */
  async callTool(name: string, args: Obj): Promise<ToolResult> {
    const result = await this.request("tools/call", { name, arguments: args });
    return isObj(result) ? (result as ToolResult) : {};
  }

  private request(method: string, params: Obj): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new HostError(`The host did not answer ${method}.`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.post({ jsonrpc: "2.0", id, method, params });
    });
  }

  private notify(method: string, params: Obj): void {
    this.post({ jsonrpc: "2.0", method, params });
  }

  private post(message: Obj): void {
    // The view lives in an opaque origin and cannot name its host's origin: "*" is the only target.
    window.parent.postMessage(message, "*");
  }

  private receive(event: MessageEvent): void {
    if (event.source !== window.parent) return;
    const message: unknown = event.data;
    if (!isObj(message) || message.jsonrpc !== "2.0") return;
    const { id, method } = message;
    if (typeof method === "string") {
      const params = isObj(message.params) ? message.params : {};
      if (id === undefined) this.onNotification(method, params);
      else this.onRequest(id, method);
      return;
    }
    if (typeof id !== "number") return;
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    window.clearTimeout(waiting.timer);
    if (isObj(message.error)) {
      const text = typeof message.error.message === "string" ? message.error.message : "error";
      waiting.reject(new HostError(text));
    } else {
      waiting.resolve(message.result);
    }
  }

  private onNotification(method: string, params: Obj): void {
    switch (method) {
      case "ui/notifications/tool-input":
        this.handlers.toolInput?.(isObj(params.arguments) ? params.arguments : {});
        break;
      case "ui/notifications/tool-result":
        this.handlers.toolResult(params as ToolResult);
        break;
      case "ui/notifications/tool-cancelled":
        this.handlers.toolCancelled?.(typeof params.reason === "string" ? params.reason : undefined);
        break;
      case "ui/notifications/host-context-changed":
        // Partial updates: merged into what the host said before.
        this.context = { ...this.context, ...(params as HostContext) };
        this.handlers.hostContext(this.context);
        break;
      default:
        break; // tool-input-partial and notifications this view has no use for
    }
  }

  private onRequest(id: unknown, method: string): void {
    if (method === "ui/resource-teardown") {
      this.resizeObserver?.disconnect();
      this.handlers.teardown?.();
      this.post({ jsonrpc: "2.0", id, result: {} });
    } else if (method === "ping") {
      this.post({ jsonrpc: "2.0", id, result: {} });
    } else {
      this.post({ jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } });
    }
  }

  /** Tell the host the content's size whenever it changes (hosts size the frame from it). */
  private watchSize(): void {
    let queued = false;
    const measure = (): void => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        const root = document.documentElement;
        const previous = root.style.height;
        root.style.height = "max-content"; // the content's own height, not the frame's
        const height = Math.ceil(root.getBoundingClientRect().height);
        root.style.height = previous;
        const width = Math.ceil(window.innerWidth);
        const size = `${width}x${height}`;
        if (size === this.lastSize) return;
        this.lastSize = size;
        this.notify("ui/notifications/size-changed", { width, height });
      });
    };
    this.resizeObserver = new ResizeObserver(measure);
    this.resizeObserver.observe(document.documentElement);
    this.resizeObserver.observe(document.body);
    measure();
  }
}
