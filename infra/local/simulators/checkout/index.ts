/**
 * The Checkout simulator in the local world: mounted at /_sim/checkout (CHECKOUT_API_URL
 * http://127.0.0.1:3000/_sim/checkout/ec/v1), its subscription keys from the seed file
 * (`checkout: {"apiKey"}` of each organization), the notices checked and paid through the
 * station of the running cloud by the node simulator (../node), silently.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { payNotice, verifyNotice } from '../node';
import { CHECKOUT_API_PREFIX, createCheckoutSimulator, type CheckoutSimulator } from './simulator';

export { CART_TTL_MS, CHECKOUT_API_PREFIX, createCheckoutSimulator, MAX_NOTICES, type CheckoutSimulator, type CheckoutSimulatorOptions, type NodeOutcome, type SimCart, type SimCartRequest, type SimNotice } from './simulator';

export const CHECKOUT_MOUNT = '/_sim/checkout';

export interface LocalCheckout {
  readonly sim: CheckoutSimulator;
  readonly mounts: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  /** CHECKOUT_API_URL of a gateway at `cloudUrl` */
  apiUrl(cloudUrl: string): string;
  /** the station the node calls and the public base of the Location it answers are on the cloud at `cloudUrl` */
  bind(cloudUrl: string): void;
}

interface SeedOrg {
  fiscalCode: string;
  checkout?: { apiKey?: string };
}

export function createLocalCheckout(options: { seedFile: string; now?: () => number }): LocalCheckout {
  const orgs = (JSON.parse(readFileSync(options.seedFile, 'utf8')) as { organizations?: SeedOrg[] }).organizations ?? [];
  const apiKeys = new Set(orgs.flatMap((o) => (o.checkout?.apiKey ? [o.checkout.apiKey] : [])));
  let cloud: string | undefined;
  const silent = () => {};
  const sim = createCheckoutSimulator({
    apiKeys,
    mountPath: CHECKOUT_MOUNT,
    publicBase: () => (cloud === undefined ? undefined : `${cloud}${CHECKOUT_MOUNT}`),
    verify: async (notice) => {
      if (cloud === undefined || !orgs.some((o) => o.fiscalCode === notice.fiscalCode)) return { ok: false };
      const r = await verifyNotice({ noticeNumber: notice.noticeNumber, org: notice.fiscalCode, url: cloud, seedFile: options.seedFile, log: silent });
      return { ok: r.outcome === 'OK', ...(r.faultCode ? { faultCode: r.faultCode } : {}) };
    },
    pay: async (notice, paymentNote) => {
      if (cloud === undefined) return { ok: false };
      const r = await payNotice({
        noticeNumber: notice.noticeNumber,
        org: notice.fiscalCode,
        url: cloud,
        seedFile: options.seedFile,
        log: silent,
        ...(paymentNote !== undefined ? { paymentNote } : {}),
      });
      return { ok: r.outcome === 'OK', ...(r.faultCode ? { faultCode: r.faultCode } : {}) };
    },
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    sim,
    mounts: [{ prefix: CHECKOUT_MOUNT, listener: sim.listener }],
    apiUrl: (cloudUrl) => `${cloudUrl.replace(/\/+$/, '')}${CHECKOUT_MOUNT}${CHECKOUT_API_PREFIX}`,
    bind(cloudUrl) {
      cloud = cloudUrl.replace(/\/+$/, '');
    },
  };
}
