import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signWebhook, verifyWebhookSignature } from '../../../shared/domain/webhook-signature';

// Vector computed independently: printf '%s' '1700000000.{"eventId":"e1","amount":1234}' | openssl dgst -sha256 -hmac whsec_test_secret
const SECRET = 'whsec_test_secret';
const BODY = '{"eventId":"e1","amount":1234}';
const T = 1_700_000_000;
const HEX = '207573d835f279627e20015b01fde853eef94a15ba9b78dcd417f2ba0baa26f7';

describe('webhook signature (t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">)', () => {
  it('matches the known vector', () => {
    expect(signWebhook(SECRET, T, BODY)).toBe(`t=${T},v1=${HEX}`);
    // an empty body still signs "<t>."
    expect(signWebhook(SECRET, T, '')).toBe(`t=${T},v1=316b9ab98c15bfa039d243f3196acee619cf29749a91a634e6a8154e2f7b6727`);
  });

  it('signs with every secret during a rotation, and verifies against any of them', () => {
    const header = signWebhook(['new-secret', SECRET], T, BODY);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=207573d8/);
    expect(verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], nowSeconds: T })).toEqual({ ok: true, timestamp: T, secretIndex: 0 });
    expect(verifyWebhookSignature({ header, body: BODY, secrets: ['other', 'new-secret'], nowSeconds: T })).toMatchObject({ ok: true, secretIndex: 1 });
  });

  it('refuses a changed body, a wrong secret, a stale or future timestamp and malformed headers', () => {
    const header = `t=${T},v1=${HEX}`;
    expect(verifyWebhookSignature({ header, body: BODY.replace('1234', '1235'), secrets: [SECRET], nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature({ header, body: BODY, secrets: ['whsec_other'], nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], nowSeconds: T + 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], nowSeconds: T - 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], nowSeconds: T + 300 }).ok).toBe(true);
    // the timestamp is part of what is signed: moving it breaks the signature
    expect(verifyWebhookSignature({ header: `t=${T + 1},v1=${HEX}`, body: BODY, secrets: [SECRET], nowSeconds: T }).ok).toBe(false);
    for (const bad of [undefined, '', `v1=${HEX}`, `t=${T}`, `t=abc,v1=${HEX}`, `t=${T},v1=XYZ`, `t=${T},t=${T},v1=${HEX}`, `t=${T},v1=${HEX.toUpperCase()}`]) {
      expect(verifyWebhookSignature({ header: bad, body: BODY, secrets: [SECRET], nowSeconds: T }), String(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('ignores unknown schemes next to v1', () => {
    expect(parseSignatureHeader(`t=${T},v0=abc,v1=${HEX}`)).toEqual({ timestamp: T, v1: [HEX] });
  });

  it('rejects a timestamp that is not whole seconds', () => {
    expect(() => signWebhook(SECRET, 1.5, BODY)).toThrow(RangeError);
    expect(() => signWebhook([], T, BODY)).toThrow(RangeError);
  });
});
