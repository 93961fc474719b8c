/**
 * What a chaos run does, decided up front from the seed: the citizens (on App IO or e-mail only),
 * the debt positions (single payment, installments, or both) of both tenants, and for every
 * payment option whether the run pays it (and how: SOAP or JSON webhook, delivered 1-3 times, the
 * copies at once or later), sends a KO receipt for it, or leaves it unpaid.
 */
import { readFileSync } from 'node:fs';
import { codiceFiscaleCheckCharacter, validateCodiceFiscale } from '../../shared/domain/fiscal-code';
import type { Prng } from './prng';

export interface Tenant {
  readonly fiscalCode: string;
  readonly name: string;
  readonly apiKey: string;
  readonly iban: string;
  /** has an App IO service: its citizens on IO get IO messages, the others e-mails */
  readonly hasIo: boolean;
}

export interface Citizen {
  readonly fiscalCode: string;
  readonly email: string;
  /** registered on the App IO simulator */
  readonly onIo: boolean;
}

export type PositionKind = 'single' | 'installments' | 'mixed';
export type Delivery = 'soap' | 'json';

export interface OptionPlan {
  readonly amount: number;
  readonly isPartialPayment: boolean;
  readonly dueDate: string;
  /** paid by the run with an OK receipt */
  readonly pay: boolean;
  /** a KO receipt is sent for it (never together with pay) */
  readonly ko: boolean;
  readonly delivery: Delivery;
  /** how many times the receipt is delivered (1..3) */
  readonly deliveries: number;
  /** extra copies at once (concurrently with each other) or in the late, shuffled phase */
  readonly copies: 'concurrent' | 'late';
  readonly receiptId: string;
}

export interface PositionPlan {
  readonly tenant: Tenant;
  readonly iupd: string;
  readonly kind: PositionKind;
  readonly citizen: Citizen;
  /** mixed positions: which mode the run pays */
  readonly payMode: 'single' | 'installments';
  readonly options: readonly OptionPlan[];
}

export interface Workload {
  readonly tenants: readonly Tenant[];
  readonly citizens: readonly Citizen[];
  readonly positions: readonly PositionPlan[];
}

export const RATES = {
  /** share of payable options paid */
  pay: 0.7,
  /** share of receipts delivered exactly twice / three times */
  twice: 0.2,
  thrice: 0.05,
  /** share of receipts through POST /receipts (signed JSON) instead of paSendRTV2 */
  json: 0.1,
  /** KO receipts as a share of all receipts (drawn among the options left unpaid) */
  ko: 0.01,
  /** citizens registered on App IO */
  onIo: 0.75,
} as const;

export function tenantsFromSeed(seedFile: string): Tenant[] {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as {
    organizations: Array<{ fiscalCode: string; name: string; iban: string; apiKeys?: string[]; io?: unknown }>;
  };
  return raw.organizations.map((o) => {
    const apiKey = o.apiKeys?.[0];
    if (!apiKey) throw new Error(`the seed organization ${o.fiscalCode} has no API key`);
    return { fiscalCode: o.fiscalCode, name: o.name, apiKey, iban: o.iban, hasIo: o.io !== undefined };
  });
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MONTHS = 'ABCDEHLMPRST';

/** A random valid codice fiscale. */
export function randomCodiceFiscale(prng: Prng): string {
  for (;;) {
    const letters = Array.from({ length: 6 }, () => prng.pick([...LETTERS])).join('');
    const day = prng.int(1, 28) + (prng.chance(0.5) ? 40 : 0);
    const first15 = `${letters}${String(prng.int(40, 99))}${prng.pick([...MONTHS])}${String(day).padStart(2, '0')}${prng.pick([...LETTERS])}${String(prng.int(100, 999))}`;
    const cf = first15 + codiceFiscaleCheckCharacter(first15);
    if (validateCodiceFiscale(cf) === null) return cf;
  }
}

function isoDay(now: Date, plusDays: number): string {
  return new Date(now.getTime() + plusDays * 86_400_000).toISOString().slice(0, 10);
}

export function planWorkload(n: number, prng: Prng, tenants: readonly Tenant[], now: Date, runTag: string): Workload {
  const citizenCount = Math.max(1, Math.ceil(n / 3));
  const seen = new Set<string>();
  const citizens: Citizen[] = [];
  while (citizens.length < citizenCount) {
    const fiscalCode = randomCodiceFiscale(prng);
    if (seen.has(fiscalCode)) continue;
    seen.add(fiscalCode);
    citizens.push({ fiscalCode, email: `citizen${citizens.length}@chaos.example.org`, onIo: prng.chance(RATES.onIo) });
  }
  const koChance = RATES.ko / (1 - RATES.pay);
  const positions: PositionPlan[] = [];
  for (let i = 0; i < n; i++) {
    const tenant = tenants[i % tenants.length]!;
    const citizen = prng.pick(citizens);
    const r = prng.next();
    const kind: PositionKind = r < 0.5 ? 'single' : r < 0.85 ? 'installments' : 'mixed';
    const count = kind === 'single' ? 0 : prng.int(2, 4);
    // due dates ≥ 60 days ahead: no reminder falls inside the run
    const parts = Array.from({ length: count }, (_, k) => ({ amount: prng.int(1_000, 40_000), dueDate: isoDay(now, 60 + 30 * k) }));
    const shapes: Array<{ amount: number; isPartialPayment: boolean; dueDate: string }> = [];
    if (kind !== 'installments') {
      const total = count > 0 ? parts.reduce((s, p) => s + p.amount, 0) : prng.int(1_000, 90_000);
      shapes.push({ amount: total, isPartialPayment: false, dueDate: isoDay(now, 60) });
    }
    for (const p of parts) shapes.push({ ...p, isPartialPayment: true });
    const payMode: 'single' | 'installments' = kind === 'single' ? 'single' : kind === 'installments' ? 'installments' : prng.chance(0.5) ? 'single' : 'installments';
    const options = shapes.map((s): OptionPlan => {
      const candidate = s.isPartialPayment === (payMode === 'installments');
      const pay = candidate && prng.chance(RATES.pay);
      const ko = candidate && !pay && prng.chance(koChance);
      const d = prng.next();
      return {
        ...s,
        pay,
        ko,
        delivery: prng.chance(RATES.json) ? 'json' : 'soap',
        deliveries: d < RATES.thrice ? 3 : d < RATES.thrice + RATES.twice ? 2 : 1,
        copies: prng.chance(0.5) ? 'concurrent' : 'late',
        receiptId: prng.hex(32),
      };
    });
    positions.push({ tenant, iupd: `CHAOS-${runTag}-${String(i).padStart(6, '0')}`, kind, citizen, payMode, options });
  }
  return { tenants, citizens, positions };
}

/** The GPD request body of a planned position. */
export function positionBody(p: PositionPlan): Record<string, unknown> {
  return {
    iupd: p.iupd,
    type: 'F',
    fiscalCode: p.citizen.fiscalCode,
    fullName: 'Cittadino Chaos',
    streetName: 'Via Roma',
    civicNumber: '1',
    postalCode: '00100',
    city: 'Roma',
    province: 'RM',
    email: p.citizen.email,
    companyName: p.tenant.name,
    paymentOption: p.options.map((o, k) => ({
      amount: o.amount,
      description: o.isPartialPayment ? `TARI rata ${k}` : 'TARI rata unica',
      isPartialPayment: o.isPartialPayment,
      dueDate: o.dueDate,
      transfer: [{ idTransfer: '1', amount: o.amount, remittanceInformation: 'TARI', category: '9/0101108TS/', iban: p.tenant.iban }],
    })),
  };
}

/** The options a new-notice message is due for at publication (shared/domain/app-io/messages.ts rule). */
export function noticeOptionIndexes(p: PositionPlan): number[] {
  const single = p.options.findIndex((o) => !o.isPartialPayment);
  if (single >= 0) return [single];
  return p.options.map((_, k) => k);
}

/** What the position's status must be once the run's payments are applied. */
export function expectedStatus(p: PositionPlan): 'VALID' | 'PARTIALLY_PAID' | 'PAID' {
  const paid = p.options.filter((o) => o.pay);
  if (paid.length === 0) return 'VALID';
  if (paid.some((o) => !o.isPartialPayment)) return 'PAID';
  return p.options.filter((o) => o.isPartialPayment).every((o) => o.pay) ? 'PAID' : 'PARTIALLY_PAID';
}
