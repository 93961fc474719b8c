/**
 * SPID Single Logout, HTTP-Redirect binding: the SP's signed LogoutRequest and its check of the
 * IdP's LogoutResponse (SP-initiated), the IdP's LogoutRequest and the SP's answer
 * (IdP-initiated), the SingleLogoutService in both metadata, and the round trips through the
 * local test IdP over real HTTP.
 */
import { createSign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NS,
  SamlResponseRejected,
  authnRequestRedirect,
  logoutRequestRedirect,
  logoutResponseRedirect,
  parseIdentityProviderMetadata,
  parseXmlStrict,
  serviceProviderMetadata,
  signedRedirectUrl,
  sloMessageKind,
  verifyLogoutRequest,
  verifyLogoutResponse,
  verifySamlResponse,
  type IdentityProvider,
  type ServiceProvider,
} from '../../../shared/adapters/spid-saml';
import {
  DEMO_PASSWORD,
  SPID_IDP_PREFIX,
  buildIdpLogoutRequestRedirect,
  buildLogoutResponseRedirect,
  createLocalSpidIdp,
  identityProviderMetadata,
  verifyRedirectMessage,
  verifyRedirectRequest,
  type LocalSpidIdp,
} from '../../../infra/local/simulators/spid-idp';
import { T0, idpCredentials, otherCredentials, sp, spCredentials } from './fixtures';

const idp: IdentityProvider = {
  entityId: 'https://idp.example.it',
  displayName: 'IdP di prova',
  scheme: 'spid',
  ssoRedirectUrl: 'https://idp.example.it/sso',
  sloRedirectUrl: 'https://idp.example.it/slo',
  signingCertificates: [idpCredentials.certificatePem],
};
const idpOf = (entityId: string) => (entityId === idp.entityId ? idp : undefined);
const idpSigner = { entityId: idp.entityId, ...idpCredentials };
const NOW = new Date(T0.getTime() + 3_000);

const xmlOf = (url: string, parameter: 'SAMLRequest' | 'SAMLResponse') =>
  inflateRawSync(Buffer.from(new URL(url).searchParams.get(parameter)!, 'base64')).toString('utf8');
const query = (url: string) => url.slice(url.indexOf('?') + 1);
const rejection = (fn: () => unknown): SamlResponseRejected => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SamlResponseRejected) return error;
    throw error;
  }
  throw new Error('not rejected');
};

describe('SP-initiated logout: logoutRequestRedirect', () => {
  it('sends a SPID LogoutRequest to the IdP SingleLogoutService, signed RSA-SHA256 in the query string', async () => {
    const { url, requestId, issueInstant } = await logoutRequestRedirect(sp, idp, { nameId: '_nameid-1', sessionIndex: '_session-1', relayState: 'esci-123', now: T0 });
    expect(url.startsWith(`${idp.sloRedirectUrl}?SAMLRequest=`)).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get('RelayState')).toBe('esci-123');
    expect(params.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    // the IdP side of the binding: the SP's certificate verifies it, another does not, a change breaks it
    expect(verifyRedirectRequest(query(url), spCredentials.certificatePem).ok).toBe(true);
    expect(verifyRedirectRequest(query(url), otherCredentials.certificatePem)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(verifyRedirectRequest(query(url).replace('RelayState=esci-123', 'RelayState=esci-124'), spCredentials.certificatePem)).toEqual({ ok: false, problem: 'bad-signature' });

    const request = parseXmlStrict(xmlOf(url, 'SAMLRequest')).documentElement!;
    expect([request.namespaceURI, request.localName]).toEqual([NS.protocol, 'LogoutRequest']);
    expect(request.getAttribute('ID')).toBe(requestId);
    expect(requestId).toMatch(/^_[0-9a-f]{40}$/);
    expect(request.getAttribute('Version')).toBe('2.0');
    expect(request.getAttribute('IssueInstant')).toBe('2026-12-03T10:00:00Z');
    expect(issueInstant).toBe('2026-12-03T10:00:00Z');
    expect(request.getAttribute('Destination')).toBe(idp.sloRedirectUrl);
    const issuer = Array.from(request.getElementsByTagNameNS(NS.assertion, 'Issuer'))[0]!;
    expect(issuer.textContent).toBe(sp.entityId);
    expect(issuer.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:entity');
    expect(issuer.getAttribute('NameQualifier')).toBe(sp.entityId);
    const nameId = Array.from(request.getElementsByTagNameNS(NS.assertion, 'NameID'))[0]!;
    expect(nameId.textContent).toBe('_nameid-1');
    expect(nameId.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:transient');
    expect(nameId.getAttribute('NameQualifier')).toBe(idp.entityId);
    expect(Array.from(request.getElementsByTagNameNS(NS.protocol, 'SessionIndex')).map((e) => e.textContent)).toEqual(['_session-1']);
    // the signature is in the query string, not in the XML
    expect(request.getElementsByTagNameNS(NS.xmldsig, 'Signature').length).toBe(0);
  });

  it('takes the NameID NameQualifier given, and refuses an IdP without SingleLogoutService or a RelayState over 80 bytes', async () => {
    const { url } = await logoutRequestRedirect(sp, idp, { nameId: 'n', nameQualifier: 'https://altro.example.it', relayState: 'r', now: T0 });
    expect(xmlOf(url, 'SAMLRequest')).toContain('NameQualifier="https://altro.example.it"');
    expect(xmlOf(url, 'SAMLRequest')).not.toContain('SessionIndex');
    const { sloRedirectUrl: _, ...withoutSlo } = idp;
    await expect(logoutRequestRedirect(sp, withoutSlo, { nameId: 'n', relayState: 'r', now: T0 })).rejects.toThrow(/no HTTP-Redirect SingleLogoutService/);
    await expect(logoutRequestRedirect(sp, idp, { nameId: 'n', relayState: 'x'.repeat(81), now: T0 })).rejects.toThrow(/80 bytes/);
  });
});

describe('SP-initiated logout: verifyLogoutResponse', () => {
  const REQUEST_ID = '_logout-request-1';
  const expected = { requestId: REQUEST_ID, idpEntityId: idp.entityId, issuedAt: T0.toISOString() };
  const answer = (spec: Partial<Parameters<typeof buildLogoutResponseRedirect>[0]> = {}) =>
    buildLogoutResponseRedirect({ idp: idpSigner, sp: { sloUrl: sp.sloUrl! }, inResponseTo: REQUEST_ID, now: NOW, relayState: 'esci-123', ...spec }).url;
  const verify = (url: string, q: 'raw' | 'params' = 'raw', now = NOW) =>
    verifyLogoutResponse(sp, idpOf, { query: q === 'raw' ? query(url) : new URL(url).searchParams, expected, now });

  it('accepts the IdP Success, from the raw query string or its URLSearchParams', () => {
    expect(verify(answer())).toEqual({ ok: true, partial: false, relayState: 'esci-123' });
    expect(verify(answer(), 'params')).toEqual({ ok: true, partial: false, relayState: 'esci-123' });
    expect(sloMessageKind(query(answer()))).toBe('LogoutResponse');
  });

  it('verifies the octets as sent: a sender that form-encodes (space as +, ~ escaped) verifies from the raw query or from URLSearchParams', () => {
    const { xml } = buildLogoutResponseRedirect({ idp: idpSigner, sp: { sloUrl: sp.sloUrl! }, inResponseTo: REQUEST_ID, now: NOW });
    const form = (v: string) => new URLSearchParams({ v }).toString().slice(2);
    const signed = [
      `SAMLResponse=${form(deflateRawSync(Buffer.from(xml)).toString('base64'))}`,
      `RelayState=${form("esci a~b'c")}`,
      `SigAlg=${form('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`,
    ].join('&');
    const signature = createSign('RSA-SHA256').update(signed).sign(idpCredentials.privateKeyPem, 'base64');
    const raw = `${signed}&Signature=${form(signature)}`;
    expect(verifyLogoutResponse(sp, idpOf, { query: raw, expected, now: NOW })).toEqual({ ok: true, partial: false, relayState: "esci a~b'c" });
    expect(verifyLogoutResponse(sp, idpOf, { query: new URLSearchParams(raw), expected, now: NOW })).toEqual({ ok: true, partial: false, relayState: "esci a~b'c" });
    expect(rejection(() => verifyLogoutResponse(sp, idpOf, { query: raw.replace('esci+a', 'esci%20a'), expected, now: NOW })).reason).toBe('bad-signature');
  });

  it('takes a PartialLogout (Requester/PartialLogout) as done, refuses another status', () => {
    expect(verify(answer({ status: 'PartialLogout' }))).toEqual({ ok: true, partial: true, relayState: 'esci-123' });
    const refused = rejection(() => verify(answer({ status: 'Responder' })));
    expect(refused.reason).toBe('logout-failed');
    expect(refused.message).toBe('the identity provider answered Responder to the logout');
  });

  it('refuses a bad signature: another key, a tampered RelayState, no signature, an unknown IdP', () => {
    expect(rejection(() => verify(answer({ overrides: { signer: otherCredentials } }))).reason).toBe('bad-signature');
    expect(rejection(() => verify(answer().replace('RelayState=esci-123', 'RelayState=esci-999'))).reason).toBe('bad-signature');
    expect(rejection(() => verify(answer({ overrides: { unsigned: true } }))).reason).toBe('unsigned');
    expect(rejection(() => verifyLogoutResponse(sp, () => undefined, { query: query(answer()), expected, now: NOW })).reason).toBe('wrong-issuer');
  });

  it('refuses a wrong InResponseTo, issuer, destination, and a stale or future answer', () => {
    const wrongId = rejection(() => verify(answer({ overrides: { inResponseTo: '_another-request' } })));
    expect(wrongId.reason).toBe('in-response-to');
    expect(wrongId.message).toBe('LogoutResponse InResponseTo is not the request sent');
    expect(rejection(() => verify(answer({ overrides: { issuer: 'https://idp.altro.it' } }))).reason).toBe('wrong-issuer');
    expect(rejection(() => verify(answer({ overrides: { destination: 'https://comune.example.it/altro' } }))).reason).toBe('wrong-destination');
    expect(rejection(() => verify(answer(), 'raw', new Date(NOW.getTime() + 11 * 60_000))).reason).toBe('expired');
    expect(rejection(() => verify(answer({ overrides: { issueInstant: new Date(T0.getTime() - 60_000) } }))).reason).toBe('in-response-to');
    expect(rejection(() => verify(answer({ overrides: { issueInstant: new Date(NOW.getTime() + 120_000) } }))).reason).toBe('not-yet-valid');
  });

  it('refuses what is not a LogoutResponse: a request, a repeated parameter, a DTD, garbage', () => {
    const request = buildIdpLogoutRequestRedirect({ idp: idpSigner, sp: { sloUrl: sp.sloUrl! }, nameId: 'n', now: NOW }).url;
    expect(rejection(() => verify(request)).reason).toBe('malformed');
    const good = query(answer());
    const samlResponse = /SAMLResponse=[^&]*/.exec(good)![0];
    expect(rejection(() => verifyLogoutResponse(sp, idpOf, { query: `${good}&${samlResponse}`, expected, now: NOW })).message).toMatch(/more than once/);
    const dtd = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><samlp:LogoutResponse xmlns:samlp="${NS.protocol}"/>`;
    const dtdUrl = signedRedirectUrl(sp.sloUrl!, { parameter: 'SAMLResponse', xml: dtd }, idpCredentials.privateKeyPem);
    expect(rejection(() => verify(dtdUrl)).message).toMatch(/DTD/);
    expect(rejection(() => verifyLogoutResponse(sp, idpOf, { query: 'SAMLResponse=%%%', expected, now: NOW })).reason).toBe('malformed');
    const notDeflated = `SAMLResponse=${encodeURIComponent(Buffer.from('<x/>').toString('base64'))}`;
    expect(rejection(() => verifyLogoutResponse(sp, idpOf, { query: notDeflated, expected, now: NOW })).reason).toBe('malformed');
    const bomb = `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.alloc(2 * 1024 * 1024, 0x20)).toString('base64'))}`;
    expect(rejection(() => verifyLogoutResponse(sp, idpOf, { query: bomb, expected, now: NOW })).message).toMatch(/too large/);
  });

  it('needs the SP sloUrl', () => {
    const { sloUrl: _, ...withoutSlo } = sp;
    expect(() => verifyLogoutResponse(withoutSlo, idpOf, { query: query(answer()), expected, now: NOW })).toThrow(TypeError);
  });
});

describe('IdP-initiated logout: verifyLogoutRequest and logoutResponseRedirect', () => {
  const request = (spec: Partial<Parameters<typeof buildIdpLogoutRequestRedirect>[0]> = {}) =>
    buildIdpLogoutRequestRedirect({ idp: idpSigner, sp: { sloUrl: sp.sloUrl! }, nameId: '_nameid-7', sessionIndex: '_session-7', now: NOW, relayState: 'idp-rs', ...spec });
  const verify = (url: string, now = NOW) => verifyLogoutRequest(sp, idpOf, { query: query(url), now });

  it('verifies a signed LogoutRequest of a trusted IdP and answers it, signed, at the IdP SingleLogoutService', () => {
    const { url, requestId } = request();
    expect(sloMessageKind(new URL(url).searchParams)).toBe('LogoutRequest');
    const verified = verify(url);
    expect(verified).toEqual({
      idpEntityId: idp.entityId,
      requestId,
      nameId: '_nameid-7',
      nameQualifier: idp.entityId,
      sessionIndex: '_session-7',
      sessionIndexes: ['_session-7'],
      relayState: 'idp-rs',
      issueInstant: '2026-12-03T10:00:03Z',
    });
    const answer = logoutResponseRedirect(sp, idp, { inResponseTo: verified.requestId, relayState: verified.relayState!, now: NOW });
    expect(answer.url.startsWith(`${idp.sloRedirectUrl}?SAMLResponse=`)).toBe(true);
    expect(new URL(answer.url).searchParams.get('RelayState')).toBe('idp-rs');
    const xml = xmlOf(answer.url, 'SAMLResponse');
    const response = parseXmlStrict(xml).documentElement!;
    expect([response.localName, response.getAttribute('InResponseTo'), response.getAttribute('Destination'), response.getAttribute('Version')]).toEqual([
      'LogoutResponse',
      requestId,
      idp.sloRedirectUrl,
      '2.0',
    ]);
    expect(response.getAttribute('ID')).toBe(answer.responseId);
    const issuer = Array.from(response.getElementsByTagNameNS(NS.assertion, 'Issuer'))[0]!;
    expect([issuer.textContent, issuer.getAttribute('Format'), issuer.getAttribute('NameQualifier')]).toEqual([sp.entityId, 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity', sp.entityId]);
    expect(Array.from(response.getElementsByTagNameNS(NS.protocol, 'StatusCode')).map((c) => c.getAttribute('Value'))).toEqual(['urn:oasis:names:tc:SAML:2.0:status:Success']);
    // the IdP verifies it with the SP's certificate (the simulator's binding code)
    expect(verifyRedirectMessage(query(answer.url), spCredentials.certificatePem)).toMatchObject({ ok: true, parameter: 'SAMLResponse', relayState: 'idp-rs' });
    expect(verifyRedirectMessage(query(answer.url), otherCredentials.certificatePem)).toEqual({ ok: false, problem: 'bad-signature' });

    const partial = logoutResponseRedirect(sp, { ...idp, sloResponseRedirectUrl: 'https://idp.example.it/slo/risposta' }, { inResponseTo: requestId, now: NOW, status: 'PartialLogout' });
    expect(partial.url.startsWith('https://idp.example.it/slo/risposta?SAMLResponse=')).toBe(true);
    expect(new URL(partial.url).searchParams.has('RelayState')).toBe(false);
    expect(xmlOf(partial.url, 'SAMLResponse')).toContain('urn:oasis:names:tc:SAML:2.0:status:PartialLogout');
  });

  it('refuses an unsigned, foreign-signed or tampered request, an unknown issuer, a wrong destination, an expired one', () => {
    expect(rejection(() => verify(request({ overrides: { unsigned: true } }).url)).reason).toBe('unsigned');
    expect(rejection(() => verify(request({ overrides: { signer: otherCredentials } }).url)).reason).toBe('bad-signature');
    expect(rejection(() => verify(request().url.replace('RelayState=idp-rs', 'RelayState=idp-xx'))).reason).toBe('bad-signature');
    const unknown = rejection(() => verify(request({ overrides: { issuer: 'https://idp.sconosciuto.it' } }).url));
    expect(unknown.reason).toBe('wrong-issuer');
    expect(rejection(() => verify(request({ overrides: { destination: 'https://comune.example.it/cittadino/altro' } }).url)).reason).toBe('wrong-destination');
    expect(rejection(() => verify(request({ overrides: { notOnOrAfter: new Date(NOW.getTime() - 60_000) } }).url)).reason).toBe('expired');
    expect(rejection(() => verify(request().url, new Date(NOW.getTime() + 6 * 60_000))).reason).toBe('expired');
    expect(rejection(() => verify(request({ overrides: { issueInstant: new Date(NOW.getTime() + 120_000) } }).url)).reason).toBe('not-yet-valid');
    // a response where a request is expected
    const response = buildLogoutResponseRedirect({ idp: idpSigner, sp: { sloUrl: sp.sloUrl! }, inResponseTo: '_x', now: NOW }).url;
    expect(rejection(() => verify(response)).reason).toBe('malformed');
  });

  it('messages carry no NameID or SessionIndex', () => {
    const messages = [
      rejection(() => verify(request({ overrides: { signer: otherCredentials } }).url)).message,
      rejection(() => verify(request({ overrides: { destination: 'https://x.example.it' } }).url)).message,
    ];
    for (const m of messages) expect(m).not.toMatch(/_nameid-7|_session-7/);
  });
});

describe('SingleLogoutService in the metadata', () => {
  it('the SP metadata carries one HTTP-Redirect SingleLogoutService at sloUrl, before NameIDFormat, and none without sloUrl', () => {
    const doc = parseXmlStrict(serviceProviderMetadata(sp));
    const slo = Array.from(doc.getElementsByTagNameNS(NS.metadata, 'SingleLogoutService'));
    expect(slo.map((s) => [s.getAttribute('Binding'), s.getAttribute('Location'), s.hasAttribute('ResponseLocation')])).toEqual([
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', sp.sloUrl, false],
    ]);
    const names = Array.from(doc.getElementsByTagNameNS(NS.metadata, 'SPSSODescriptor')[0]!.childNodes)
      .filter((n) => n.nodeType === 1)
      .map((n) => (n as unknown as { localName: string }).localName);
    expect(names.indexOf('SingleLogoutService')).toBeGreaterThan(names.indexOf('KeyDescriptor'));
    expect(names.indexOf('SingleLogoutService')).toBeLessThan(names.indexOf('NameIDFormat'));
    const { sloUrl: _, ...withoutSlo } = sp;
    expect(serviceProviderMetadata(withoutSlo as ServiceProvider)).not.toContain('SingleLogoutService');
  });

  it("reads an IdP's HTTP-Redirect SingleLogoutService and its ResponseLocation", () => {
    const xml = identityProviderMetadata({ entityId: 'https://id.example.it', ...idpCredentials, ssoUrl: 'https://id.example.it/sso', sloUrl: 'https://id.example.it/slo', displayName: 'Esempio ID' });
    expect(parseIdentityProviderMetadata(xml, 'spid')[0]).toMatchObject({ sloRedirectUrl: 'https://id.example.it/slo' });
    expect(parseIdentityProviderMetadata(xml, 'spid')[0]!.sloResponseRedirectUrl).toBeUndefined();
    const withResponse = xml.replace('Location="https://id.example.it/slo"', 'Location="https://id.example.it/slo" ResponseLocation="https://id.example.it/slo/risposta"');
    expect(parseIdentityProviderMetadata(withResponse, 'spid')[0]).toMatchObject({
      sloRedirectUrl: 'https://id.example.it/slo',
      sloResponseRedirectUrl: 'https://id.example.it/slo/risposta',
    });
  });
});

// ---- through the local test IdP over HTTP ------------------------------------------------------

describe('Single Logout through the local test identity provider', () => {
  let server: Server;
  let cloud: string;
  let sim: LocalSpidIdp;
  const local: { -readonly [K in keyof ServiceProvider]: ServiceProvider[K] } = { ...sp };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spid-slo-'));
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ citizens: [{ fiscalNumber: 'RSSMRA80A01H501U', name: 'Mario', familyName: 'Rossi', email: 'mario.rossi@example.com' }] }));
    sim = createLocalSpidIdp({ seedFile });
    server = createServer((req, res) => {
      const mount = sim.mounts[0]!;
      if (req.url?.startsWith(mount.prefix)) {
        req.url = req.url.slice(mount.prefix.length) || '/';
        return mount.listener(req, res);
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cloud = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(local, { entityId: `${cloud}/cittadino/spid/metadata`, acsUrl: `${cloud}/cittadino/spid/acs`, sloUrl: `${cloud}/cittadino/spid/slo` });
    sim.bind(cloud, { entityId: local.entityId, acsUrl: local.acsUrl, sloUrl: local.sloUrl!, certificatePem: local.certificatePem });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function idpFromMetadata(scheme: 'spid' | 'cie'): Promise<IdentityProvider> {
    const res = await fetch(sim.metadataUrl(cloud, scheme));
    const idps = parseIdentityProviderMetadata(await res.text(), scheme, { trustedSigners: [sim.credentials(scheme).certificatePem] });
    return idps[0]!;
  }

  const formAction = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
  const post = (path: string, form: Record<string, string>, init: RequestInit = {}) =>
    fetch(`${cloud}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), ...init });

  async function signIn(idp: IdentityProvider) {
    const request = await authnRequestRedirect(local, idp, { relayState: 'accesso', now: new Date() });
    const loginHtml = await (await fetch(request.url)).text();
    const consentHtml = await (await post(formAction(loginHtml), { cittadino: 'RSSMRA80A01H501U', password: DEMO_PASSWORD, azione: 'accedi' })).text();
    const acsHtml = await (await post(formAction(consentHtml), { azione: 'acconsenti' })).text();
    return verifySamlResponse(local, () => idp, {
      samlResponse: hidden(acsHtml, 'SAMLResponse')!,
      expected: { requestId: request.requestId, idpEntityId: idp.entityId, issuedAt: request.issueInstant },
      now: new Date(),
    });
  }

  it('publishes an HTTP-Redirect SingleLogoutService for the SPID and the CIE entity', async () => {
    expect((await idpFromMetadata('spid')).sloRedirectUrl).toBe(`${cloud}${SPID_IDP_PREFIX}/slo`);
    expect((await idpFromMetadata('cie')).sloRedirectUrl).toBe(`${cloud}${SPID_IDP_PREFIX}/cie/slo`);
  });

  it('SP-initiated: the signed LogoutRequest verifies at the IdP, which ends its session and answers Success, verified at the SP', async () => {
    const idp = await idpFromMetadata('spid');
    const identity = await signIn(idp);
    expect(sim.sessions('spid').map((s) => s.sessionIndex)).toContain(identity.sessionIndex);

    const logout = await logoutRequestRedirect(local, idp, { nameId: identity.nameId, sessionIndex: identity.sessionIndex!, relayState: 'esci-1', now: new Date() });
    const res = await fetch(logout.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${local.sloUrl}?SAMLResponse=`)).toBe(true);
    expect(sim.sessions('spid').map((s) => s.sessionIndex)).not.toContain(identity.sessionIndex);
    const verified = verifyLogoutResponse(local, () => idp, {
      query: query(location),
      expected: { requestId: logout.requestId, idpEntityId: idp.entityId, issuedAt: logout.issueInstant },
      now: new Date(),
    });
    expect(verified).toEqual({ ok: true, partial: false, relayState: 'esci-1' });

    // the same session again: the IdP has none left, SPID's answer is a partial logout (still done for the SP)
    const again = await logoutRequestRedirect(local, idp, { nameId: identity.nameId, sessionIndex: identity.sessionIndex!, relayState: 'esci-2', now: new Date() });
    const againLocation = (await fetch(again.url, { redirect: 'manual' })).headers.get('location')!;
    expect(verifyLogoutResponse(local, () => idp, { query: query(againLocation), expected: { requestId: again.requestId, idpEntityId: idp.entityId }, now: new Date() })).toMatchObject({
      ok: true,
      partial: true,
    });
    // and an answer to another request is refused
    expect(
      rejection(() => verifyLogoutResponse(local, () => idp, { query: query(againLocation), expected: { requestId: logout.requestId, idpEntityId: idp.entityId }, now: new Date() })).reason,
    ).toBe('in-response-to');
  });

  it('the IdP refuses an unsigned, tampered or foreign-signed LogoutRequest, and one for the other entity', async () => {
    const idp = await idpFromMetadata('cie');
    const { url } = await logoutRequestRedirect(local, idp, { nameId: '_n', sessionIndex: '_s', relayState: 'esci-3', now: new Date() });
    const unsigned = await fetch(url.replace(/&SigAlg=[^&]*&Signature=[^&]*$/, ''), { redirect: 'manual' });
    expect(unsigned.status).toBe(400);
    const html = await unsigned.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('Richiesta di uscita non valida');
    expect(html).toContain('non è firmato');
    expect((await fetch(url.replace('RelayState=esci-3', 'RelayState=esci-4'), { redirect: 'manual' })).status).toBe(400);
    const foreign = await logoutRequestRedirect({ ...local, ...otherCredentials }, idp, { nameId: '_n', sessionIndex: '_s', relayState: 'esci-3', now: new Date() });
    expect((await fetch(foreign.url, { redirect: 'manual' })).status).toBe(400);
    // Destination is the CIE entity's SingleLogoutService: the SPID entity refuses it
    const toSpid = await fetch(url.replace(`${SPID_IDP_PREFIX}/cie/slo`, `${SPID_IDP_PREFIX}/slo`), { redirect: 'manual' });
    expect(toSpid.status).toBe(400);
    expect(await toSpid.text()).toContain('Destination');
  });

  it('IdP-initiated: the SP verifies the LogoutRequest and answers it; the IdP takes the answer once', async () => {
    const idp = await idpFromMetadata('spid');
    const identity = await signIn(idp);
    const { url, requestId } = sim.idpInitiatedLogout({ scheme: 'spid', nameId: identity.nameId, sessionIndex: identity.sessionIndex! }, { relayState: 'idp-1' });
    expect(url.startsWith(`${local.sloUrl}?SAMLRequest=`)).toBe(true);
    expect(sim.sessions('spid').map((s) => s.sessionIndex)).not.toContain(identity.sessionIndex);

    const verified = verifyLogoutRequest(local, () => idp, { query: query(url), now: new Date() });
    expect(verified).toMatchObject({ idpEntityId: idp.entityId, requestId, nameId: identity.nameId, sessionIndex: identity.sessionIndex, relayState: 'idp-1' });
    const answer = logoutResponseRedirect(local, idp, { inResponseTo: verified.requestId, relayState: verified.relayState!, now: new Date() });
    expect(answer.url.startsWith(`${cloud}${SPID_IDP_PREFIX}/slo?SAMLResponse=`)).toBe(true);
    const done = await fetch(answer.url);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Uscita completata');
    expect((await fetch(answer.url)).status).toBe(400);

    // a LogoutRequest signed by the other entity's key does not verify for this one
    const forged = buildIdpLogoutRequestRedirect({ idp: { entityId: idp.entityId, ...sim.credentials('cie') }, sp: { sloUrl: local.sloUrl! }, nameId: identity.nameId, now: new Date() });
    expect(rejection(() => verifyLogoutRequest(local, () => idp, { query: query(forged.url), now: new Date() })).reason).toBe('bad-signature');
  });

  it('IdP-initiated from its sessions page: "Esci da tutti i servizi" redirects to the SP with a signed LogoutRequest', async () => {
    const idp = await idpFromMetadata('spid');
    const identity = await signIn(idp);
    const page = await (await fetch(`${cloud}${SPID_IDP_PREFIX}/esci`)).text();
    expect(page).toContain('Mario Rossi');
    const res = await post(`${SPID_IDP_PREFIX}/esci`, { sessione: identity.sessionIndex! }, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const verified = verifyLogoutRequest(local, () => idp, { query: query(res.headers.get('location')!), now: new Date() });
    expect(verified).toMatchObject({ nameId: identity.nameId, sessionIndex: identity.sessionIndex });
    expect((await post(`${SPID_IDP_PREFIX}/esci`, { sessione: identity.sessionIndex! }, { redirect: 'manual' })).status).toBe(400);
  });
});
