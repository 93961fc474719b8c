/**
 * The signature of the JSON receipt webhook: HMAC-SHA256 over `<timestamp>.<raw body>` with one
 * of the tenant's webhook secrets, sent as `X-Receipt-Signature: t=<unix seconds>,v1=<hex>`
 * (several v1 entries are allowed while a secret is being rotated). A signature older or newer
 * than 5 minutes is refused, so a captured request cannot be replayed later; the body is inside
 * the MAC, so it cannot be replayed with another body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const RECEIPT_SIGNATURE_HEADER = 'x-receipt-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function receiptSignature(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value a sender puts on a request. */
export function signReceiptRequest(secret: string, rawBody: string | Uint8Array, nowSeconds: number): string {
  return `t=${nowSeconds},v1=${receiptSignature(secret, nowSeconds, rawBody)}`;
}

export type SignatureCheck =
  | { readonly ok: true; readonly secretId: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export interface ParsedSignature {
  readonly timestamp: number;
  readonly signatures: readonly string[];
}

export function parseSignatureHeader(header: string | undefined): ParsedSignature | 'missing' | 'malformed' {
  if (header === undefined || header.trim() === '') return 'missing';
  if (header.length > 1024) return 'malformed';
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (rest.length > 0 || value === undefined) return 'malformed';
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return 'malformed';
  return { timestamp, signatures };
}

/** Checks a parsed header against every active secret of the tenant, in constant time per compare. */
export function verifyReceiptSignature(
  parsed: ParsedSignature,
  rawBody: Uint8Array,
  secrets: ReadonlyArray<{ secretId: string; secret: string }>,
  nowSeconds: number,
): SignatureCheck {
  if (Math.abs(nowSeconds - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  for (const { secretId, secret } of secrets) {
    const expected = Buffer.from(receiptSignature(secret, parsed.timestamp, rawBody), 'hex');
    for (const given of parsed.signatures) {
      if (timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: true, secretId };
    }
  }
  return { ok: false, reason: 'mismatch' };
}

/**
 * Authenticates a webhook call: a well-formed, fresh signature by one of the active secrets of
 * the creditor named in the body (`fiscalCode`). Returns that fiscal code, or why not (→ 401).
 * Nothing about the tenant is revealed to an unauthenticated caller.
 */
export async function authenticateReceiptWebhook(
  deps: {
    secretsOf: (fiscalCode: string) => Promise<ReadonlyArray<{ secretId: string; secret: string }>>;
    nowSeconds: () => number;
  },
  header: string | undefined,
  rawBody: Uint8Array,
): Promise<{ ok: true; fiscalCode: string; secretId: string } | { ok: false; reason: string }> {
  const parsed = parseSignatureHeader(header);
  if (parsed === 'missing') return { ok: false, reason: 'the X-Receipt-Signature header is required' };
  if (parsed === 'malformed') return { ok: false, reason: 'the X-Receipt-Signature header must be t=<unix seconds>,v1=<hex HMAC-SHA256>' };
  const now = deps.nowSeconds();
  if (Math.abs(now - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'the signature is too old or too far in the future' };
  const fiscalCode = creditorOf(rawBody);
  if (fiscalCode === undefined) return { ok: false, reason: 'the signature does not match' };
  const check = verifyReceiptSignature(parsed, rawBody, await deps.secretsOf(fiscalCode), now);
  return check.ok ? { ok: true, fiscalCode, secretId: check.secretId } : { ok: false, reason: 'the signature does not match' };
}

function creditorOf(rawBody: Uint8Array): string | undefined {
  try {
    const value = (JSON.parse(Buffer.from(rawBody).toString('utf8')) as { fiscalCode?: unknown }).fiscalCode;
    return typeof value === 'string' && /^\d{11}$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
