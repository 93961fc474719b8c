/**
 * fauxqs (SQS + S3 emulator) in this process, listening on 127.0.0.1 only (its `startFauxqs`
 * binds every interface, so the app is built and bound here).
 *
 * Its queue URLs are `http://sqs.<region>.localhost:<port>/000000000000/<name>`, and the SDK sends
 * SQS calls to the QueueUrl's host. `*.localhost` is loopback by RFC 6761 (browsers, macOS and
 * systemd-resolved agree) but glibc alone does not resolve it, so the process's dns.lookup is
 * taught that one suffix (fauxqs's own `interceptLocalhostDns`) while the cloud runs.
 */
import type { AddressInfo } from 'node:net';
import { buildApp, interceptLocalhostDns } from 'fauxqs';

export interface LocalFauxqs {
  /** the host of its queue URLs, so the SDK's endpoint and QueueUrl agree (no redirect warning) */
  sqsEndpoint: string;
  /** an IP endpoint: the SDK addresses buckets path-style on it */
  s3Endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startLocalFauxqs(region: string): Promise<LocalFauxqs> {
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const restoreDns = interceptLocalhostDns('localhost');
  let stopped: Promise<void> | undefined;
  return {
    sqsEndpoint: `http://sqs.${region}.localhost:${port}`,
    s3Endpoint: `http://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= (async () => {
        restoreDns();
        await app.close();
      })();
      return stopped;
    },
  };
}
