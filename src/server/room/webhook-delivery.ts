// One attempt at delivering a batch of webhook events: a POST to WEBHOOK_URL, signed as the Standard Webhooks spec
// says (webhook-id, webhook-timestamp, webhook-signature: `v1,` and the base64 HMAC-SHA256 of
// `<webhook-id>.<timestamp>.<body>` under the secret's key), by the spec's own `standardwebhooks` package, so that
// its verifier on the receiving side checks exactly what was signed. A 2xx answer within ATTEMPT_TIMEOUT_MS is a
// delivery; anything else (no answer, a network error, another status, a redirect, which is not followed) is not.

import { Webhook } from "standardwebhooks";
import type { WebhookSettings } from "../config/webhook-settings";
import type { Batch } from "./webhook-queue";

const ATTEMPT_TIMEOUT_MS = 10_000;

/** Sends one batch: undefined if it was delivered, else why not (shown to the admin as `lastError`). */
export type Deliver = (batch: Batch) => Promise<string | undefined>;

export function deliverer({ url, secret }: Pick<WebhookSettings, "url" | "secret">, send = fetch): Deliver {
  const signer = new Webhook(secret);
  return async (batch) => {
    // Each attempt is signed anew: a receiver refuses a timestamp more than a few minutes old.
    const now = new Date();
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "edge-chat-rooms-webhooks",
      "webhook-id": batch.id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signer.sign(batch.id, now, batch.body),
    };
    try {
      const response = await send(url, {
        method: "POST",
        headers,
        body: batch.body,
        redirect: "manual",
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      // The answer's body says nothing the room needs: let the connection go.
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") return `no answer in ${ATTEMPT_TIMEOUT_MS / 1000} s`;
      return `could not reach it: ${String(error)}`;
    }
  };
}
