/**
 * Reading positions: always with the status time has made (a PUBLISHED position whose validity
 * date has come reads VALID, even before the status clock persists it).
 */
import type { DebtPosition, PaymentOption } from '../../domain/debt-position';
import { isIupd, withCurrentStatus } from '../../domain/debt-position';
import { UseCaseError } from '../errors';
import type { DebtPositionStore } from '../ports';
import type { PositionDeps } from './ports';

/**
 * The stored position with that iupd. An iupd the API could never have stored (wrong characters,
 * longer than 70) is not found without a read: a hostile path must not reach the table, whose
 * keys are limited to 2 KB (a longer one is a DynamoDB ValidationException, i.e. a 500).
 */
export async function findPosition(
  store: Pick<DebtPositionStore, 'get'>,
  organizationFiscalCode: string,
  iupd: string,
): Promise<DebtPosition | undefined> {
  return isIupd(iupd) ? store.get(organizationFiscalCode, iupd) : undefined;
}

export async function getDebtPosition(deps: PositionDeps, organizationFiscalCode: string, iupd: string): Promise<DebtPosition> {
  const position = await findPosition(deps.positions, organizationFiscalCode, iupd);
  if (!position) throw new UseCaseError('not-found', `no debt position with iupd ${iupd}`);
  return withCurrentStatus(position, deps.clock());
}

export async function getByNoticeNumber(
  deps: PositionDeps,
  organizationFiscalCode: string,
  nav: string,
): Promise<{ position: DebtPosition; option: PaymentOption }> {
  const found = await findOption(deps, organizationFiscalCode, nav);
  return { position: withCurrentStatus(found.position, deps.clock()), option: found.option };
}

/**
 * The option a back office names by its notice number (NAV, 18 digits) or, as GPD also accepts,
 * by its IUV (17 digits: the layer's NAV is aux digit 3 + IUV); a 404 when there is none.
 */
export async function findOption(
  deps: Pick<PositionDeps, 'positions'>,
  organizationFiscalCode: string,
  code: string,
): Promise<{ position: DebtPosition; option: PaymentOption }> {
  const nav = /^\d{17}$/.test(code) ? `3${code}` : code;
  const found = /^\d{18}$/.test(nav) ? await deps.positions.findByNoticeNumber(organizationFiscalCode, nav) : undefined;
  const option = found?.paymentOptions.find((o) => o.nav === nav);
  if (!found || !option) throw new UseCaseError('not-found', `no payment option with notice number or IUV ${code}`);
  return { position: found, option };
}
