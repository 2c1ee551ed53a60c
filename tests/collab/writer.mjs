// A web-app participant: the web app's provider (@hocuspocus/provider 2.15.3) and its storage
// (@tiptap/y-tiptap over its schema). Writes every node and mark, announces presence like the
// web app, and prints what it sees as JSON lines. Commands on stdin: "append <text>", "clients",
// "leave", "view" (the document as the web app's editor would load it, checked against its schema),
// "type <JSON [after, text]>" (types `text` right after the first `after` in the document's text,
// as the editor's binding does: an insert into the Y.XmlText).
// Usage: node writer.mjs <ws url> <document> <token> <userId>
import { createInterface } from "node:readline";
import WebSocket from "ws";
import * as Y from "yjs";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { initProseMirrorDoc, prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { schema, everything } from "./schema.mjs";

const [url, name, token, userId] = process.argv.slice(2);
const doc = new Y.Doc();
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

// What the web app's editor makes of the document: y-tiptap builds its ProseMirror doc from the
// Y tree and *deletes* every element its schema rejects. Done on a copy, so that a bad write
// shows as `deleted` here instead of being repaired for everyone; then the schema's own check.
function view() {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const fragment = copy.getXmlFragment("default");
  const before = JSON.stringify(yXmlFragmentToProsemirrorJSON(fragment));
  let error = null;
  let json = null;
  try {
    const node = initProseMirrorDoc(fragment, schema).doc;
    node.check();
    json = node.toJSON();
    schema.nodeFromJSON(json).check();
  } catch (e) {
    error = String(e.message ?? e);
  }
  const deleted = JSON.stringify(yXmlFragmentToProsemirrorJSON(fragment)) !== before;
  return { view: json, error, deleted };
}

function typeAfter(after, text) {
  const walk = (node) => {
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) {
        const plain = child.toDelta().map((d) => (typeof d.insert === "string" ? d.insert : "")).join("");
        const at = plain.indexOf(after);
        if (at >= 0) {
          child.insert(at + after.length, text);
          return true;
        }
      } else if (child instanceof Y.XmlElement && walk(child)) {
        return true;
      }
    }
    return false;
  };
  return walk(doc.getXmlFragment("default"));
}
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
  } else if (command === "view") {
    say(view());
  } else if (command === "type") {
    const [after, text] = JSON.parse(rest.join(" "));
    say({ typed: typeAfter(after, text) });
  } else if (command === "leave") {
    provider.destroy();
    process.exit(0);
  }
});
