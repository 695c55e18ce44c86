// A request's body as a JSON object, for the APIs that take one (the admin API, the publish API): read no further
// than a bound, so that a body of gigabytes costs the Worker no more than the bound, with or without a
// Content-Length; then UTF-8 and JSON, each refused with a JSON answer of its own.

import { refusal } from "../connections/requests";

/** The body as a JSON object, read no further than `maxBytes`; or the refusal. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<Record<string, unknown> | Response> {
  const tooLarge = () => refusal(413, { error: "too_large", message: `a body must be at most ${maxBytes} bytes` });
  if (Number(request.headers.get("Content-Length") ?? 0) > maxBytes) return tooLarge();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) return tooLarge();
      chunks.push(chunk);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(concat(chunks, bytes)));
  } catch {
    return refusal(400, { error: "invalid_json", message: "the body must be UTF-8 JSON" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refusal(400, { error: "invalid_packet", message: "the body must be a JSON object" });
  }
  return value as Record<string, unknown>;
}

function concat(chunks: Uint8Array[], bytes: number): Uint8Array {
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
