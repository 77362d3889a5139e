// The browser tests' host: the host side of MCP Apps, played by the ext-apps package's own
// AppBridge. It renders a view in a sandboxed iframe (srcdoc, allow-scripts only: an opaque
// origin), under the spec's default CSP, answers its handshake with a host context, sends it the
// tool input and result, and hands its tools/call requests to window.relayToolCall, which the test
// binds to a real revox-mcp through the official MCP client.

import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

// What a host applies to a view that declares no CSP (ext-apps specification 2026-01-26).
const DEFAULT_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; media-src 'self' data:; connect-src 'none'";

function withHostCsp(html) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${DEFAULT_CSP}">`;
  return html.replace(/<head>/i, `<head>${meta}`);
}

const state = {
  bridge: null,
  iframe: null,
  // Every message the view posted, in order, as the host received it.
  received: [],
  sizes: [],
  logs: [],
};

window.host = {
  state,
  async load({ html, hostContext }) {
    const iframe = document.createElement("iframe");
    iframe.setAttribute("sandbox", "allow-scripts");
    iframe.setAttribute("title", "view");
    document.body.append(iframe);
    state.iframe = iframe;
    window.addEventListener("message", (event) => {
      if (event.source === iframe.contentWindow) state.received.push(event.data);
    });
    const bridge = new AppBridge(
      null,
      { name: "revox-mcp test host", version: "1.0.0" },
      { serverTools: {}, logging: {} },
      { hostContext },
    );
    bridge.oncalltool = (params) => window.relayToolCall(params);
    bridge.onsizechange = ({ width, height }) => {
      state.sizes.push({ width, height });
      if (height) iframe.style.height = `${height}px`;
    };
    bridge.onloggingmessage = (params) => state.logs.push(params);
    const initialized = new Promise((resolve) => {
      bridge.oninitialized = resolve;
    });
    await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
    iframe.srcdoc = withHostCsp(html);
    await initialized;
    state.bridge = bridge;
    return bridge.getAppVersion();
  },
  toolInput(args) {
    return state.bridge.sendToolInput({ arguments: args });
  },
  toolResult(result) {
    return state.bridge.sendToolResult(result);
  },
  setContext(hostContext) {
    state.bridge.setHostContext(hostContext);
  },
  teardown() {
    return state.bridge.teardownResource({ reason: "the test is done" });
  },
};
