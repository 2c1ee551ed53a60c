// The real Hocuspocus server (what TipTap Cloud runs), on 127.0.0.1, for coachtui's conformance
// tests. Verifies the backend's HS256 collab tokens with the secret in COLLAB_SECRET (hex).
// Usage: node server.mjs <v2|v4> [timeout ms]   — prints "listening <port>" when ready.
import { createHmac, timingSafeEqual } from "node:crypto";

const [generation = "v2", timeout = "30000"] = process.argv.slice(2);
const { Server } = await import(generation === "v4" ? "hocuspocus-server-v4" : "@hocuspocus/server");
const secret = Buffer.from(process.env.COLLAB_SECRET ?? "", "hex");

function verify(token, documentName) {
  const [head, body, signature] = String(token).split(".");
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature ?? "", "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("bad signature");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString());
  if (claims.exp * 1000 < Date.now()) throw new Error("expired");
  const allowed = (claims.allowedDocumentNames ?? []).some((pattern) =>
    new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(documentName),
  );
  if (!allowed) throw new Error("document not allowed");
}

const config = {
  address: "127.0.0.1",
  port: 0,
  timeout: Number(timeout),
  quiet: true,
  async onAuthenticate({ token, documentName }) {
    verify(token, documentName);
  },
};
// v2 exports a ready instance to configure; v4 a class.
const server = typeof Server === "function" ? new Server(config) : Server.configure(config);
await server.listen();
const port = server.httpServer?.address()?.port ?? server.address?.port ?? server.server?.httpServer?.address()?.port;
console.log(`listening ${port}`);
