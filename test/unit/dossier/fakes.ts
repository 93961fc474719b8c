/**
 * The dossier's ports in memory, with the semantics of the DynamoDB adapters (positions of one
 * tenant and debtor, newest first by `<insertedDate>#<iupd>`; receipts by position; message
 * records by position), counting every read and how many are in flight at once, so a test can
 * prove what one page costs.
 */
import type { DebtPosition, PaymentOption } from '../../../shared/domain/debt-position';
import { makeNoticeNumber } from '../../../shared/domain/notice-number';
import type { MessageRecord } from '../../../shared/use-cases/app-io/ports';
import type { DossierDeps } from '../../../shared/use-cases/dossier/debtor-dossier';
import type { DebtorPositionMark, DebtorPositionPage } from '../../../shared/use-cases/dossier/ports';
import type { StoredReceipt } from '../../../shared/use-cases/receipts/ports';
import { DEBTOR_CF, ESEMPIO, option, position } from '../../fixtures/positions';

export const NOW = new Date('2027-03-01T08:00:00.000Z');

export interface Reads {
  positions: number;
  receipts: number;
  messages: number;
  /** the most reads (of any kind) that were waiting at the same time */
  maxInFlight: number;
  /** every organization fiscal code a read was keyed by */
  organizations: Set<string>;
}

const sortKey = (p: Pick<DebtPosition, 'insertedDate' | 'iupd'> | DebtorPositionMark) => `${p.insertedDate}#${p.iupd}`;

export class MemoryDossier {
  readonly positions: DebtPosition[] = [];
  readonly receipts: StoredReceipt[] = [];
  readonly messages: MessageRecord[] = [];
  readonly reads: Reads = { positions: 0, receipts: 0, messages: 0, maxInFlight: 0, organizations: new Set() };
  private inFlight = 0;

  deps(): DossierDeps {
    return {
      debtorPositions: { ofDebtor: (ofc, fc, page) => this.read('positions', ofc, () => this.ofDebtor(ofc, fc, page)) },
      positionReceipts: {
        ofPosition: (ofc, iupd) =>
          this.read('receipts', ofc, () =>
            this.receipts.filter((r) => r.organizationFiscalCode === ofc && r.iupd === iupd).sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)),
          ),
      },
      messages: { ofPosition: (ofc, iupd) => this.read('messages', ofc, () => this.messages.filter((m) => m.organizationFiscalCode === ofc && m.iupd === iupd)) },
      clock: () => NOW,
    };
  }

  private ofDebtor(ofc: string, fc: string, page: { limit: number; after?: DebtorPositionMark }): DebtorPositionPage {
    const all = this.positions
      .filter((p) => p.organizationFiscalCode === ofc && p.debtor.fiscalCode === fc)
      .sort((a, b) => sortKey(b).localeCompare(sortKey(a)))
      .filter((p) => page.after === undefined || sortKey(p) < sortKey(page.after));
    return { positions: all.slice(0, page.limit), more: all.length > page.limit };
  }

  /** every read waits a few turns of the event loop, so reads that may overlap do */
  private async read<T>(kind: 'positions' | 'receipts' | 'messages', ofc: string, answer: () => T): Promise<T> {
    this.reads[kind] += 1;
    this.reads.organizations.add(ofc);
    this.inFlight += 1;
    this.reads.maxInFlight = Math.max(this.reads.maxInFlight, this.inFlight);
    try {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      return structuredClone(answer());
    } finally {
      this.inFlight -= 1;
    }
  }

  resetReads(): void {
    Object.assign(this.reads, { positions: 0, receipts: 0, messages: 0, maxInFlight: 0, organizations: new Set() });
  }
}

let nextBase = 1000n;

/** a published position of the debtor with `options` installments, inserted `n` minutes after a fixed instant */
export function debtorPosition(n: number, options = 3, overrides: Partial<DebtPosition> = {}): DebtPosition {
  const paymentOptions: PaymentOption[] = Array.from({ length: options }, (_, i) =>
    option({ ...makeNoticeNumber('12', nextBase++), isPartialPayment: options > 1, dueDate: `2027-0${(i % 9) + 1}-28T21:59:59.999Z`, description: `Rata ${i + 1}` }),
  );
  const at = new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString();
  return position({
    iupd: `TARI-${String(n).padStart(4, '0')}`,
    status: 'VALID',
    publishDate: at,
    insertedDate: at,
    lastUpdatedDate: at,
    paymentOptions,
    ...overrides,
  });
}

export function receiptOf(p: DebtPosition, optionIndex: number, recordedAt: string, state: StoredReceipt['state'] = 'APPLIED', receiptId = `r-${p.iupd}-${optionIndex}-${state}`): StoredReceipt {
  const o = p.paymentOptions[optionIndex]!;
  return {
    organizationFiscalCode: p.organizationFiscalCode,
    iuv: o.iuv,
    nav: o.nav,
    receiptId,
    state,
    iupd: p.iupd,
    recordedAt,
    receipt: {
      receiptId,
      noticeNumber: o.nav,
      fiscalCode: p.organizationFiscalCode,
      outcome: state === 'KO' ? 'KO' : 'OK',
      creditorReferenceId: o.iuv,
      paymentAmount: o.amount,
      description: o.description,
      companyName: ESEMPIO.name,
      debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: DEBTOR_CF, fullName: 'Mario Rossi' },
      transferList: [],
      idPSP: 'BCITITMM',
      PSPCompanyName: 'Banca Esempio',
      idChannel: 'BCITITMM_01',
      channelDescription: 'app',
      paymentDateTime: recordedAt,
    },
  };
}

export function messageOf(p: DebtPosition, optionIndex: number, kind: MessageRecord['kind'], updatedAt: string): MessageRecord {
  return {
    organizationFiscalCode: p.organizationFiscalCode,
    iupd: p.iupd,
    nav: p.paymentOptions[optionIndex]!.nav,
    kind,
    state: 'sent',
    attempts: 1,
    channel: 'io',
    ioMessageId: `io-${p.iupd}-${optionIndex}-${kind}`,
    createdAt: updatedAt,
    updatedAt,
    sentAt: updatedAt,
  };
}
