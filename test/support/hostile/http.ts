/**
 * A raw HTTP client (node:http, not fetch): the path goes on the wire exactly as written (no URL
 * normalisation of `..`), the body is bytes (invalid UTF-8 stays invalid), any header is allowed.
 */
import { Agent, request } from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** already percent-encoded where needed; sent as is */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly text: string;
  readonly ms: number;
}

export function createRawClient(baseUrl: string, maxSockets = 16) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string | number> = { ...req.headers };
      if (body !== undefined) headers['content-length'] = body.length;
      const r = request(
        { host: url.hostname, port: Number(url.port), method: req.method, path: req.path, headers, agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text: buf.toString('utf8'), ms: performance.now() - started });
          });
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path.slice(0, 120)}`)));
      r.on('error', (error: NodeJS.ErrnoException) => {
        // the server may answer 413 and close before the whole body is written
        if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
          reject(Object.assign(error, { connectionClosed: true }));
          return;
        }
        reject(error);
      });
      if (body !== undefined) r.end(body);
      else r.end();
    });
  return { send, close: () => agent.destroy() };
}

export type RawClient = ReturnType<typeof createRawClient>;

/** Runs `work` over `items` with at most `concurrency` in flight, results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}
