/**
 * The console's presigned upload of a large tax list (POST /console-api/…/uploads/presigned,
 * shared/http/console-edge.ts), with in-memory stores and a real token verifier over a local key
 * set: the route is a 'write' route of the catalog's console-api; an operator's announcement
 * reaches the SAME use case as the GPD route (announceUpload): the upload recorded AWAITING_FILE
 * under the operator's municipality and its broker, the operator as its actor, a PUT URL signed
 * for uploads/<ofc>/<fileId>, the announced length and 15 minutes; a bad announcement is the SAME
 * ProblemJson the GPD route answers (the same zod schema through the same parseWith); a viewer,
 * an operator of another municipality and a caller without a token are refused before anything
 * is recorded or signed. The console's own limits (web/console/src/uploads.ts) mirror the API's.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { functionById } from '../../infra/catalog';
import { CONSOLE_ROUTES, consoleApi, type ConsoleEdgeDeps } from '../../shared/http/console-edge';
import { MAX_INLINE_FILE_BYTES } from '../../shared/http/gpd-upload-edge';
import { announceUploadSchema } from '../../shared/http/gpd-upload-schemas';
import { makeConsoleAuthorizer, makeOperatorVerifier } from '../../shared/http/operator-auth';
import { HttpProblem } from '../../shared/http/problem';
import { parseWith } from '../../shared/http/rest-edge';
import { createLogger } from '../../shared/observability/logger';
import type { Upload, UploadObjects, UploadStore } from '../../shared/use-cases/bulk-upload/ports';
import { MAX_PRESIGNED_BYTES, PRESIGNED_URL_SECONDS } from '../../shared/use-cases/bulk-upload/uploads';
import { ESEMPIO } from '../fixtures/positions';
import { InMemoryOrganizationStore, answerOf, apiRequest, lambdaContext } from './positions/fakes';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'console-api';
const ROUTE = '/console-api/organizations/{organizationFiscalCode}/uploads/presigned';
const NOW = new Date('2026-12-03T10:00:00.000Z');

let token: (role: string, organizations?: string[]) => Promise<string>;
let deps: ConsoleEdgeDeps;
/** what the fake store recorded, and how (createFollowedUp: the follow-up ends it if no file arrives) */
const recorded: Array<{ how: 'create' | 'createFollowedUp'; upload: Upload }> = [];
const signed: Array<{ key: string; contentLength: number; contentType: string; expiresInSeconds: number }> = [];
let ids = 0;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
  token = (role, organizations = [ESEMPIO.fiscalCode]) =>
    new SignJWT({ role, organizations, preferred_username: `${role}.user`, name: `The ${role}` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`sub-${role}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const organizations = new InMemoryOrganizationStore();
  await organizations.create(ESEMPIO);
  await organizations.create({ ...ESEMPIO, fiscalCode: '99999999999', name: 'Comune di Altrove' });
  const verify = makeOperatorVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
  const uploads = {
    create: async (upload: Upload) => void recorded.push({ how: 'create', upload }),
    createFollowedUp: async (upload: Upload) => void recorded.push({ how: 'createFollowedUp', upload }),
  } as unknown as UploadStore;
  const objects = {
    presignPut: async (key: string, options: { contentLength: number; contentType: string; expiresInSeconds: number }) => {
      signed.push({ key, ...options });
      return `https://uploads.s3.eu-south-1.amazonaws.com/${key}?X-Amz-Expires=${options.expiresInSeconds}&X-Amz-Signature=abc`;
    },
  } as unknown as UploadObjects;
  const clock = () => NOW;
  const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  deps = {
    logger: createLogger(),
    organizations,
    clock,
    newId,
    bulk: { uploads, objects, clock, newId } as unknown as ConsoleEdgeDeps['bulk'],
    reconciliation: {} as ConsoleEdgeDeps['reconciliation'],
    verify,
    authorize: makeConsoleAuthorizer({ verify, organizations }),
  } as unknown as ConsoleEdgeDeps;
});

beforeEach(() => {
  recorded.length = 0;
  signed.length = 0;
});

const announce = async (role: string | undefined, body: unknown, options: { ofc?: string; organizations?: string[] } = {}) => {
  const event = apiRequest('POST', ROUTE, { params: { organizationFiscalCode: options.ofc ?? ESEMPIO.fiscalCode }, key: null, body });
  const bearer = role ? await token(role, options.organizations) : undefined;
  return answerOf(consoleApi(deps)({ ...event, headers: { ...event.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } }, lambdaContext));
};

/** what the GPD route answers for the same body: its handler parses it with this same call */
const gpdProblem = (body: unknown): unknown => {
  try {
    parseWith(announceUploadSchema, body, 'body');
  } catch (error) {
    if (error instanceof HttpProblem) return error.toJSON();
    throw error;
  }
  throw new Error(`the announcement schema accepts ${JSON.stringify(body)}`);
};

describe('console presigned upload', () => {
  it("is a 'write' route, beside the inline upload, served by the catalog's console-api function", () => {
    expect(CONSOLE_ROUTES[`POST ${ROUTE}`]).toBe('write');
    expect(CONSOLE_ROUTES['POST /console-api/organizations/{organizationFiscalCode}/uploads']).toBe('write');
    const triggers = functionById('console-api').triggers.flatMap((t) => (t.kind === 'http' ? [`${t.method} ${t.path}`] : []));
    expect(triggers).toContain(`POST ${ROUTE}`);
  });

  it("an operator's announcement: 201 with the PUT URL and its headers; the upload AWAITING_FILE, the operator its actor, under the municipality's key", async () => {
    const size = MAX_INLINE_FILE_BYTES + 123_456;
    const answer = await announce('operator', { fileName: 'TARI-2027.csv', size, operation: 'CREATE' });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    const fileId = answer.json.fileId as string;
    expect(answer.json).toEqual({
      fileId,
      uploadUrl: `https://uploads.s3.eu-south-1.amazonaws.com/uploads/${ESEMPIO.fiscalCode}/${fileId}?X-Amz-Expires=900&X-Amz-Signature=abc`,
      method: 'PUT',
      headers: { 'content-type': 'text/csv', 'content-length': String(size) },
      expiresAt: new Date(NOW.getTime() + PRESIGNED_URL_SECONDS * 1000).toISOString(),
      maxBytes: MAX_PRESIGNED_BYTES,
      upload: expect.objectContaining({ fileId, fileName: 'TARI-2027.csv', state: 'AWAITING_FILE', operationStatus: 'IN_PROGRESS', operation: 'CREATE', format: 'csv', submittedItem: 0 }),
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    // signed for that key only, the announced length and type, 15 minutes
    expect(signed).toEqual([{ key: `uploads/${ESEMPIO.fiscalCode}/${fileId}`, contentLength: size, contentType: 'text/csv', expiresInSeconds: 900 }]);
    // recorded with a follow-up (it ends the upload REFUSED if no file arrives), the operator as its actor
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.how).toBe('createFollowedUp');
    expect(recorded[0]!.upload).toMatchObject({
      organizationFiscalCode: ESEMPIO.fiscalCode,
      brokerCode: ESEMPIO.brokerId,
      fileId,
      state: 'AWAITING_FILE',
      announcedBytes: size,
      objectKey: `uploads/${ESEMPIO.fiscalCode}/${fileId}`,
      ioPaced: true,
      actor: { organizationFiscalCode: ESEMPIO.fiscalCode, keyId: 'console', operator: { subject: 'sub-operator', username: 'operator.user', name: 'The operator', role: 'operator' } },
    });
  });

  it('a ZIP defaults to application/zip; an UPDATE, a DRAFT CREATE and a scheduled App IO release pass through as the GPD route passes them', async () => {
    const zip = await announce('admin', { fileName: 'aggiornamento.zip', size: 5_000_000, operation: 'UPDATE' });
    expect(zip.status, JSON.stringify(zip.json)).toBe(201);
    expect(zip.json.headers['content-type']).toBe('application/zip');
    expect(recorded.at(-1)!.upload).toMatchObject({ operation: 'UPDATE', format: 'json' });
    expect(recorded.at(-1)!.upload.ioPaced).toBeUndefined();
    const draft = await announce('operator', { fileName: 'bozze.csv', size: 5_000_000, toPublish: false, contentType: 'text/plain' });
    expect(draft.status).toBe(201);
    expect(draft.json.headers['content-type']).toBe('text/plain');
    expect(recorded.at(-1)!.upload).toMatchObject({ operation: 'CREATE', toPublish: false });
    const at = '2026-12-20T08:00:00+01:00';
    const scheduled = await announce('operator', { fileName: 'tari.csv', size: 5_000_000, ioSendAt: at });
    expect(scheduled.status).toBe(201);
    expect(recorded.at(-1)!.upload.ioSendAt).toBe(new Date(at).toISOString());
  });

  it('a bad announcement is refused (400) with the ProblemJson of the GPD route, each offending field named; nothing is recorded or signed', async () => {
    const bodies: unknown[] = [
      {},
      { fileName: 'tari.csv' },
      { fileName: 'tari.csv', size: 0 },
      { fileName: 'tari.csv', size: MAX_PRESIGNED_BYTES + 1 },
      { fileName: 'tari.csv', size: 1.5 },
      { fileName: 'tari.pdf', size: 10 },
      { fileName: 'tari.csv', size: 10, operation: 'PATCH' },
      { fileName: 'tari.csv', size: 10, contentType: 'text csv' },
      { fileName: 'tari.csv', size: 10, bucket: 'elsewhere' },
      { fileName: 'tari.csv', size: '10' },
    ];
    for (const body of bodies) {
      const answer = await announce('operator', body);
      expect([body, answer.status, answer.headers['content-type']]).toEqual([body, 400, 'application/problem+json']);
      expect(answer.json, JSON.stringify(body)).toEqual(gpdProblem(body));
      expect((answer.json.errors as unknown[]).length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const fields = (await announce('operator', { fileName: 'tari.pdf', size: MAX_PRESIGNED_BYTES + 1 })).json.errors.map((e: { field: string }) => e.field).sort();
    expect(fields.map((f: string) => f.replace(/^body\./, ''))).toEqual(['fileName', 'size']);
    // the use case's own refusal of ioSendAt, as the GPD route answers it
    const late = await announce('operator', { fileName: 'tari.csv', size: 10, ioSendAt: '2026-12-01T08:00:00+01:00' });
    expect([late.status, late.json.errors]).toEqual([400, [{ field: 'ioSendAt', message: 'must be in the future' }]]);
    const notCreate = await announce('operator', { fileName: 'tari.csv', size: 10, operation: 'DELETE', ioSendAt: '2026-12-20T08:00:00+01:00' });
    expect([notCreate.status, notCreate.json.errors[0].field]).toEqual([400, 'ioSendAt']);
    expect(recorded).toEqual([]);
    expect(signed).toEqual([]);
  });

  it('a viewer (403), an operator of another municipality (403) and a caller without a token (401) are refused before anything is recorded or signed', async () => {
    const body = { fileName: 'tari.csv', size: 5_000_000 };
    const viewer = await announce('viewer', body);
    expect([viewer.status, viewer.json.detail]).toEqual([403, "the role 'viewer' does not allow this (read only)"]);
    const elsewhere = await announce('operator', body, { organizations: ['99999999999'] });
    expect(elsewhere.status).toBe(403);
    const anonymous = await announce(undefined, body);
    expect([anonymous.status, anonymous.headers['www-authenticate']]).toEqual([401, 'Bearer realm="console"']);
    // the permission is checked before the body is read: a viewer's bad body is a 403 too
    expect((await announce('viewer', { fileName: 'x.pdf' })).status).toBe(403);
    expect(recorded).toEqual([]);
    expect(signed).toEqual([]);
  });

  it("the console's limits mirror the API's: inline up to MAX_INLINE_FILE_BYTES, announced up to MAX_PRESIGNED_BYTES", () => {
    // web/console is built for the browser (no DOM in this project's type checking): read its constants as written
    const source = readFileSync(new URL('../../web/console/src/uploads.ts', import.meta.url), 'utf8');
    const constant = (name: string): number => {
      const m = new RegExp(`export const ${name} = ([\\d\\s*]+);`).exec(source);
      expect(m, name).not.toBeNull();
      return m![1]!.split('*').reduce((product, factor) => product * Number(factor.trim()), 1);
    };
    expect(constant('INLINE_MAX_BYTES')).toBe(MAX_INLINE_FILE_BYTES);
    expect(constant('PRESIGNED_MAX_BYTES')).toBe(MAX_PRESIGNED_BYTES);
  });
});
