// The web app's notes schema (its extension list, src/components/ui/coaching-sessions/…):
// StarterKit, Highlight, TextStyle, Link, task lists, tables. Only node and mark names matter for storage.
import { getSchema } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Highlight from "@tiptap/extension-highlight";
import Link from "@tiptap/extension-link";
import { TaskItem, TaskList } from "@tiptap/extension-list";
import { TextStyle } from "@tiptap/extension-text-style";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";

export const schema = getSchema([
  StarterKit.configure({ link: false }),
  Highlight,
  TextStyle,
  Link,
  TaskList,
  TaskItem.configure({ nested: true }),
  Table,
  TableRow,
  TableHeader,
  TableCell,
]);

const t = (text, marks) => (marks ? { type: "text", text, marks } : { type: "text", text });
const p = (...content) => ({ type: "paragraph", content });
const li = (text) => ({ type: "listItem", content: [p(t(text))] });

// Every node and mark the web app can store, as its editor would.
export const everything = {
  type: "doc",
  content: [
    { type: "heading", attrs: { level: 1 }, content: [t("Notes from the web app")] },
    p(
      t("b", [{ type: "bold" }]),
      t(" i", [{ type: "italic" }]),
      t(" s", [{ type: "strike" }]),
      t(" u", [{ type: "underline" }]),
      t(" c", [{ type: "code" }]),
      t(" h", [{ type: "highlight" }]),
      t(" site", [{ type: "link", attrs: { href: "https://example.com/x" } }]),
    ),
    { type: "heading", attrs: { level: 2 }, content: [t("Lists")] },
    {
      type: "bulletList",
      content: [
        { type: "listItem", content: [p(t("one")), { type: "bulletList", content: [li("one.a")] }] },
        li("two"),
      ],
    },
    { type: "orderedList", attrs: { start: 5 }, content: [li("five"), li("six")] },
    {
      type: "taskList",
      content: [
        { type: "taskItem", attrs: { checked: false }, content: [p(t("open"))] },
        { type: "taskItem", attrs: { checked: true }, content: [p(t("done"))] },
      ],
    },
    { type: "blockquote", content: [p(t("quoted"))] },
    { type: "codeBlock", attrs: { language: "js" }, content: [t("let a = 1;\nlet b = 2;")] },
    { type: "horizontalRule" },
    p(t("before"), { type: "hardBreak" }, t("after")),
    {
      type: "table",
      content: [
        { type: "tableRow", content: [{ type: "tableHeader", content: [p(t("Who"))] }, { type: "tableHeader", content: [p(t("What"))] }] },
        { type: "tableRow", content: [{ type: "tableCell", content: [p(t("Jordan"))] }, { type: "tableCell", content: [p(t("Plan"))] }] },
      ],
    },
    p(t("Zoë écrit 😀")),
  ],
};
