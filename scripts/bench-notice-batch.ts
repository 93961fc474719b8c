/**
 * A notice batch on the local stack: N published positions, their notices removed from the
 * bucket, then one batch timed from POST (202) to state DONE, polling GET every 250 ms; then its
 * ZIP archive (part 1, up to 5,000 notices): built on the first request, linked on the second.
 *
 *   npx tsx scripts/bench-notice-batch.ts [N=300]
 *
 * Local numbers: one process, fauxqs S3/SQS in memory, DynamoDB Local; the worker runs with the
 * catalog's maxConcurrency (local pollers), so this measures the pipeline, not Lambda scaling.
 */
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { noticeKey } from '../shared/use-cases/notices/stored-notices';
import { positionRequest } from '../test/fixtures/positions';
import { ESEMPIO_FC, ESEMPIO_KEY, startLocalStack } from '../test/support/local-stack';

const n = Number(process.argv[2] ?? 300);
const stack = await startLocalStack();
const s3 = new S3Client({
  endpoint: stack.cloud.endpoints.s3,
  region: stack.cloud.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  forcePathStyle: true,
});
try {
  const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
  const iupds: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i += 8) {
    const bodies = Array.from({ length: Math.min(8, n - i) }, () => positionRequest());
    await Promise.all(
      bodies.map(async (body) => {
        const r = await stack.api('POST', `${positions}?toPublish=true`, { body });
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
        iupds.push(String(body['iupd']));
      }),
    );
  }
  await stack.cloud.drain({ timeoutMs: 600_000 });
  console.log(`${n} positions created and their notices rendered on publish in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const bucket = stack.cloud.env['BUCKET_NAME_NOTICES']!;
  for (let i = 0; i < iupds.length; i += 1000) {
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: iupds.slice(i, i + 1000).map((iupd) => ({ Key: noticeKey(ESEMPIO_FC, iupd, 1) })) } }),
    );
  }

  const start = Date.now();
  const created = await stack.api('POST', `/organizations/${ESEMPIO_FC}/notices/batches`, { body: { iupds } });
  if (created.status !== 202) throw new Error(`batch: ${created.status} ${created.text}`);
  const accepted = Date.now() - start;
  let report = created;
  do {
    await new Promise((r) => setTimeout(r, 250));
    report = await stack.api('GET', `/organizations/${ESEMPIO_FC}/notices/batches/${created.json.batchId}`);
  } while (report.json.state === 'RUNNING');
  const seconds = (Date.now() - start) / 1000;
  console.log(
    `batch of ${n}: 202 in ${accepted} ms, ${report.json.state} (done ${report.json.done}, failed ${report.json.failed}) in ${seconds.toFixed(1)} s = ${(n / seconds).toFixed(0)} notices/s`,
  );

  // the batch's ZIP archive (part 1): the first request builds and stores it, a later one only links it;
  // then the download of the archive from the S3 emulator
  const archivePath = `/organizations/${ESEMPIO_FC}/notices/batches/${created.json.batchId}/archive?part=1`;
  const ask = async () => {
    const t = performance.now();
    const r = await fetch(`${stack.url}${archivePath}`, { headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY }, redirect: 'manual' });
    if (r.status !== 303) throw new Error(`archive: ${r.status} ${await r.text()}`);
    return { ms: performance.now() - t, location: r.headers.get('location')! };
  };
  const built = await ask();
  const linked = await ask();
  const t = performance.now();
  const zip = new Uint8Array(await (await fetch(built.location)).arrayBuffer());
  const downloadMs = performance.now() - t;
  const entries = Object.keys(unzipSync(zip)).length;
  console.log(
    `archive of part 1: ${entries} notices, ${(zip.length / 1_048_576).toFixed(1)} MiB (${(zip.length / entries / 1024).toFixed(1)} KiB a notice); built in ${(built.ms / 1000).toFixed(2)} s (first request), linked in ${linked.ms.toFixed(0)} ms (second), downloaded in ${downloadMs.toFixed(0)} ms`,
  );
} finally {
  s3.destroy();
  await stack.stop();
}
