/**
 * Webhook signatures, one scheme both ways (outgoing deliveries to back offices, incoming receipt
 * webhooks): header `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a captured request cannot be replayed later than the
 * tolerance; several `v1=` entries may appear (secret rotation: one per active secret).
 * Pure: the clock is handed in as `nowSeconds`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Webhook-Signature';
export const WEBHOOK_ID_HEADER = 'X-Webhook-Id';
export const WEBHOOK_EVENT_HEADER = 'X-Webhook-Event';
/** a receiver should refuse signatures older (or newer) than this */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** hex HMAC-SHA256 of `<t>.<body>` */
export function signaturePayloadHmac(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8').update(body, 'utf8').digest('hex');
}

/** The header value for one or more secrets (the first is the current one). */
export function signWebhook(secrets: string | readonly string[], timestampSeconds: number, body: string): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new RangeError('timestamp must be whole unix seconds');
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new RangeError('at least one secret is needed');
  return [`t=${timestampSeconds}`, ...list.map((s) => `v1=${signaturePayloadHmac(s, timestampSeconds, body)}`)].join(',');
}

export interface ParsedSignature {
  readonly timestamp: number;
  readonly v1: readonly string[];
}

/** Parses `t=…,v1=…[,v1=…]`; unknown schemes (v0, v2…) are ignored; undefined when unusable. */
export function parseSignatureHeader(header: string | undefined): ParsedSignature | undefined {
  if (header === undefined || header.length === 0 || header.length > 2048) return undefined;
  let timestamp: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return undefined;
      v1.push(value);
    }
  }
  if (timestamp === undefined || v1.length === 0) return undefined;
  return { timestamp, v1 };
}

export type VerifyResult =
  | { readonly ok: true; readonly timestamp: number; /** index of the secret that matched */ readonly secretIndex: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'expired' | 'mismatch' };

/** Constant-time check of a signature header against any of the secrets, within the tolerance. */
export function verifyWebhookSignature(input: {
  readonly header: string | undefined;
  readonly body: string;
  readonly secrets: readonly string[];
  readonly nowSeconds: number;
  readonly toleranceSeconds?: number;
}): VerifyResult {
  const parsed = parseSignatureHeader(input.header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - parsed.timestamp) > tolerance) return { ok: false, reason: 'expired' };
  for (const [index, secret] of input.secrets.entries()) {
    const expected = Buffer.from(signaturePayloadHmac(secret, parsed.timestamp, input.body), 'hex');
    for (const candidate of parsed.v1) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) return { ok: true, timestamp: parsed.timestamp, secretIndex: index };
    }
  }
  return { ok: false, reason: 'mismatch' };
}
