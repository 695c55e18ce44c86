// The settings of the room's webhooks (docs/backend.md, "Webhooks"): where the room sends its events, and the key it
// signs them with. WEBHOOK_URL unset (the default): no room sends, records or stores anything for webhooks. Set, it
// needs WEBHOOK_SECRET, in the Standard Webhooks form (`whsec_` and the base64 of the key): a receiver checks every
// request against it, and a room that sent unsigned events would teach receivers to skip that check.

export interface WebhookSettings {
  url: string;
  /** `whsec_<base64>`, as the Standard Webhooks spec and its libraries take it. */
  secret: string;
  /** Undelivered events a room keeps; past it, the oldest go, and a `webhook.gap` event counts them. */
  backlogMax: number;
}

export interface WebhookVars {
  WEBHOOK_URL?: unknown;
  WEBHOOK_SECRET?: unknown;
}

/** A key shorter than this is guessable; the spec asks for 24 to 64 random bytes. */
const MIN_KEY_BYTES = 24;

/** The webhook settings, undefined if webhooks are off; throws naming the setting that is not valid. */
export function readWebhookSettings(vars: WebhookVars, backlogMax: number): WebhookSettings | undefined {
  const url = vars.WEBHOOK_URL;
  if (url === undefined || url === "") return undefined;
  if (typeof url !== "string" || !isHttpUrl(url))
    throw new Error(`setting WEBHOOK_URL must be an http or https URL, not ${JSON.stringify(url)}`);
  const secret = vars.WEBHOOK_SECRET;
  if (typeof secret !== "string" || keyBytes(secret) < MIN_KEY_BYTES) {
    throw new Error(
      `setting WEBHOOK_SECRET must be set with WEBHOOK_URL: "whsec_" and the base64 of a random key of at least ${MIN_KEY_BYTES} bytes (e.g. "whsec_$(openssl rand -base64 32)")`,
    );
  }
  return { url, secret, backlogMax };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** The length of a `whsec_` secret's key in bytes; 0 if it is not one (padded base64, as the spec's libraries read). */
function keyBytes(secret: string): number {
  const base64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : "";
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return 0;
  return atob(base64).length;
}
