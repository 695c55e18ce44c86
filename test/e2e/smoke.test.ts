import { afterAll, beforeAll, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { connect } from "../support/ws-client.ts";

let server: DevServer;
beforeAll(async () => { server = await startDevServer(); });
afterAll(async () => { await server?.dispose(); });

it("chats in lobby", async () => {
  const a = await connect(server.wsUrl);
  a.send({ type: "user_joined", name: "godot" }, { binary: true });
  a.send({ type: "chat_message", name: "x", message: "hi" }, { binary: true });
  const m = await a.next((p) => p.type === "chat_message");
  expect(m.name).toBe("godot");
  await a.close();
});
