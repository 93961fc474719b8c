/**
 * A receipt applied while its reporting flow is being acquired, with fakes and a deterministic
 * interleaving: its payment.received (matchReceipt) runs (a) after the acquirer read the receipt
 * sides and before it wrote the line's claim, or (b) after the claim and before the header. Either
 * way matchReceipt finds nothing to do; the acquirer, looking again once the header is stored,
 * must match the line, once. And when both match the same line, its claim is taken once.
 */
import { describe, expect, it } from 'vitest';
import { acquireFlows } from '../../../shared/use-cases/reconciliation/acquire';
import { matchReceipt } from '../../../shared/use-cases/reconciliation/matching';

const OFC = '80001234568';
const receipt = { organizationFiscalCode: OFC, iuv: '01000000000000001', receiptId: 'R1' };
const ref = { flowId: '2026-12-02BCITITMM-0001', pspId: 'BCITITMM', revision: 1, published: '2026-12-02T10:00:00Z', flowDate: '2026-12-02T10:00:00Z' };
const flowLine = { index: 1, iuv: receipt.iuv, iur: receipt.receiptId, idTransfer: 1, amount: 1000, payStatus: 'EXECUTED', payDate: '2026-12-02' };

async function acquireWhileTheReceiptIsApplied(window: 'before-claim' | 'before-header' | 'after-header') {
  let applied = false;
  let raced: number | undefined;
  const lines = new Map<number, { state: string }>();
  const claims = new Set<string>();
  const flows = new Map<string, any>();
  const moved: string[] = [];
  const reported: string[] = [];
  const resolved: string[] = [];
  const position: any = { iupd: 'P1', organizationFiscalCode: OFC, status: 'PAID', version: 2, paymentOptions: [{ nav: `3${receipt.iuv}`, iuv: receipt.iuv, status: 'PO_PAID', transfers: [{ idTransfer: '1', amount: 1000, status: 'T_UNREPORTED' }] }] };
  const race = async () => {
    if (applied) return;
    applied = true; // the receipt processor applied the receipt; its payment.received is handled now
    raced = await matchReceipt(deps as never, receipt);
  };
  const store: any = {
    acquisition: async () => undefined,
    saveAcquisition: async () => {},
    revisionsOf: async () => [...flows.values()],
    getFlow: async () => flows.get(ref.flowId),
    putFlow: async (flow: any) => {
      if (window === 'before-header') await race();
      flows.set(ref.flowId, flow);
      if (window === 'after-header') await race();
      return true;
    },
    putLines: async (_key: unknown, ls: any[], fromClaims?: boolean) => {
      if (window === 'before-claim') await race();
      for (const l of ls) {
        lines.set(l.index, l);
        if (l.state === 'NO_RECEIPT') claims.add(`${l.iuv}|${l.iur}|${l.index}`);
        else if (!fromClaims) claims.delete(`${l.iuv}|${l.iur}|${l.index}`);
      }
    },
    receiptSides: async (_o: string, ls: any[]) =>
      new Map(ls.map((l) => [`${l.iuv}#${l.iur}`, applied ? { iuvKnown: true, receipt: { iupd: 'P1', nav: `3${receipt.iuv}`, recordedAt: '2026-12-02T09:00:00Z', transfers: [{ idTransfer: 1, amount: 1000 }] } } : { iuvKnown: true }])),
    positions: async () => new Map([['P1', position]]),
    position: async () => position,
    report: async () => {
      reported.push('P1');
      return new Map();
    },
    reportLines: async (_key: unknown, rs: any[]) => {
      for (const r of rs) lines.set(r.line.index, r.line);
    },
    claimsOf: async (_o: string, iuv: string, iur: string) => [...claims].filter((c) => c.startsWith(`${iuv}|${iur}|`)).map((c) => ({ key: { organizationFiscalCode: OFC, ...ref }, index: Number(c.split('|')[2]) })),
    line: async (_key: unknown, index: number) => lines.get(index),
    moveLine: async (_key: unknown, l: any, to: string) => {
      // the claim taken once (a conditional delete in DynamoDB)
      if (!claims.delete(`${l.iuv}|${l.iur}|${l.index}`)) return false;
      moved.push(`NO_RECEIPT→${to}`);
      return true;
    },
    recordAnomalies: async (a: any[]) => a,
    resolveAnomaly: async (_o: string, kind: string) => void resolved.push(kind),
  };
  const deps = {
    store,
    treasury: { openMovementsFor: async () => [] },
    clock: () => new Date('2026-12-02T10:00:00Z'),
    keyOf: async () => 'key',
    fdr: {
      listFlows: async () => ({ flows: [ref], totPage: 1 }),
      getFlow: async () => ({ organizationFiscalCode: OFC, ...ref, regulation: 'SCT', regulationDate: '2026-12-02', totPayments: 1, sumPayments: 1000 }),
      getPayments: async () => ({ lines: [flowLine], totPage: 1 }),
    },
  };
  await acquireFlows(deps as never, OFC);
  return { raced, line: lines.get(1), claims: claims.size, moved, reported, resolved };
}

describe('a receipt applied while its flow is acquired', () => {
  it.each(['before-claim', 'before-header'] as const)('%s: matchReceipt finds nothing, the acquirer looks again and matches the line once', async (window) => {
    const r = await acquireWhileTheReceiptIsApplied(window);
    expect(r.raced).toBe(0);
    expect(r.line?.state).toBe('MATCHED');
    expect(r.claims).toBe(0);
    expect(r.moved).toEqual(['NO_RECEIPT→MATCHED']);
    expect(r.reported).toEqual(['P1']);
    expect(r.resolved).toEqual(['LINE_WITHOUT_RECEIPT']);
  });

  it('after the header: matchReceipt matches it, the acquirer looking again moves nothing twice', async () => {
    const r = await acquireWhileTheReceiptIsApplied('after-header');
    expect(r.raced).toBe(1);
    expect(r.line?.state).toBe('MATCHED');
    expect(r.claims).toBe(0);
    expect(r.moved).toEqual(['NO_RECEIPT→MATCHED']);
  });
});
