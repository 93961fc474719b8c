/**
 * verifySamlResponse against answers built by the local test IdP's response builder: the good
 * one, and each wrong one the issue and AgID's SP test suite name, refused with its reason.
 */
import { describe, expect, it } from 'vitest';
import { SamlResponseRejected, verifySamlResponse } from '../../../shared/adapters/spid-saml';
import { buildSamlErrorResponse } from '../../../infra/local/simulators/spid-idp';
import { REQUEST_ID, T0, b64, citizen, expected, idp, idpCredentials, otherCredentials, response, sp } from './fixtures';

const NOW = new Date(T0.getTime() + 10_000);
const idpOf = (entityId: string) => (entityId === idp.entityId ? idp : undefined);

async function verify(xml: string, options: { now?: Date; expected?: Partial<typeof expected> & { spidLevel?: 'SpidL1' | 'SpidL2' | 'SpidL3' } } = {}) {
  return verifySamlResponse(sp, idpOf, { samlResponse: b64(xml), expected: { ...expected, ...options.expected }, now: options.now ?? NOW });
}

async function refusal(xml: string, options: Parameters<typeof verify>[1] = {}): Promise<SamlResponseRejected> {
  try {
    await verify(xml, options);
  } catch (error) {
    if (error instanceof SamlResponseRejected) return error;
    throw error;
  }
  throw new Error('the response was accepted');
}

const assertionIdOf = (xml: string) => /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)![1];

describe('verifySamlResponse', () => {
  it('accepts the IdP signed answer and returns the citizen without TINIT-', async () => {
    const xml = response();
    const identity = await verify(xml);
    expect(identity).toMatchObject({
      fiscalNumber: 'RSSMRA80A01H501U',
      name: 'Mario',
      familyName: 'Rossi',
      email: 'mario.rossi@example.com',
      spidLevel: 'SpidL2',
      identityProvider: idp.entityId,
      scheme: 'spid',
      assertionId: assertionIdOf(xml),
      notOnOrAfter: new Date(T0.getTime() + 5_000 + 300_000).toISOString(),
    });
    expect(identity.nameId).toMatch(/^_[0-9a-f]{32}$/);
    expect(identity.sessionIndex).toMatch(/^_[0-9a-f]{32}$/);
  });

  it('accepts a signed Assertion in an unsigned Response (SPID: the Response signature is optional)', async () => {
    await expect(verify(response({ signResponse: false }))).resolves.toMatchObject({ fiscalNumber: citizen.fiscalNumber });
  });

  it('accepts SpidL3 when SpidL2 was asked', async () => {
    await expect(verify(response({}, { spidLevel: 'SpidL3' }))).resolves.toMatchObject({ spidLevel: 'SpidL3' });
  });

  it('refuses an assertion changed after signing (bad signature)', async () => {
    const xml = response();
    const tampered = xml.replace('>Mario<', '>Maria<');
    expect(tampered).not.toBe(xml);
    expect((await refusal(tampered)).reason).toBe('bad-signature');
    // the Assertion's own signature catches it when the Response is not signed
    const alone = response({ signResponse: false });
    expect((await refusal(alone.replace('>Mario<', '>Maria<'))).reason).toBe('bad-signature');
    await expect(verify(alone)).resolves.toMatchObject({ name: 'Mario' });
  });

  it('refuses a signed Response whose own signature no longer verifies', async () => {
    const xml = response();
    // the Response IssueInstant moves by a second: still a valid time, but not what was signed
    const tampered = xml.replace(/(<samlp:Response [^>]*IssueInstant=")2026-12-03T10:00:05Z/, '$12026-12-03T10:00:06Z');
    expect(tampered).not.toBe(xml);
    expect((await refusal(tampered)).reason).toBe('bad-signature');
  });

  it('refuses an unsigned assertion, even inside a signed Response', async () => {
    expect((await refusal(response({ signAssertion: false }))).reason).toBe('unsigned');
    expect((await refusal(response({ signAssertion: false, signResponse: false }))).reason).toBe('unsigned');
  });

  it('refuses an assertion signed by another key, even with its certificate in KeyInfo', async () => {
    const r = await refusal(response({ signer: otherCredentials }));
    expect(r.reason).toBe('bad-signature');
  });

  it('refuses the wrong audience', async () => {
    expect((await refusal(response({ audience: 'https://altro.example.it' }))).reason).toBe('wrong-audience');
  });

  it('refuses the wrong destination and the wrong recipient', async () => {
    expect((await refusal(response({ destination: 'https://altro.example.it/acs' }))).reason).toBe('wrong-destination');
    expect((await refusal(response({ recipient: 'https://altro.example.it/acs' }))).reason).toBe('wrong-destination');
  });

  it('refuses an answer to another request', async () => {
    expect((await refusal(response(), { expected: { requestId: '_another' } })).reason).toBe('in-response-to');
    expect((await refusal(response({ responseInResponseTo: '_another' }))).reason).toBe('in-response-to');
  });

  it('refuses an answer from another IdP than the one asked', async () => {
    expect((await refusal(response({ issuer: 'https://intruso.example.it' }))).reason).toBe('wrong-issuer');
  });

  it('refuses an expired assertion', async () => {
    const r = await refusal(response(), { now: new Date(T0.getTime() + 10 * 60_000) });
    expect(r.reason).toBe('expired');
  });

  it('refuses an assertion not yet valid', async () => {
    expect((await refusal(response({ notBefore: new Date(NOW.getTime() + 5 * 60_000) }))).reason).toBe('not-yet-valid');
  });

  it('refuses a SPID error status and carries its ErrorCode (nr25, cancelled by the citizen)', async () => {
    const xml = buildSamlErrorResponse({ idp: { entityId: idp.entityId, ...idpCredentials }, sp, inResponseTo: REQUEST_ID, now: new Date(T0.getTime() + 5_000), errorCode: 25 });
    const r = await refusal(xml);
    expect(r.reason).toBe('authn-failed');
    expect(r.spidErrorCode).toBe('25');
  });

  it('refuses SpidL1 when SpidL2 was asked', async () => {
    const r = await refusal(response({}, { spidLevel: 'SpidL1' }));
    expect(r.reason).toBe('level');
    await expect(verify(response({}, { spidLevel: 'SpidL1' }), { expected: { spidLevel: 'SpidL1' } })).resolves.toMatchObject({ spidLevel: 'SpidL1' });
  });

  it('refuses an answer without fiscalNumber', async () => {
    expect((await refusal(response({ omitAttributes: ['fiscalNumber'] }))).reason).toBe('attributes');
  });

  it('refuses signature wrapping: a second, unsigned assertion injected', async () => {
    const xml = response({ signResponse: false });
    const signed = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    const evil = signed
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, 'ID="_evil"')
      .replace('TINIT-RSSMRA80A01H501U', 'TINIT-BNCLCU85M52F205Z');
    // XSW: the evil assertion first, the signed one after it
    const before = xml.replace(signed, evil + signed);
    expect((await refusal(before)).reason).toBe('malformed');
    // XSW: the signed assertion hidden in an Extensions element, the evil one in its place
    const hidden = xml.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${evil}`);
    expect((await refusal(hidden)).reason).toBe('malformed');
  });

  it('refuses a DTD (XXE) and what is not base64 XML', async () => {
    const xml = response();
    const withDtd = xml.replace('<samlp:Response', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response');
    expect((await refusal(withDtd)).reason).toBe('malformed');
    await expect(verifySamlResponse(sp, idpOf, { samlResponse: 'not base64!', expected, now: NOW })).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('keeps personal data out of the refusal message', async () => {
    const r = await refusal(response({ audience: 'https://altro.example.it' }));
    expect(r.message).not.toMatch(/RSSMRA|Mario|Rossi|example\.com/);
  });
});
