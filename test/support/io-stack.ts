/**
 * The local stack with the outside world of citizen messages: the App IO simulator at /_sim/io
 * and the e-mail outbox at /_sim/mail (a temporary directory), the default seed, and fast
 * retries (1..2 s backoff) so tests with injected 429/500 finish quickly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createLocalIo, type LocalIo } from '../../infra/local/io-local';
import { seedOrganizations } from '../../infra/local/seed';
import { ESEMPIO_KEY } from './local-stack';

export interface IoStack {
  readonly cloud: LocalCloud;
  readonly io: LocalIo;
  api(method: string, path: string, options?: { key?: string | null; body?: unknown }): Promise<{ status: number; json: any; text: string }>;
  /** puts a raw body on the io-messages queue (duplicates, reminder requests) */
  enqueue(body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startIoStack(options: { seedFile?: string; env?: Record<string, string> } = {}): Promise<IoStack> {
  const outboxDir = mkdtempSync(join(tmpdir(), 'io-outbox-'));
  const seedFile = options.seedFile ?? resolve('infra/local/seed.json');
  const io = createLocalIo({ seedFile, outboxDir });
  const logs: string[] = [];
  const cloud = await startLocalCloud({ port: 0, log: (l) => logs.push(l), mounts: io.mounts });
  const env: Record<string, string> = {
    IO_API_URL: io.apiUrl(cloud.url),
    EMAIL_OUTBOX_DIR: outboxDir,
    IO_BACKOFF_BASE_SECONDS: '1',
    IO_BACKOFF_MAX_SECONDS: '2',
    IO_TIMEOUT_MS: '2000',
    ...options.env,
  };
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await seedOrganizations(seedFile, cloud);
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  const sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    cloud,
    io,
    async api(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const key = opts.key === undefined ? ESEMPIO_KEY : opts.key;
      if (key !== null) headers['Ocp-Apim-Subscription-Key'] = key;
      if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${cloud.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    },
    async enqueue(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: cloud.env['QUEUE_URL_IO_MESSAGES'], MessageBody: JSON.stringify(body) }));
    },
    async stop() {
      sqs.destroy();
      await cloud.stop();
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
