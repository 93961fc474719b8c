/**
 * The FdR simulator in the local world: mounted at /_sim/fdr (FDR_API_URL
 * http://127.0.0.1:3000/_sim/fdr/fdr-org/service/v1), its organizations and keys from the seed
 * file (`fdr: {"apiKey"}`), its flows built from the receipts the layer received from the node
 * simulator (read from the local table: what the node sent, the creditor received). Optionally
 * closes today's receipts into flows by itself every `autoCloseSeconds`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../../../shared/adapters/dynamo/client';
import { DynamoReceiptStore } from '../../../../shared/adapters/dynamo/receipt-store';
import { createFdrSimulator, FDR_API_PREFIX, type FdrSimulator, type SimReceipt } from './simulator';

export interface LocalFdr {
  readonly sim: FdrSimulator;
  readonly mounts: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  /** FDR_API_URL of a gateway at `gatewayUrl` */
  apiUrl(gatewayUrl: string): string;
  /** connects the receipt source to the running cloud's table */
  bind(cloud: { endpoints: { dynamodb: string }; env: Record<string, string>; region: string }): void;
  /** stops the auto close timer and the DynamoDB client */
  stop(): void;
}

export const FDR_MOUNT = '/_sim/fdr';

export function createLocalFdr(options: { seedFile: string; autoCloseSeconds?: number }): LocalFdr {
  let source: { store: DynamoReceiptStore; client: DynamoDBClient } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sim = createFdrSimulator({
    receipts: async (date, organizationFiscalCode) => {
      if (!source) return [];
      const from = `${date}T00:00:00.000Z`;
      const to = `${date}T23:59:59.999Z`;
      const out: SimReceipt[] = [];
      for (const org of organizationFiscalCode ? [organizationFiscalCode] : seedOrganizations(options.seedFile).map((o) => o.fiscalCode)) {
        let cursor: string | undefined;
        do {
          const page = await source.store.list(org, { from, to, limit: 100, ...(cursor ? { cursor } : {}) });
          for (const r of page?.items ?? []) {
            if (r.state !== 'APPLIED') continue;
            out.push({
              organizationFiscalCode: r.organizationFiscalCode,
              iuv: r.iuv,
              receiptId: r.receiptId,
              pspId: r.receipt.idPSP,
              pspName: r.receipt.PSPCompanyName,
              paymentDateTime: new Date(r.recordedAt).toISOString(),
              transfers: r.receipt.transferList.map((t) => ({ idTransfer: t.idTransfer, amount: t.transferAmount, fiscalCodePA: t.fiscalCodePA })),
            });
          }
          cursor = page?.cursor;
        } while (cursor);
      }
      return out;
    },
  });
  for (const org of seedOrganizations(options.seedFile)) {
    if (org.fdr?.apiKey) sim.registerOrganization(org.fiscalCode, org.fdr.apiKey, org.name);
  }
  return {
    sim,
    mounts: [{ prefix: FDR_MOUNT, listener: sim.listener }],
    apiUrl: (gatewayUrl) => `${gatewayUrl.replace(/\/+$/, '')}${FDR_MOUNT}${FDR_API_PREFIX}`,
    bind(cloud) {
      const client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      source = { store: new DynamoReceiptStore(createDocumentClient(client), cloud.env['TABLE_NAME_MAIN'] ?? ''), client };
      if (options.autoCloseSeconds && options.autoCloseSeconds > 0) {
        timer = setInterval(() => {
          sim.close(new Date().toISOString().slice(0, 10)).catch(() => undefined);
        }, options.autoCloseSeconds * 1000);
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      source?.client.destroy();
      source = undefined;
    },
  };
}

interface SeedOrg {
  fiscalCode: string;
  name?: string;
  fdr?: { apiKey?: string };
}

export function seedOrganizations(seedFile: string): SeedOrg[] {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as { organizations?: SeedOrg[] };
  return raw.organizations ?? [];
}
