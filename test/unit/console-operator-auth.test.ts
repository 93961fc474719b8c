/**
 * The console's operator tokens (shared/http/operator-auth.ts) and roles
 * (shared/use-cases/operators/roles.ts): every way a token can be wrong is a 401 with its reason;
 * a valid operator outside their organizations or their role is a 403; Cognito's token shape
 * (client_id instead of aud, custom:* attributes) is read like the local provider's.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyObject, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { HttpProblem } from '../../shared/http/problem';
import { makeConsoleAuthorizer, makeOperatorVerifier, type OperatorVerifier } from '../../shared/http/operator-auth';
import { decideAccess, roleAllows } from '../../shared/use-cases/operators/roles';
import type { Organization } from '../../shared/domain/organization';

const ISSUER = 'https://idp.example.test/pool';
const AUDIENCE = 'console-api';
const ESEMPIO = '80001234568';
const ALTROVE = '80007654322';

type Key = KeyObject | CryptoKey;
let rsa: { privateKey: Key; kid: string };
let ec: { privateKey: Key; kid: string };
let stranger: { privateKey: Key };
let verify: OperatorVerifier;
const now = new Date('2026-12-02T10:00:00Z');
const epoch = Math.floor(now.getTime() / 1000);

beforeAll(async () => {
  const a = await generateKeyPair('RS256', { extractable: true });
  const c = await generateKeyPair('ES256', { extractable: true });
  const b = await generateKeyPair('RS256', { extractable: true });
  rsa = { privateKey: a.privateKey, kid: 'rsa-1' };
  ec = { privateKey: c.privateKey, kid: 'ec-1' };
  stranger = { privateKey: b.privateKey };
  const keys = createLocalJWKSet({
    keys: [
      { ...(await exportJWK(a.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(c.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  });
  verify = makeOperatorVerifier({ issuer: ISSUER, audience: AUDIENCE, keys, clock: () => now });
});

const claims = (over: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'u-1',
  iat: epoch - 60,
  exp: epoch + 3600,
  preferred_username: 'olga',
  name: 'Olga Operatrice',
  role: 'operator',
  organizations: [ESEMPIO],
  ...over,
});

async function sign(payload: JWTPayload, key: { privateKey: Key }, header: { alg: string; kid?: string }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
}
const rs = (payload: JWTPayload) => sign(payload, rsa, { alg: 'RS256', kid: rsa.kid });

async function refusal(promise: Promise<unknown>): Promise<{ status: number; detail: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, detail: error.detail };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('operator token verification', () => {
  it('accepts a token signed RS256 or ES256 by the issuer, for this audience, in time', async () => {
    expect(await verify(`Bearer ${await rs(claims())}`)).toEqual({ subject: 'u-1', username: 'olga', name: 'Olga Operatrice', role: 'operator', organizations: [ESEMPIO] });
    const es = await sign(claims({ role: 'viewer' }), ec, { alg: 'ES256', kid: ec.kid });
    expect((await verify(`Bearer ${es}`)).role).toBe('viewer');
  });

  it.each([
    ['no header', undefined, 'a bearer token (Authorization: Bearer <JWT>) is required'],
    ['not a bearer', 'Basic b2xnYTpwdw==', 'a bearer token (Authorization: Bearer <JWT>) is required'],
    ['not a JWT', 'Bearer abc.def', 'a bearer token (Authorization: Bearer <JWT>) is required'],
  ])('401 with %s', async (_what, header, detail) => {
    expect(await refusal(verify(header))).toEqual({ status: 401, detail });
  });

  it('401: a bad signature (another key under the issuer key id)', async () => {
    const forged = await sign(claims({ role: 'admin' }), stranger, { alg: 'RS256', kid: rsa.kid });
    expect(await refusal(verify(`Bearer ${forged}`))).toEqual({ status: 401, detail: 'invalid bearer token: signature does not verify' });
    // a payload edited after signing
    const [h, , s] = (await rs(claims())).split('.');
    const edited = Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url');
    expect((await refusal(verify(`Bearer ${h}.${edited}.${s}`))).status).toBe(401);
  });

  it('401: a key the issuer does not publish', async () => {
    const unknown = await sign(claims(), stranger, { alg: 'RS256', kid: 'nobody' });
    expect(await refusal(verify(`Bearer ${unknown}`))).toEqual({ status: 401, detail: 'invalid bearer token: signed with a key the issuer does not publish' });
  });

  it('401: wrong audience, or none', async () => {
    expect(await refusal(verify(`Bearer ${await rs(claims({ aud: 'another-api' }))}`))).toEqual({ status: 401, detail: 'invalid bearer token: not issued for this API (audience)' });
    expect((await refusal(verify(`Bearer ${await rs(claims({ aud: undefined }))}`))).status).toBe(401);
    expect((await refusal(verify(`Bearer ${await rs(claims({ aud: undefined, client_id: 'other-client' }))}`))).status).toBe(401);
  });

  it('401: wrong issuer', async () => {
    expect(await refusal(verify(`Bearer ${await rs(claims({ iss: 'https://evil.example.test/pool' }))}`))).toEqual({ status: 401, detail: 'invalid bearer token: claim iss is not valid' });
  });

  it('401: expired (beyond the 30 s tolerance), or without an expiry', async () => {
    expect(await refusal(verify(`Bearer ${await rs(claims({ exp: epoch - 31 }))}`))).toEqual({ status: 401, detail: 'invalid bearer token: expired' });
    expect((await verify(`Bearer ${await rs(claims({ exp: epoch - 5 }))}`)).username).toBe('olga');
    expect((await refusal(verify(`Bearer ${await rs(claims({ exp: undefined }))}`))).status).toBe(401);
  });

  it('401: an unsigned token or a symmetric (HS256) one', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect((await refusal(verify(`Bearer ${enc({ alg: 'none' })}.${enc(claims())}.x`))).status).toBe(401);
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    expect((await refusal(verify(`Bearer ${hs}`))).status).toBe(401);
  });

  it('401: no console role, or organizations that are not fiscal codes', async () => {
    expect(await refusal(verify(`Bearer ${await rs(claims({ role: 'superuser' }))}`))).toEqual({ status: 401, detail: 'invalid bearer token: no console role (admin, operator, viewer)' });
    expect((await refusal(verify(`Bearer ${await rs(claims({ organizations: ['ESEMPIO'] }))}`))).status).toBe(401);
  });

  it("reads Amazon Cognito's shape: client_id for the audience, custom:role and custom:organizations", async () => {
    const cognito = await rs(claims({ aud: undefined, client_id: AUDIENCE, token_use: 'access', role: undefined, organizations: undefined, preferred_username: undefined, name: undefined, username: 'anna', 'custom:role': 'admin', 'custom:organizations': `${ESEMPIO}, ${ALTROVE}` }));
    expect(await verify(`Bearer ${cognito}`)).toEqual({ subject: 'u-1', username: 'anna', name: 'anna', role: 'admin', organizations: [ESEMPIO, ALTROVE] });
  });

  it("401: a Cognito ID token (token_use id), although its aud is the client id", async () => {
    const idToken = await rs(claims({ token_use: 'id' }));
    expect(await refusal(verify(`Bearer ${idToken}`))).toEqual({ status: 401, detail: 'invalid bearer token: not an access token' });
  });

  it("reads Cognito access tokens' groups: the highest role group, and org:<fiscal code> groups", async () => {
    const groups = await rs(claims({ aud: undefined, client_id: AUDIENCE, role: undefined, organizations: undefined, preferred_username: undefined, name: undefined, username: 'luca', 'cognito:groups': ['viewer', 'operator', `org:${ALTROVE}`, 'other-app'] }));
    expect(await verify(`Bearer ${groups}`)).toEqual({ subject: 'u-1', username: 'luca', name: 'luca', role: 'operator', organizations: [ALTROVE] });
    const noRole = await rs(claims({ role: undefined, 'cognito:groups': [`org:${ALTROVE}`] }));
    expect((await refusal(verify(`Bearer ${noRole}`))).status).toBe(401);
  });
});

describe('operator token verification when the issuer is unreachable', () => {
  it("answers 503 (retry), not 401: the token may be fine, the issuer's keys could not be read", async () => {
    const unreachable = makeOperatorVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => { throw new TypeError('fetch failed'); }, clock: () => now });
    expect(await refusal(unreachable(`Bearer ${await rs(claims())}`))).toEqual({ status: 503, detail: "the identity provider's keys could not be read; retry" });
  });
});

describe('roles', () => {
  it('viewer reads; operator reads and writes; admin also administers', () => {
    const table = (['viewer', 'operator', 'admin'] as const).map((role) => [role, (['read', 'write', 'admin'] as const).map((p) => roleAllows(role, p))]);
    expect(table).toEqual([
      ['viewer', [true, false, false]],
      ['operator', [true, true, false]],
      ['admin', [true, true, true]],
    ]);
  });

  it('an organization outside the token is refused whatever the role', () => {
    const admin = { subject: 's', username: 'a', name: 'A', role: 'admin' as const, organizations: [ALTROVE] };
    expect(decideAccess(admin, ESEMPIO, 'read')).toEqual({ allowed: false, reason: 'this operator is not authorized for that organization' });
    expect(decideAccess(admin, ALTROVE, 'admin')).toEqual({ allowed: true });
  });
});

describe('the console authorizer', () => {
  const organization = (fiscalCode: string, status: Organization['status'] = 'ACTIVE') => ({ fiscalCode, name: 'Comune', status }) as unknown as Organization;
  const orgs = new Map([[ESEMPIO, organization(ESEMPIO)], [ALTROVE, organization(ALTROVE, 'SUSPENDED')]]);
  const authorizer = () => makeConsoleAuthorizer({ verify, organizations: { get: async (fc) => orgs.get(fc) } });
  const headers = async (over: JWTPayload) => ({ authorization: `Bearer ${await rs(claims(over))}` });

  it("gives the use cases an Actor carrying the operator's identity (the audit trail's 'who')", async () => {
    const caller = await authorizer()(await headers({}), ESEMPIO, 'req-1', 'write');
    expect(caller.actor).toEqual({ organizationFiscalCode: ESEMPIO, keyId: 'console', requestId: 'req-1', operator: { subject: 'u-1', username: 'olga', name: 'Olga Operatrice', role: 'operator' } });
    expect(caller.organization.fiscalCode).toBe(ESEMPIO);
  });

  it('403: a viewer writing, an operator administering, another organization, a suspended one', async () => {
    expect(await refusal(authorizer()(await headers({ role: 'viewer' }), ESEMPIO, 'r', 'write'))).toEqual({ status: 403, detail: "the role 'viewer' does not allow this (read only)" });
    expect(await refusal(authorizer()(await headers({}), ESEMPIO, 'r', 'admin'))).toEqual({ status: 403, detail: "the role 'operator' does not allow this (administrators only)" });
    expect(await refusal(authorizer()(await headers({}), ALTROVE, 'r', 'read'))).toEqual({ status: 403, detail: 'this operator is not authorized for that organization' });
    expect(await refusal(authorizer()(await headers({ organizations: [ALTROVE] }), ALTROVE, 'r', 'read'))).toEqual({ status: 403, detail: 'the organization is not active' });
  });

  it('401 before any organization is looked at when the token is bad', async () => {
    let lookups = 0;
    const counting = makeConsoleAuthorizer({ verify, organizations: { get: async (fc) => (lookups++, orgs.get(fc)) } });
    expect((await refusal(counting({ authorization: `Bearer ${await rs(claims({ aud: 'x' }))}` }, ESEMPIO, 'r', 'read'))).status).toBe(401);
    expect(lookups).toBe(0);
  });
});
