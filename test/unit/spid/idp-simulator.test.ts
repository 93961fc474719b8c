/**
 * The local test IdP over real HTTP: its metadata, its refusal of an unsigned or tampered
 * AuthnRequest, and a whole sign-in (login page, demo password, consent, the POST to the ACS)
 * whose answer the SP verifies; "Annulla" answers ErrorCode nr25.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authnRequestRedirect,
  parseIdentityProviderMetadata,
  SamlResponseRejected,
  verifySamlResponse,
  type IdentityProvider,
} from '../../../shared/adapters/spid-saml';
import { DEMO_PASSWORD, SPID_IDP_PREFIX, createLocalSpidIdp, readSeedCitizens, type LocalSpidIdp } from '../../../infra/local/simulators/spid-idp';
import { otherCredentials, sp } from './fixtures';

let server: Server;
let cloud: string;
let sim: LocalSpidIdp;
let seedFile: string;
const local = { ...sp };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spid-idp-'));
  seedFile = join(dir, 'seed.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      citizens: [
        { fiscalNumber: 'RSSMRA80A01H501U', name: 'Mario', familyName: 'Rossi', email: 'mario.rossi@example.com' },
        { fiscalNumber: 'VRDGPP70T10L219Z', name: 'Giuseppe', familyName: 'Verdi' },
      ],
    }),
  );
  sim = createLocalSpidIdp({ seedFile });
  // the gateway's mount: the prefix stripped from req.url
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
  Object.assign(local, { entityId: `${cloud}/cittadino`, acsUrl: `${cloud}/cittadino/spid/acs` });
  sim.bind(cloud, { entityId: local.entityId, acsUrl: local.acsUrl, certificatePem: local.certificatePem });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function idpFromMetadata(scheme: 'spid' | 'cie'): Promise<IdentityProvider> {
  const res = await fetch(sim.metadataUrl(cloud, scheme));
  expect(res.status).toBe(200);
  const idps = parseIdentityProviderMetadata(await res.text(), scheme, { trustedSigners: [sim.credentials(scheme).certificatePem] });
  expect(idps).toHaveLength(1);
  return idps[0]!;
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
const formAction = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)![1]!;
const post = (path: string, form: Record<string, string>) =>
  fetch(`${cloud}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

describe('local SPID/CIE test identity provider', () => {
  it('publishes signed metadata for a SPID and a CIE entity', async () => {
    const spid = await idpFromMetadata('spid');
    const cie = await idpFromMetadata('cie');
    expect(spid).toMatchObject({ entityId: `${cloud}${SPID_IDP_PREFIX}`, ssoRedirectUrl: `${cloud}${SPID_IDP_PREFIX}/sso`, scheme: 'spid' });
    expect(cie).toMatchObject({ entityId: `${cloud}${SPID_IDP_PREFIX}/cie`, ssoRedirectUrl: `${cloud}${SPID_IDP_PREFIX}/cie/sso`, scheme: 'cie' });
    expect(sim.entityId(cloud)).toBe(spid.entityId);
    expect(spid.signingCertificates).not.toEqual(cie.signingCertificates);
  });

  it('refuses an unsigned AuthnRequest, a tampered one and one signed by another key, with an error page', async () => {
    const idp = await idpFromMetadata('spid');
    const { url } = await authnRequestRedirect(local, idp, { relayState: 'relay-1', now: new Date() });
    const unsigned = url.replace(/&SigAlg=[^&]*/, '').replace(/&Signature=[^&]*/, '');
    const res = await fetch(unsigned);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('non è firmata');

    const tampered = await fetch(url.replace('RelayState=relay-1', 'RelayState=relay-2'));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('La firma della richiesta non è valida');

    const foreign = await authnRequestRedirect({ ...local, ...otherCredentials }, idp, { relayState: 'relay-1', now: new Date() });
    expect((await fetch(foreign.url)).status).toBe(400);

    const wrongAcs = await authnRequestRedirect({ ...local, acsUrl: `${cloud}/altro/acs` }, idp, { relayState: 'relay-1', now: new Date() });
    const wrongAcsPage = await fetch(wrongAcs.url);
    expect(wrongAcsPage.status).toBe(400);
    expect(await wrongAcsPage.text()).toContain('AssertionConsumerServiceURL');
  });

  it('signs a citizen in: login page, demo password, consent, the signed answer POSTed to the ACS', async () => {
    const idp = await idpFromMetadata('spid');
    const now = new Date();
    const request = await authnRequestRedirect(local, idp, { relayState: 'relay-ok', now });
    const login = await fetch(request.url);
    expect(login.status).toBe(200);
    const loginHtml = await login.text();
    expect(loginHtml).toContain('<html lang="it">');
    expect(loginHtml).toContain('href="/console/assets/bootstrap-italia.min.css"');
    expect(loginHtml).toContain('<label for="password"');
    expect(loginHtml).toContain(`<strong>${DEMO_PASSWORD}</strong>`);
    expect(loginHtml).toContain('Mario Rossi');
    const loginAction = formAction(loginHtml).replace(cloud, '');

    const wrong = await post(loginAction, { cittadino: 'RSSMRA80A01H501U', password: 'sbagliata', azione: 'accedi' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Password non corretta');

    const consent = await post(loginAction, { cittadino: 'RSSMRA80A01H501U', password: DEMO_PASSWORD, azione: 'accedi' });
    expect(consent.status).toBe(200);
    const consentHtml = await consent.text();
    expect(consentHtml).toContain('Acconsenti');
    const acs = await post(formAction(consentHtml), { azione: 'acconsenti' });
    expect(acs.status).toBe(200);
    const acsHtml = await acs.text();
    expect(formAction(acsHtml)).toBe(local.acsUrl);
    expect(hidden(acsHtml, 'RelayState')).toBe('relay-ok');

    const identity = await verifySamlResponse(local, (id) => (id === idp.entityId ? idp : undefined), {
      samlResponse: hidden(acsHtml, 'SAMLResponse')!,
      expected: { requestId: request.requestId, idpEntityId: idp.entityId, issuedAt: request.issueInstant },
      now: new Date(),
    });
    expect(identity).toMatchObject({ fiscalNumber: 'RSSMRA80A01H501U', name: 'Mario', familyName: 'Rossi', email: 'mario.rossi@example.com', spidLevel: 'SpidL2', scheme: 'spid' });

    // the pending sign-in is used up
    expect((await post(formAction(consentHtml), { azione: 'acconsenti' })).status).toBe(400);
  });

  it('answers ErrorCode nr25 when the citizen presses Annulla (CIE entity)', async () => {
    const idp = await idpFromMetadata('cie');
    const request = await authnRequestRedirect(local, idp, { relayState: 'relay-no', now: new Date() });
    const loginHtml = await (await fetch(request.url)).text();
    const acsHtml = await (await post(formAction(loginHtml).replace(cloud, ''), { azione: 'annulla' })).text();
    const outcome = await verifySamlResponse(local, () => idp, {
      samlResponse: hidden(acsHtml, 'SAMLResponse')!,
      expected: { requestId: request.requestId, idpEntityId: idp.entityId, issuedAt: request.issueInstant },
      now: new Date(),
    }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(SamlResponseRejected);
    expect(outcome).toMatchObject({ reason: 'authn-failed', spidErrorCode: '25' });
  });

  it('checks the seed citizens with the codice fiscale rules', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'spid-seed-')), 'seed.json');
    writeFileSync(bad, JSON.stringify({ citizens: [{ fiscalNumber: 'RSSMRA80A01H501X', name: 'Mario', familyName: 'Rossi' }] }));
    expect(() => readSeedCitizens(bad)).toThrow(/citizens: \[0\.fiscalNumber\] check character/);
    expect(readSeedCitizens(seedFile).map((c) => c.name)).toEqual(['Mario', 'Giuseppe']);
  });
});
