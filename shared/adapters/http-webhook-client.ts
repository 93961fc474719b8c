/**
 * POSTs a webhook to a subscriber: node:http(s), a hard deadline, no redirects followed, at most
 * 64 KiB of the answer read (and thrown away), and the resolved address checked before connecting
 * (a public name that resolves to a private or metadata address is refused: DNS-based SSRF).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress } from '../domain/webhook-url';
import type { SendOutcome, WebhookSender } from '../use-cases/webhooks/ports';

const MAX_RESPONSE_BYTES = 64 * 1024;

export class BlockedAddressError extends Error {
  constructor() {
    super('the subscriber host resolves to a forbidden address');
    this.name = 'BlockedAddressError';
  }
}

/** A dns.lookup that refuses forbidden addresses (every address of the answer is checked). */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      if (addresses.length === 0 || addresses.some((a) => isForbiddenAddress(a.address, { allowLoopback }))) {
        return callback(new BlockedAddressError());
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}

export class HttpWebhookClient implements WebhookSender {
  private readonly lookup: LookupFunction;
  private readonly https: HttpsAgent;
  private readonly http: HttpAgent;

  /** `allowLoopback`: the local cloud delivers to 127.0.0.1 (LOCAL_CLOUD=true only). */
  constructor(private readonly options: { allowLoopback: boolean }) {
    this.lookup = guardedLookup(options.allowLoopback);
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 50, lookup: this.lookup });
    this.http = new HttpAgent({ keepAlive: true, maxSockets: 50, lookup: this.lookup });
  }

  post(req: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<SendOutcome> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return Promise.resolve({ kind: 'error', reason: 'invalid URL' });
    }
    const isHttps = url.protocol === 'https:';
    if (!isHttps && !(url.protocol === 'http:' && this.options.allowLoopback)) {
      return Promise.resolve({ kind: 'error', reason: 'plain http is not allowed' });
    }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (/^[\d.]+$|:/.test(literal) && isForbiddenAddress(literal, { allowLoopback: this.options.allowLoopback })) {
      return Promise.resolve({ kind: 'error', reason: 'forbidden address' });
    }
    const body = Buffer.from(req.body, 'utf8');
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(outcome);
      };
      const send = isHttps ? httpsRequest : httpRequest;
      const request = send(
        url,
        {
          method: 'POST',
          agent: isHttps ? this.https : this.http,
          headers: { ...req.headers, 'Content-Length': String(body.length) },
        },
        (response: IncomingMessage) => {
          const status = response.statusCode ?? 0;
          const retryAfter = parseRetryAfter(response.headers['retry-after']);
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) response.destroy();
          });
          const done = () => finish({ kind: 'response', status, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      // the whole exchange (DNS, connect, TLS, answer) within timeoutMs
      const deadline = setTimeout(() => {
        finish({ kind: 'error', reason: `timed out after ${req.timeoutMs} ms` });
        request.destroy();
      }, req.timeoutMs);
      request.on('error', (error: Error & { code?: string }) => {
        finish({ kind: 'error', reason: error instanceof BlockedAddressError ? 'forbidden address' : error.code ?? error.name });
      });
      request.end(body);
    });
  }

  close(): void {
    this.https.destroy();
    this.http.destroy();
  }
}

/** Retry-After as delta seconds (an HTTP date is ignored: the backoff applies). */
function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,6}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
