/**
 * A back office's webhook endpoint, for tests, the local demo and the chaos run: an HTTP listener
 * on 127.0.0.1 that verifies `X-Webhook-Signature` with the subscriber's secret, records what it
 * got (every request, and the accepted events by their `X-Webhook-Id`, the de-duplication key),
 * and can misbehave on demand: fail the first N tries of each event, fail a share of requests,
 * answer late, or always answer a fixed status.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER, verifyWebhookSignature } from '../../../../shared/domain/webhook-signature';

export interface ReceiverFaults {
  /** answer `failureStatus` to the first N tries of every event id (then accept) */
  failFirst: number;
  /** share (0..1) of the remaining tries answered `failureStatus` */
  failureRate: number;
  failureStatus: number;
  /** when set, every correctly signed try is answered with this status (a permanently broken back office) */
  alwaysStatus?: number;
  /** delay before answering, ms */
  latencyMs: number;
}

export interface ReceiverOptions extends Partial<ReceiverFaults> {
  /** 0 = a random free port */
  port?: number;
  /** the subscriber's signing secret; settable later (it is generated when the subscriber is registered) */
  secret?: string;
  /** signatures older/newer than this are refused (default 300 s) */
  toleranceSeconds?: number;
  /** [0,1) source for failureRate; Math.random by default, pass a seeded one for repeatable runs */
  random?: () => number;
}

export interface ReceivedRequest {
  readonly webhookId: string | undefined;
  readonly eventType: string | undefined;
  readonly signature: string | undefined;
  readonly signatureValid: boolean;
  /** what the receiver answered */
  readonly status: number;
  readonly body: string;
  readonly at: Date;
}

export interface ReceivedEvent {
  readonly webhookId: string;
  readonly eventType: string;
  /** the parsed JSON body */
  readonly event: Record<string, unknown>;
  /** how many times it was accepted (> 1 only with at-least-once duplicates) */
  readonly acceptedCount: number;
}

export interface BackOfficeReceiver {
  /** where to point the subscriber: http://127.0.0.1:<port>/webhooks */
  readonly url: string;
  /** every request, in arrival order, including refused and failed ones */
  readonly requests: readonly ReceivedRequest[];
  /** the accepted events, one per webhook id */
  events(): ReceivedEvent[];
  /** the tries seen for one webhook id */
  triesOf(webhookId: string): ReceivedRequest[];
  setSecret(secret: string): void;
  setFaults(faults: Partial<ReceiverFaults>): void;
  /** resolves when `predicate` holds, polling every 25 ms; rejects after timeoutMs */
  waitFor(predicate: (r: BackOfficeReceiver) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;

export async function startBackOfficeReceiver(options: ReceiverOptions = {}): Promise<BackOfficeReceiver> {
  let secret = options.secret;
  const random = options.random ?? Math.random;
  const faults: ReceiverFaults = {
    failFirst: options.failFirst ?? 0,
    failureRate: options.failureRate ?? 0,
    failureStatus: options.failureStatus ?? 500,
    alwaysStatus: options.alwaysStatus,
    latencyMs: options.latencyMs ?? 0,
  };
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, { webhookId: string; eventType: string; event: Record<string, unknown>; acceptedCount: number }>();
  const triesById = new Map<string, number>();
  const pending = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/webhooks') {
      req.resume();
      return answer(res, 404, { error: 'not found' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return answer(res, 413, { error: 'too large' });
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const webhookId = header(WEBHOOK_ID_HEADER);
    const eventType = header(WEBHOOK_EVENT_HEADER);
    const signature = header(SIGNATURE_HEADER);
    const verified =
      secret !== undefined &&
      verifyWebhookSignature({
        header: signature,
        body,
        secrets: [secret],
        nowSeconds: Math.floor(Date.now() / 1000),
        toleranceSeconds: options.toleranceSeconds,
      }).ok;

    let status: number;
    if (faults.latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          pending.delete(t);
          resolve();
        }, faults.latencyMs);
        pending.add(t);
      });
    }
    let event: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) event = parsed as Record<string, unknown>;
    } catch {
      event = undefined;
    }
    if (!verified) status = 401;
    else if (!webhookId || !eventType || !event || event['eventId'] !== webhookId) status = 400;
    else {
      const tries = (triesById.get(webhookId) ?? 0) + 1;
      triesById.set(webhookId, tries);
      if (faults.alwaysStatus !== undefined) status = faults.alwaysStatus;
      else if (tries <= faults.failFirst) status = faults.failureStatus;
      else if (faults.failureRate > 0 && random() < faults.failureRate) status = faults.failureStatus;
      else status = 200;
    }
    if (status >= 200 && status < 300 && webhookId && eventType && event) {
      const seen = accepted.get(webhookId);
      accepted.set(webhookId, { webhookId, eventType, event, acceptedCount: (seen?.acceptedCount ?? 0) + 1 });
    }
    requests.push({ webhookId, eventType, signature, signatureValid: verified, status, body, at: new Date() });
    answer(res, status, status < 300 ? { received: webhookId, duplicate: (accepted.get(webhookId!)?.acceptedCount ?? 1) > 1 } : { error: 'injected or refused' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, { error: 'receiver error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;

  const receiver: BackOfficeReceiver = {
    url,
    requests,
    events: () => [...accepted.values()],
    triesOf: (id) => requests.filter((r) => r.webhookId === id),
    setSecret: (s) => {
      secret = s;
    },
    setFaults: (f) => Object.assign(faults, f),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver)) {
        if (Date.now() > deadline) throw new Error(`back-office receiver: condition not met within ${timeoutMs} ms (${requests.length} requests seen)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    reset() {
      requests.length = 0;
      accepted.clear();
      triesById.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of pending) clearTimeout(t);
        pending.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return receiver;
}
