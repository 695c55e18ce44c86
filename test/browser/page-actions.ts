// What the browser tests do alike: type a message as a person would, and bring in a member from outside the page.

import type { Page } from "playwright-core";
import { connect, type TestClient } from "../support/ws-client.ts";

/** Types a message and sends it with Enter, as a person would. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill("#composer-input", text);
  await page.press("#composer-input", "Enter");
}

/** A member of room `room` joined from Node, as `name`; resolves once welcomed. */
export async function member(wsUrl: string, room: string, name: string): Promise<TestClient> {
  const client = await connect(`${wsUrl}/rooms/${room}`);
  client.send({ type: "join", name });
  await client.next((p) => p.type === "welcome");
  return client;
}
