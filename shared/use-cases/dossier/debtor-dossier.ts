/**
 * The citizen's dossier (fascicolo): what a tenant knows about one debtor — their positions,
 * whether each has a printed notice, the receipts that paid them and the App IO / e-mail
 * messages sent about them. The tenant's own data only.
 */
import * as z from 'zod';
import { statusAt, type DebtPosition, type PositionStatus } from '../../domain/debt-position';
import { validateCodiceFiscale, validatePartitaIva } from '../../domain/fiscal-code';
import { noticeAvailability, type NoticeAvailability } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import type { MessageRecord, MessageRecordStore } from '../app-io/ports';
import { UseCaseError } from '../errors';
import type { ReceiptStore, StoredReceipt } from '../receipts/ports';
import type { DebtorPositions } from './ports';

export const MAX_DOSSIER_POSITIONS = 200;

export interface DossierDeps {
  readonly debtorPositions: DebtorPositions;
  readonly receipts: Pick<ReceiptStore, 'receiptsOf'>;
  readonly messages: Pick<MessageRecordStore, 'ofPosition'>;
  readonly clock: () => Date;
}

export interface DossierEntry {
  readonly position: DebtPosition;
  /** the status now (time-driven changes applied) */
  readonly status: PositionStatus;
  readonly notice: NoticeAvailability;
  readonly receipts: readonly StoredReceipt[];
  /** oldest change first */
  readonly messages: readonly MessageRecord[];
}

export interface Dossier {
  readonly organizationFiscalCode: string;
  /** upper case */
  readonly fiscalCode: string;
  readonly positions: readonly DossierEntry[];
  /** more than MAX_DOSSIER_POSITIONS positions: only the first ones are here */
  readonly truncated: boolean;
}

const fiscalCodeSchema = z.string().regex(/^([A-Z0-9]{16}|\d{11}|ANONIMO)$/);

export async function debtorDossier(deps: DossierDeps, organization: Organization, fiscalCode: string): Promise<Dossier> {
  const fc = fiscalCode.toUpperCase();
  if (!fiscalCodeSchema.safeParse(fc).success) {
    throw new UseCaseError('invalid', 'the fiscal code is not a codice fiscale or partita IVA', [{ field: 'fiscalCode', message: 'must be 16 characters or 11 digits' }]);
  }
  // no debtor is stored with a code whose check character/digit is wrong: say so instead of an empty dossier
  const wrong = fc === 'ANONIMO' ? null : fc.length === 16 ? validateCodiceFiscale(fc) : validatePartitaIva(fc);
  if (wrong !== null) throw new UseCaseError('invalid', `the fiscal code is not valid: ${wrong}`, [{ field: 'fiscalCode', message: wrong }]);
  const now = deps.clock();
  const positions = await deps.debtorPositions.ofDebtor(organization.fiscalCode, fc, MAX_DOSSIER_POSITIONS + 1);
  const entries = await Promise.all(
    positions.slice(0, MAX_DOSSIER_POSITIONS).map(async (position): Promise<DossierEntry> => {
      const status = statusAt(position, now);
      const [receipts, messages] = await Promise.all([
        Promise.all(position.paymentOptions.map((o) => deps.receipts.receiptsOf(organization.fiscalCode, o.iuv))).then((r) => r.flat()),
        deps.messages.ofPosition(organization.fiscalCode, position.iupd),
      ]);
      return {
        position,
        status,
        notice: noticeAvailability(status),
        receipts,
        messages: [...messages].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)),
      };
    }),
  );
  return { organizationFiscalCode: organization.fiscalCode, fiscalCode: fc, positions: entries, truncated: positions.length > MAX_DOSSIER_POSITIONS };
}
