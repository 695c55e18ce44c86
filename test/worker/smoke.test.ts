import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("chats", async () => {
  const res = await SELF.fetch("http://x/rooms/a", { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket!;
  ws.accept();
  const got: string[] = [];
  ws.addEventListener("message", (e) => got.push(e.data as string));
  ws.send(JSON.stringify({ type: "join", name: "ann" }));
  ws.send(JSON.stringify({ type: "chat", text: "hello 😀" }));
  await new Promise((r) => setTimeout(r, 300));
  console.log(got);
  expect(got.length).toBe(3);
});
