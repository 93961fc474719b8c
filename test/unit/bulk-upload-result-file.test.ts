/**
 * The report's result file (shared/use-cases/bulk-upload/uploads.ts uploadResultFile) on an
 * in-memory store and object store: inline up to the limit; above it stored once under
 * results/<ofc>/<fileId>/ with the very bytes the inline answer would have carried, then answered
 * as a presigned GET; a COMPLETED upload's stored file is reused without reading the outcomes
 * again, a CANCELLED one's is stored again; the limit can be lowered, never raised above 4 MiB.
 */
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../shared/domain/organization';
import { govpayResultFile } from '../../shared/http/gpd-upload-rows';
import type { RowOutcome, Upload, UploadObjects, UploadStore } from '../../shared/use-cases/bulk-upload/ports';
import { UploadDenied } from '../../shared/use-cases/bulk-upload/ports';
import { MAX_INLINE_RESULT_BYTES, RESULT_URL_SECONDS, resultObjectKey, uploadResultFile, type UploadReport } from '../../shared/use-cases/bulk-upload/uploads';

const OFC = '80001234568';
const BROKER = '80001234568';
const FILE_ID = '11111111-2222-4333-8444-555555555555';
const organization = { fiscalCode: OFC, name: 'Comune', segregationCode: '01', brokerId: BROKER, stationId: `${BROKER}_01`, ibans: [] } as unknown as Organization;

const upload = (state: Upload['state']): Upload => ({
  organizationFiscalCode: OFC,
  brokerCode: BROKER,
  fileId: FILE_ID,
  operation: 'CREATE',
  format: 'json',
  state,
  objectKey: `uploads/${OFC}/${FILE_ID}`,
  fileName: 'a.zip',
  actor: { kind: 'api-key', id: 'k' } as unknown as Upload['actor'],
  startTime: '2027-01-10T08:00:00.000Z',
  submittedItem: 40,
  processedItem: 40,
  acceptedItem: 39,
  chunks: 1,
  chunksDone: 1,
  splitDone: true,
});

const outcomes: RowOutcome[] = Array.from({ length: 40 }, (_, i) =>
  i === 7 ? { line: i + 2, iupd: `IUPD-${i}`, status: 400, reasons: ['fiscalCode: not valid, "quoted"'] } : { line: i + 2, iupd: `IUPD-${i}`, status: 201, navs: [`3010000000000${String(i).padStart(4, '0')}`] },
).reverse();

function world(state: Upload['state'], maxInlineResultBytes?: number) {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const calls = { puts: 0, renders: 0, outcomeReads: 0, presigned: [] as Array<{ key: string; fileName: string; contentType: string; expiresInSeconds: number }> };
  const store = {
    get: async (ofc: string, fileId: string) => (ofc === OFC && fileId === FILE_ID ? upload(state) : undefined),
    outcomes: async function* () {
      calls.outcomeReads++;
      yield* outcomes;
    },
  } as unknown as UploadStore;
  const objectStore: UploadObjects = {
    put: async (key, bytes, contentType) => {
      calls.puts++;
      objects.set(key, { bytes: Uint8Array.from(bytes), contentType });
    },
    presignPut: () => Promise.reject(new Error('not used')),
    exists: async (key) => objects.has(key),
    presignGet: async (key, options) => {
      calls.presigned.push({ key, ...options });
      return `https://uploads.example/${key}?X-Amz-Signature=abc`;
    },
  };
  const render = async (report: UploadReport) => {
    calls.renders++;
    return govpayResultFile(report);
  };
  const deps = { uploads: store, objects: objectStore, ...(maxInlineResultBytes === undefined ? {} : { maxInlineResultBytes }) };
  return { objects, calls, result: () => uploadResultFile(deps, organization, BROKER, FILE_ID, render) };
}

describe('the result file of an upload', () => {
  it('is answered inline up to the limit, nothing stored', async () => {
    const w = world('COMPLETED');
    const file = await w.result();
    expect(file.kind).toBe('inline');
    if (file.kind !== 'inline') return;
    expect(file.fileName).toBe(`esito-${FILE_ID}.csv`);
    expect(file.contentType).toBe('text/csv; charset=utf-8');
    const lines = Buffer.from(file.bytes).toString('utf8').split('\r\n');
    expect(lines).toHaveLength(42); // header, 40 rows, the final CRLF
    expect(lines[8]).toBe(',,,,,,,,,,,,,,,,,"fiscalCode: not valid, ""quoted"""');
    expect(w.calls.puts).toBe(0);
  });

  it('above the limit: stored once with the bytes the inline answer carries, presigned; a COMPLETED upload\u2019s is reused', async () => {
    const inline = await world('COMPLETED').result();
    if (inline.kind !== 'inline') throw new Error('expected inline');
    const w = world('COMPLETED', inline.bytes.length - 1);
    const first = await w.result();
    const key = resultObjectKey(OFC, FILE_ID);
    expect(key).toBe(`results/${OFC}/${FILE_ID}/esito-${FILE_ID}.csv`);
    expect(first).toEqual({ kind: 'stored', fileName: `esito-${FILE_ID}.csv`, url: `https://uploads.example/${key}?X-Amz-Signature=abc`, expiresInSeconds: RESULT_URL_SECONDS });
    expect(Buffer.from(w.objects.get(key)!.bytes).equals(Buffer.from(inline.bytes))).toBe(true);
    expect(w.objects.get(key)!.contentType).toBe('text/csv; charset=utf-8');
    expect(w.calls.presigned).toEqual([{ key, fileName: `esito-${FILE_ID}.csv`, contentType: 'text/csv; charset=utf-8', expiresInSeconds: 300 }]);

    const second = await w.result();
    expect(second).toEqual(first);
    expect(w.calls).toMatchObject({ puts: 1, renders: 1, outcomeReads: 1 });
  });

  it('exactly at the limit is still inline', async () => {
    const inline = await world('COMPLETED').result();
    if (inline.kind !== 'inline') throw new Error('expected inline');
    expect((await world('COMPLETED', inline.bytes.length).result()).kind).toBe('inline');
  });

  it('a CANCELLED upload\u2019s (its last chunk may still record rows) is stored again on every request', async () => {
    const w = world('CANCELLED', 10);
    await w.result();
    await w.result();
    expect(w.calls).toMatchObject({ puts: 2, renders: 2 });
  });

  it('the limit is never above 4 MiB, whatever the setting', async () => {
    expect(MAX_INLINE_RESULT_BYTES).toBe(4 * 1024 * 1024);
    // base64 of 4 MiB (5.33 MiB) and room for the headers stay under Lambda's 6 MB response
    expect(Math.ceil(MAX_INLINE_RESULT_BYTES / 3) * 4 + 64 * 1024).toBeLessThan(6 * 1024 * 1024);
  });

  it('another broker is refused, an upload in progress too early, before anything is read or stored', async () => {
    const w = world('PROCESSING', 10);
    await expect(w.result()).rejects.toMatchObject({ kind: 'too-early' });
    await expect(uploadResultFile({ uploads: {} as UploadStore, objects: {} as UploadObjects }, { ...organization, brokerId: '99999999999' }, BROKER, FILE_ID, async () => new Uint8Array())).rejects.toBeInstanceOf(UploadDenied);
    expect(w.calls).toMatchObject({ puts: 0, renders: 0 });
  });
});
