/**
 * What the debt-position use cases need, beyond the stores every feature shares
 * (shared/use-cases/ports.ts).
 */
import type { DebtPosition } from '../../domain/debt-position';
import type { DebtPositionStore } from '../ports';

export interface PositionDeps {
  readonly positions: DebtPositionStore;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export interface CreatePositionDeps extends PositionDeps {
  /** told of every position created, once it is stored (the composition root counts PositionCreated) */
  readonly onCreated: (position: DebtPosition) => void;
}
