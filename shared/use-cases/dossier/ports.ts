/**
 * What the citizen's dossier reads besides the receipts (shared/use-cases/ports.ts) and the App
 * IO message records (shared/use-cases/app-io/ports.ts): a tenant's positions of one debtor.
 */
import type { DebtPosition } from '../../domain/debt-position';

export interface DebtorPositions {
  /** the tenant's positions of the debtor with this fiscal code, oldest first, at most `limit` */
  ofDebtor(organizationFiscalCode: string, fiscalCode: string, limit: number): Promise<DebtPosition[]>;
}
