// Loads Yjs documents (one base64 update per line on stdin) as the web app's editor does —
// y-tiptap's initProseMirrorDoc, which deletes what the schema rejects — and checks each with
// the web app's schema. Prints one JSON line per document: {error, deleted}.
import { createInterface } from "node:readline";
import * as Y from "yjs";
import { initProseMirrorDoc, yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import { schema } from "./schema.mjs";

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Buffer.from(line, "base64"));
  const fragment = doc.getXmlFragment("default");
  const before = JSON.stringify(yXmlFragmentToProsemirrorJSON(fragment));
  let error = null;
  try {
    const node = initProseMirrorDoc(fragment, schema).doc;
    node.check();
    schema.nodeFromJSON(node.toJSON()).check();
  } catch (e) {
    error = String(e.message ?? e);
  }
  const deleted = JSON.stringify(yXmlFragmentToProsemirrorJSON(fragment)) !== before;
  process.stdout.write(JSON.stringify({ error, deleted }) + "\n");
}
