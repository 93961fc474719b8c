/**
 * Create-position throughput and latency on the local stack, at 1, 8 and 32 concurrent clients,
 * side by side with a baseline: the same DynamoDB Local doing only the writes a create needs
 * (IUV counter + the position transaction), without HTTP, authentication or validation.
 *
 *   npx tsx scripts/bench-positions.ts [--requests 400]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../shared/adapters/dynamo/debt-position-store';
import { makeNoticeNumber } from '../shared/domain/notice-number';
import type { DebtPosition } from '../shared/domain/debt-position';
import { closedLoop, type LoadResult } from './bench/load';
import { startStackProcess } from './bench/local-stack-process';

const ORG = '80001234568';
const KEY = 'demo-esempio-key-0123456789abcdef';
const IBAN = 'IT78L0306909606100000117002';

export interface PositionsBench {
  readonly api: LoadResult[];
  readonly storeOnly: LoadResult[];
}

function body(i: number): string {
  return JSON.stringify({
    iupd: `BENCH-${randomUUID()}`,
    type: 'F',
    fiscalCode: 'RCCMNL83S18D969H',
    fullName: `Cittadino ${i}`,
    paymentOption: [
      {
        amount: 12050,
        description: 'TARI 2026 - rata unica',
        isPartialPayment: false,
        dueDate: '2099-03-31',
        transfer: [{ idTransfer: '1', amount: 12050, remittanceInformation: 'TARI 2026', category: '9/0101108TS/', iban: IBAN }],
      },
    ],
  });
}

export async function benchPositions(options: { requests?: number; levels?: number[] } = {}): Promise<PositionsBench> {
  const requests = options.requests ?? 400;
  const levels = options.levels ?? [1, 8, 32];
  const stack = await startStackProcess();
  const client = new DynamoDBClient({
    endpoint: stack.dynamodb,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoDebtPositionStore(createDocumentClient(client), stack.table);
  try {
    const create = async (i: number): Promise<boolean> => {
      const response = await fetch(`${stack.url}/organizations/${ORG}/debtpositions?toPublish=true`, {
        method: 'POST',
        headers: { 'Ocp-Apim-Subscription-Key': KEY, 'Content-Type': 'application/json' },
        body: body(i),
      });
      await response.arrayBuffer();
      return response.status === 201;
    };
    const storeOnly = async (i: number): Promise<boolean> => {
      const [base] = await store.allocateIuvBases(ORG, 1);
      const { iuv, nav } = makeNoticeNumber('12', base ?? 0n);
      const now = new Date().toISOString();
      const iupd = `BASE-${randomUUID()}`;
      const position: DebtPosition = {
        organizationFiscalCode: ORG,
        iupd,
        debtor: { type: 'F', fiscalCode: 'RCCMNL83S18D969H', fullName: `Cittadino ${i}` },
        companyName: 'Comune di Esempio',
        switchToExpired: false,
        status: 'VALID',
        insertedDate: now,
        lastUpdatedDate: now,
        version: 1,
        paymentOptions: [
          {
            iuv,
            nav,
            amount: 12050,
            description: 'TARI 2026',
            isPartialPayment: false,
            dueDate: '2099-03-31T21:59:59.999Z',
            fee: 0,
            status: 'PO_UNPAID',
            metadata: [],
            transfers: [
              { idTransfer: '1', amount: 12050, organizationFiscalCode: ORG, remittanceInformation: 'TARI', category: '9/0101108TS/', iban: IBAN, metadata: [] },
            ],
          },
        ],
      };
      const actor = { organizationFiscalCode: ORG, keyId: 'bench', requestId: randomUUID() };
      const event = {
        eventId: randomUUID(),
        eventType: 'debt-position.created' as const,
        occurredAt: now,
        organizationFiscalCode: ORG,
        iupd,
        version: 1,
        status: 'VALID' as const,
        payable: true,
        noticeNumbers: [nav],
      };
      return (await store.create(position, { at: now, action: 'create', actor, version: 1 }, [event])) === undefined;
    };
    await closedLoop(4, 40, create); // warm the handlers and the key cache
    await closedLoop(4, 40, storeOnly);
    const api: LoadResult[] = [];
    const base: LoadResult[] = [];
    for (const concurrency of levels) {
      const n = concurrency === 1 ? Math.min(requests, 200) : requests;
      api.push(await closedLoop(concurrency, n, create));
      base.push(await closedLoop(concurrency, n, storeOnly));
    }
    return { api, storeOnly: base };
  } finally {
    client.destroy();
    await stack.stop();
  }
}

export function formatPositionsTable(result: PositionsBench): string {
  const lines = [
    'Create debt position (POST ...?toPublish=true, local stack over HTTP) vs baseline (same writes straight to DynamoDB Local)',
    '| clients | API req/s | API p50 ms | API p99 ms | API errors | baseline req/s | baseline p50 ms | baseline p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  result.api.forEach((a, i) => {
    const b = result.storeOnly[i];
    if (!b) return;
    lines.push(
      `| ${a.concurrency} | ${a.perSecond.toFixed(0)} | ${a.p50Ms.toFixed(1)} | ${a.p99Ms.toFixed(1)} | ${a.errors} | ${b.perSecond.toFixed(0)} | ${b.p50Ms.toFixed(1)} | ${b.p99Ms.toFixed(1)} |`,
    );
  });
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { requests: { type: 'string' } } });
  const result = await benchPositions({ requests: values.requests ? Number(values.requests) : undefined });
  console.log(formatPositionsTable(result));
}
