/**
 * A back-office webhook receiver by hand (local demo, chaos run):
 *   BACK_OFFICE_SECRET=whsec_… PORT=4100 FAIL_FIRST=2 FAILURE_RATE=0.1 LATENCY_MS=200 \
 *     npx tsx infra/local/simulators/back-office/main.ts
 * Register `http://127.0.0.1:<port>/webhooks` as a subscriber (the local cloud allows http to
 * 127.0.0.1), then restart this with the secret the registration returned.
 */
import { startBackOfficeReceiver } from './receiver';

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};

const receiver = await startBackOfficeReceiver({
  port: num('PORT', 4100),
  secret: process.env['BACK_OFFICE_SECRET'],
  failFirst: num('FAIL_FIRST', 0),
  failureRate: num('FAILURE_RATE', 0),
  latencyMs: num('LATENCY_MS', 0),
  ...(process.env['ALWAYS_STATUS'] ? { alwaysStatus: num('ALWAYS_STATUS', 500) } : {}),
});
console.log(`back-office receiver on ${receiver.url}`);
let seen = 0;
const timer = setInterval(() => {
  for (const r of receiver.requests.slice(seen)) console.log(`${r.at.toISOString()} ${r.status} ${r.eventType ?? '-'} ${r.webhookId ?? '-'} signature ${r.signatureValid ? 'ok' : 'BAD'}`);
  seen = receiver.requests.length;
}, 250);
const stop = () => {
  clearInterval(timer);
  void receiver.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
