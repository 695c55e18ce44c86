// One attempt at a batch: signed so that the Standard Webhooks verifier takes it, and delivered only by a 2xx answer.

import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { deliverer } from "../../../../src/server/room/webhook-delivery";

const SECRET = `whsec_${btoa("k".repeat(32))}`;
const batch = { id: "lobby:11-12", body: '{"room":"lobby","events":[{"id":11},{"id":12}]}', last: 12, count: 2 };

/** A fetch that records the request and answers `answer`, or throws it. */
function fakeFetch(answer: Response | Error) {
  const requests: Request[] = [];
  const send = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { requests, send: send as typeof fetch };
}

describe("a webhook attempt", () => {
  it("posts the batch signed as the Standard Webhooks spec says, under the batch's webhook-id", async () => {
    const { requests, send } = fakeFetch(new Response(null, { status: 204 }));
    expect(await deliverer({ url: "https://backend.example/hooks", secret: SECRET }, send)(batch)).toBeUndefined();
    const [request] = requests;
    expect([request!.method, request!.url, request!.redirect]).toEqual([
      "POST",
      "https://backend.example/hooks",
      "manual",
    ]);
    const body = await request!.text();
    expect(body).toBe(batch.body);
    const headers = Object.fromEntries(request!.headers);
    expect(headers).toMatchObject({ "content-type": "application/json", "webhook-id": "lobby:11-12" });
    expect(Math.abs(Number(headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(JSON.parse(batch.body));
    // Another key, or another body, is refused.
    const other = `whsec_${btoa("o".repeat(32))}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow(/signature/);
    expect(() => new Webhook(SECRET).verify(body.replace("11", "13"), headers)).toThrow(/signature/);
  });

  it("counts only a 2xx answer as delivered, and says why anything else was not", async () => {
    const attempt = (answer: Response | Error) =>
      deliverer({ url: "https://backend.example/hooks", secret: SECRET }, fakeFetch(answer).send)(batch);
    expect(await attempt(new Response("ok"))).toBeUndefined();
    expect(await attempt(new Response("no", { status: 500 }))).toBe("HTTP 500");
    // A redirect is not followed: the room's events go where WEBHOOK_URL says, or nowhere.
    expect(await attempt(new Response(null, { status: 302, headers: { Location: "https://elsewhere.example" } }))).toBe(
      "HTTP 302",
    );
    expect(await attempt(new DOMException("signal timed out", "TimeoutError"))).toBe("no answer in 10 s");
    expect(await attempt(new TypeError("fetch failed"))).toMatch(/^could not reach it: TypeError: fetch failed/);
  });
});
