/**
 * The chaos run (scripts/chaos.ts) at a small size inside `npm test`: positions over REST, IO
 * faults (10% 429, 5% 500, 2% no answer), receipts delivered 1-3 times at once and late, KO
 * receipts, JSON-webhook receipts, poison messages, an over-long receipt refused at both intakes,
 * back-office webhooks, and the workers killed and restarted four times; every invariant must hold
 * (among them: every receipt a sender was told was taken in is a receipt or an anomaly, and the
 * DLQs hold only the injected poison). Then the reconciliation phase: FdR flows of those payments
 * with every kind of injected discrepancy, a flow published before its receipts (delivered while
 * the workers are dead), revisions (one never seen, one superseding, one jumping 1 → 3), a credit
 * before its flow, treasury statements with a credit off by a cent and one naming an unknown flow;
 * its invariants must hold too. `npm run chaos -- --positions 1000` is the same run at scale.
 */
import { describe, expect, it } from 'vitest';
import { parseChaosArgs, summary } from '../../scripts/chaos';
import { runChaos } from '../../scripts/chaos/run';

describe('chaos run', () => {
  it('150 positions under injected faults and worker kills: every invariant holds', async () => {
    const options = parseChaosArgs(['--positions', '150', '--seed', '7', '--pause-ms', '300', '--drain-timeout-min', '3']);
    const report = await runChaos({ ...options, log: () => {} });
    const failed = report.invariants.filter((i) => i.violations > 0);
    expect(failed, summary(report)).toEqual([]);
    expect(report.kills.length).toBeGreaterThanOrEqual(3);
    // the chaos actually happened: every kind of trouble was injected and every invariant checked something
    expect(report.counts['deliveredTwice']).toBeGreaterThan(0);
    expect(report.counts['deliveredThrice']).toBeGreaterThan(0);
    expect(report.counts['koReceipts']).toBeGreaterThan(0);
    expect(report.counts['jsonWebhookReceipts']).toBeGreaterThan(0);
    // the four poison messages, and only they, in receipts-dlq; the one naming its creditor kept as an anomaly
    expect(report.counts['dlqMessages']).toBe(4);
    expect(report.counts['anomalies']).toBe(1);
    expect(report.counts['refusedAtIntake']).toBe(2);
    expect(Number(report.faults['io429']) + Number(report.faults['io500']) + Number(report.faults['ioNoAnswer'])).toBeGreaterThan(0);
    // the reconciliation phase injected every kind of discrepancy, late flows, revisions and treasury faults
    for (const kind of ['omitPayments', 'extraPayment', 'amountOffCents', 'revokeFirst', 'headerMismatch']) expect(report.counts[`reconFault_${kind}`], kind).toBeGreaterThan(0);
    expect(report.counts['reconCleanFlows']).toBeGreaterThan(0);
    expect(report.counts['reconLateReceipts']).toBeGreaterThan(0);
    expect(report.counts['reconLineWithoutReceiptSettled']).toBe(report.counts['reconLateReceipts']);
    expect(report.counts['reconTailFlows']).toBeGreaterThan(0);
    expect(report.counts['reconRevisions']).toBeGreaterThanOrEqual(4);
    expect(report.counts['reconRevisionsNeverSeen']).toBeGreaterThanOrEqual(2);
    expect(report.counts['reconAmountMismatch']).toBeGreaterThan(0);
    expect(report.counts['reconOtherIntermediary']).toBeGreaterThan(0);
    expect(report.counts['reconHeaderMismatch']).toBeGreaterThan(0);
    expect(report.counts['reconReceiptNotReported']).toBeGreaterThan(0);
    expect(report.counts['reconTreasuryAmountMismatch']).toBe(report.counts['reconFdrTenants']);
    expect(report.counts['reconTreasuryUnknownFlow']).toBe(report.counts['reconFdrTenants']);
    expect(report.counts['reconTreasuryUnknownFlowSettled']).toBe(1);
    expect(report.counts['reconTransfersReported']).toBeGreaterThan(0);
    expect(report.kills.filter((k) => k.phase === 'reconciliation').length).toBeGreaterThanOrEqual(1);
    expect(report.invariants.filter((i) => i.name.startsWith('reconciliation:')).length).toBe(9);
    for (const i of report.invariants) expect(i.checked, i.name).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
  }, 240_000);
});
