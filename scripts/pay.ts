/**
 * The pagoPA node, simulated, from the command line: pays a notice on the local stack the way the
 * node does (paVerifyPaymentNotice → paGetPaymentV2 → paSendRTV2, or the signed JSON receipt
 * webhook), printing each SOAP exchange. The broker and station ids come from the seed file.
 *
 *   npm run pay -- <notice number> [--org <fc>] [--url http://127.0.0.1:3000] [--amount <cents>]
 *                  [--ko] [--twice] [--delay <ms>] [--json-webhook] [--payment-note <text>]
 *                  [--seed infra/local/seed.json]
 *
 * The node itself is infra/local/simulators/node (`payNotice(opts)`, re-exported here for the
 * e2e tests, benchmarks and chaos runs).
 */
import { pathToFileURL } from 'node:url';
import { payNotice, type PayOptions } from '../infra/local/simulators/node';

export * from '../infra/local/simulators/node';

function parseArgs(argv: string[]): PayOptions {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (['ko', 'twice', 'json-webhook'].includes(name)) flags[name] = true;
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  const noticeNumber = (positional[0] ?? '').replace(/\s+/g, '');
  if (!/^\d{18}$/.test(noticeNumber)) throw new Error('usage: npm run pay -- <18-digit notice number> [--org <fc>] [--url <url>] [--amount <cents>] [--ko] [--twice] [--delay <ms>] [--json-webhook] [--payment-note <text>]');
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const num = (k: string) => {
    const v = str(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`--${k} must be a whole number`);
    return Number(v);
  };
  return {
    noticeNumber,
    ...(str('org') ? { org: str('org') } : {}),
    url: str('url') ?? process.env['PAY_URL'] ?? 'http://127.0.0.1:3000',
    ...(num('amount') !== undefined ? { amount: num('amount') } : {}),
    ko: flags['ko'] === true,
    twice: flags['twice'] === true,
    ...(num('delay') !== undefined ? { delayMs: num('delay') } : {}),
    jsonWebhook: flags['json-webhook'] === true,
    ...(str('seed') ? { seedFile: str('seed') } : {}),
    ...(str('payment-note') !== undefined ? { paymentNote: str('payment-note') } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = await payNotice(parseArgs(process.argv.slice(2)));
    console.log(`\n${result.outcome}${result.faultCode ? ` (${result.faultCode})` : ''}${result.receipt ? `, receipt ${result.receipt.receiptId}` : ''}`);
    process.exitCode = result.outcome === 'OK' ? 0 : 1;
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
