// A web-app participant: the web app's provider (@hocuspocus/provider 2.15.3) and its storage
// (@tiptap/y-tiptap over its schema). Writes every node and mark, announces presence like the
// web app, and prints what it sees as JSON lines. Commands on stdin: "append <text>", "leave".
// Usage: node writer.mjs <ws url> <document> <token> <userId>
import { createInterface } from "node:readline";
import WebSocket from "ws";
import * as Y from "yjs";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { schema, everything } from "./schema.mjs";

const [url, name, token, userId] = process.argv.slice(2);
const doc = new Y.Doc();
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket });
const provider = new HocuspocusProvider({ websocketProvider: socket, name, token, document: doc });
provider.on("synced", () => {
  const fragment = doc.getXmlFragment("default");
  if (fragment.length === 0) prosemirrorJSONToYXmlFragment(schema, everything, fragment);
  provider.setAwarenessField("presence", {
    userId, name: "Jordan Lee", relationshipRole: "Coachee", color: "#10B981",
    isConnected: true, status: "connected", lastSeen: new Date().toISOString(),
  });
  say({ synced: true });
});
provider.on("awarenessChange", ({ states }) => {
  say({ awareness: states.map((s) => s.presence ?? null).filter(Boolean) });
});
provider.on("authenticationFailed", ({ reason }) => say({ denied: reason }));
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [command, ...rest] = line.split(" ");
  if (command === "append") {
    const fragment = doc.getXmlFragment("default");
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(rest.join(" "))]);
    fragment.push([paragraph]);
    say({ appended: rest.join(" ") });
  } else if (command === "clients") {
    say({ clients: [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()].map(String) });
  } else if (command === "leave") {
    provider.destroy();
    process.exit(0);
  }
});
