// The field readers every packet reader shares: a read's result (`Parsed`: a value, or the error to answer with),
// and the whole numbers packets carry (seqs, ids, page limits, a ban's minutes, a frame size), refused rather than
// rounded when they are not whole.

import type { ErrorCode, ProtocolError } from "./protocol";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

export const fail = (code: ErrorCode, message: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message },
});

/**
 * The whole number `field` holds, from `min` to `max`, if it holds any: a seq, a page's limit, a ban's minutes, a
 * frame size. A fraction, or a number past 2^53, is refused, never rounded.
 */
export function optionalWholeNumber(
  packet: Record<string, unknown>,
  field: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): Parsed<number | undefined> {
  const raw = packet[field];
  if (raw === undefined) return ok(undefined);
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < min || raw > max) {
    return fail(
      "invalid_field",
      max === Number.MAX_SAFE_INTEGER
        ? `${field} must be an integer of at least ${min}`
        : `${field} must be an integer from ${min} to ${max}`,
    );
  }
  return ok(raw);
}

/** The whole number of at least 1 that `field` must hold: a seq, a member id. */
export function requiredWholeNumber(packet: Record<string, unknown>, field: string): Parsed<number> {
  const value = optionalWholeNumber(packet, field, 1);
  if (!value.ok) return value;
  return value.value === undefined ? fail("invalid_field", `${field} is required`) : ok(value.value);
}
