// Writes the fixture updates the Python renderer tests read: Yjs updates made by the web app's
// own editor stack (@tiptap/y-tiptap over the web app's schema). Run: node make_fixtures.mjs
import { writeFileSync } from "node:fs";
import * as Y from "yjs";
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { schema, everything } from "./schema.mjs";

const doc = new Y.Doc();
prosemirrorJSONToYXmlFragment(schema, everything, doc.getXmlFragment("default"));
schema.nodeFromJSON(everything).check(); // the document is valid for the web app's schema
writeFileSync(new URL("../live/notes/fixtures/webapp-everything.bin", import.meta.url), Y.encodeStateAsUpdate(doc));
const empty = new Y.Doc();
prosemirrorJSONToYXmlFragment(schema, { type: "doc", content: [{ type: "paragraph" }] }, empty.getXmlFragment("default"));
writeFileSync(new URL("../live/notes/fixtures/webapp-empty.bin", import.meta.url), Y.encodeStateAsUpdate(empty));
console.log("written");
