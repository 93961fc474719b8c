/**
 * The citizen's counter (sportello del cittadino): what the signed-in citizen owes and has paid
 * to each municipality of this deployment, read from each tenant's dossier (the same use case the
 * back office's dossier API answers with), and the actions on it: the PDF notice, the PDF receipt,
 * a cart of notices paid through pagoPA Checkout.
 *
 * A citizen sees only positions whose debtor fiscal code is the one the identity provider
 * asserted: every read goes by (tenant, that fiscal code) or checks the position's debtor, and a
 * position of someone else answers exactly like one that does not exist.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statusAt, type DebtPosition, type PaymentOption, type PositionStatus } from '../../domain/debt-position';
import { noticeAvailability } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import { payabilityOf } from '../../domain/receipt';
import type { MessageRecord } from '../app-io/ports';
import { debtorDossier, receiptsOfOptions, type DossierDeps, type DossierEntry } from '../dossier/debtor-dossier';
import { UseCaseError } from '../errors';
import type { StoredReceipt } from '../receipts/ports';
import type { OrganizationStore } from '../ports';
import type { CheckoutCarts, CheckoutNotice, CitizenCart, CitizenCarts, CitizenSession } from './ports';

/** statuses a citizen sees: what is owed, what was paid; never drafts nor cancelled positions */
export const VISIBLE_STATUSES: readonly PositionStatus[] = ['VALID', 'PARTIALLY_PAID', 'PAID', 'REPORTED', 'EXPIRED'];
/** Checkout's limit on a cart (checkout_v1.json CartRequest.paymentNotices maxItems) */
export const MAX_CART_NOTICES = 5;
/** positions read per municipality for the counter's first page */
export const COUNTER_POSITIONS_PER_ORGANIZATION = 50;
/** municipalities whose dossiers are read at the same time */
const ORGANIZATIONS_IN_FLIGHT = 4;
/** a cart record lasts a day: long enough for the citizen to come back from Checkout */
const CART_RECORD_MS = 86_400_000;

export interface CounterDeps extends DossierDeps {
  readonly organizations: Pick<OrganizationStore, 'list' | 'get'>;
  readonly positions: { get(organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined> };
}

export interface CounterEntry extends DossierEntry {
  /** options the citizen can pay now (a Checkout cart or the PDF notice) */
  readonly payable: readonly PaymentOption[];
}

export interface CounterOrganization {
  readonly organization: Organization;
  readonly entries: readonly CounterEntry[];
  /** more positions than the counter shows */
  readonly truncated: boolean;
}

const entryOf = (e: DossierEntry, now: Date): CounterEntry => ({
  ...e,
  payable: e.position.paymentOptions.filter((o) => payabilityOf(e.position, o, now) === 'PAYABLE'),
});

/** The citizen's visible positions at one municipality (one dossier page), or undefined when none. */
async function atOrganization(deps: CounterDeps, citizen: Pick<CitizenSession, 'fiscalNumber'>, organization: Organization, now: Date): Promise<CounterOrganization | undefined> {
  const dossier = await debtorDossier(deps, organization, { fiscalCode: citizen.fiscalNumber, limit: COUNTER_POSITIONS_PER_ORGANIZATION });
  const entries = dossier.positions.filter((e) => VISIBLE_STATUSES.includes(e.status)).map((e) => entryOf(e, now));
  return entries.length > 0 ? { organization, entries, truncated: dossier.truncated } : undefined;
}

/** Every municipality where the citizen has a visible position, with those positions (newest first). */
export async function citizenCounter(deps: CounterDeps, citizen: Pick<CitizenSession, 'fiscalNumber'>): Promise<CounterOrganization[]> {
  const organizations = (await deps.organizations.list()).filter((o) => o.status === 'ACTIVE');
  const now = deps.clock();
  const results: CounterOrganization[] = [];
  for (let i = 0; i < organizations.length; i += ORGANIZATIONS_IN_FLIGHT) {
    const batch = await Promise.all(organizations.slice(i, i + ORGANIZATIONS_IN_FLIGHT).map((o) => atOrganization(deps, citizen, o, now)));
    results.push(...batch.filter((c): c is CounterOrganization => c !== undefined));
  }
  return results.sort((a, b) => a.organization.name.localeCompare(b.organization.name, 'it'));
}

export interface CitizenPosition extends CounterEntry {
  readonly organization: Organization;
}

/** One of the citizen's positions, with its receipts and messages; not-found when it is not theirs. */
export async function citizenPosition(deps: CounterDeps, citizen: Pick<CitizenSession, 'fiscalNumber'>, organizationFiscalCode: string, iupd: string): Promise<CitizenPosition> {
  const missing = new UseCaseError('not-found', 'no such position among yours');
  const organization = /^\d{11}$/.test(organizationFiscalCode) ? await deps.organizations.get(organizationFiscalCode) : undefined;
  if (!organization || organization.status !== 'ACTIVE') throw missing;
  const position = await deps.positions.get(organizationFiscalCode, iupd);
  const now = deps.clock();
  if (!position || position.debtor.fiscalCode.toUpperCase() !== citizen.fiscalNumber) throw missing;
  const status = statusAt(position, now);
  if (!VISIBLE_STATUSES.includes(status)) throw missing;
  const [receipts, messages] = await Promise.all([
    deps.positionReceipts.ofPosition(organizationFiscalCode, iupd),
    deps.messages.ofPosition(organizationFiscalCode, iupd),
  ]);
  const entry: DossierEntry = {
    position,
    status,
    notice: noticeAvailability(status),
    receipts: receiptsOfOptions(position, receipts),
    messages: [...messages].sort((a: MessageRecord, b: MessageRecord) => a.updatedAt.localeCompare(b.updatedAt)),
  };
  return { ...entryOf(entry, now), organization };
}

/** An applied receipt of one of the citizen's positions (for its PDF). */
export async function citizenReceipt(deps: CounterDeps, citizen: Pick<CitizenSession, 'fiscalNumber'>, organizationFiscalCode: string, iupd: string, receiptId: string): Promise<{ receipt: StoredReceipt; position: CitizenPosition }> {
  const position = await citizenPosition(deps, citizen, organizationFiscalCode, iupd);
  const receipt = position.receipts.find((r) => r.receiptId === receiptId && r.state === 'APPLIED');
  if (!receipt) throw new UseCaseError('not-found', 'no such receipt among yours');
  return { receipt, position };
}

// ---- paying online: a Checkout cart --------------------------------------------------------

export interface CartDeps extends CounterDeps {
  readonly checkout: CheckoutCarts;
  readonly carts: CitizenCarts;
}

export interface CartCommand {
  readonly organizationFiscalCode: string;
  /** notice numbers of the citizen's payable options */
  readonly noticeNumbers: readonly string[];
  /** the counter's public base, e.g. https://comune.example/cittadino */
  readonly counterUrl: string;
}

export const ownerDigest = (fiscalNumber: string): string => createHash('sha256').update(`citizen\n${fiscalNumber}`, 'utf8').digest('hex');

/**
 * Builds a Checkout cart of the citizen's own payable notices of one municipality (Checkout is
 * called with that tenant's key) and answers the URL to send the browser to. Every notice is
 * checked: unknown, someone else's, not payable, repeated, or more than five → invalid, and
 * nothing is sent to Checkout.
 */
export async function payNotices(deps: CartDeps, citizen: Pick<CitizenSession, 'fiscalNumber' | 'email'>, command: CartCommand): Promise<{ checkoutUrl: string; idCart: string }> {
  const navs = command.noticeNumbers;
  if (navs.length === 0) throw new UseCaseError('invalid', 'choose at least one notice', [{ field: 'avviso', message: 'choose at least one notice to pay' }]);
  if (navs.length > MAX_CART_NOTICES) {
    throw new UseCaseError('invalid', `at most ${MAX_CART_NOTICES} notices in one payment`, [{ field: 'avviso', message: `at most ${MAX_CART_NOTICES} notices in one payment` }]);
  }
  if (new Set(navs).size !== navs.length) throw new UseCaseError('invalid', 'a notice is chosen twice', [{ field: 'avviso', message: 'a notice is chosen twice' }]);
  // the one municipality's dossier, not the whole counter's
  const creditor = /^\d{11}$/.test(command.organizationFiscalCode) ? await deps.organizations.get(command.organizationFiscalCode) : undefined;
  const mine = creditor && creditor.status === 'ACTIVE' ? await atOrganization(deps, citizen, creditor, deps.clock()) : undefined;
  const picked: Array<{ entry: CounterEntry; option: PaymentOption }> = [];
  for (const nav of navs) {
    const found = mine?.entries.flatMap((entry) => entry.payable.filter((o) => o.nav === nav).map((option) => ({ entry, option })))[0];
    if (!found) throw new UseCaseError('invalid', 'a chosen notice is not one you can pay now', [{ field: 'avviso', message: `notice ${nav} is not one of yours that can be paid now` }]);
    picked.push(found);
  }
  const organization = mine!.organization;
  const idCart = randomBytes(16).toString('hex');
  const base = command.counterUrl.replace(/\/+$/, '');
  const back = (esito: string) => `${base}/pagamenti/esito?esito=${esito}&carrello=${idCart}`;
  const notices: CheckoutNotice[] = picked.map(({ option }) => ({
    noticeNumber: option.nav,
    fiscalCode: organization.fiscalCode,
    amount: option.amount,
    companyName: organization.name.slice(0, 140),
    description: option.description.slice(0, 140),
  }));
  const cart: CitizenCart = {
    idCart,
    owner: ownerDigest(citizen.fiscalNumber),
    organizationFiscalCode: organization.fiscalCode,
    notices: picked.map(({ entry, option }) => ({ iupd: entry.position.iupd, nav: option.nav, amount: option.amount, description: option.description })),
    createdAt: deps.clock().toISOString(),
  };
  await deps.carts.save(cart, new Date(deps.clock().getTime() + CART_RECORD_MS));
  const { checkoutUrl } = await deps.checkout.create(organization.fiscalCode, {
    idCart,
    paymentNotices: notices,
    returnUrls: { returnOkUrl: back('ok'), returnCancelUrl: back('annullato'), returnErrorUrl: back('errore') },
    ...(citizen.email ? { emailNotice: citizen.email } : {}),
  });
  return { checkoutUrl, idCart };
}

/** The citizen's own cart, when they come back from Checkout; undefined when it is not theirs. */
export async function cartOf(deps: Pick<CartDeps, 'carts'>, citizen: Pick<CitizenSession, 'fiscalNumber'>, idCart: string): Promise<CitizenCart | undefined> {
  if (!/^[0-9a-f]{32}$/.test(idCart)) return undefined;
  const cart = await deps.carts.get(idCart);
  return cart && cart.owner === ownerDigest(citizen.fiscalNumber) ? cart : undefined;
}
