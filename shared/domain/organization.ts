/**
 * A creditor institution (ente creditore) served by this deployment: one tenant.
 */
import type { SpontaneousService } from './spontaneous-service';

export interface PostalAccount {
  /** conto corrente postale, 12 digits zero-padded */
  readonly number: string;
  /** intestatario printed on the bollettino */
  readonly holder?: string;
  /** authorization code (autorizzazione) printed on the bollettino */
  readonly authorizationCode?: string;
}

export interface Organization {
  readonly fiscalCode: string;
  readonly name: string;
  /** settore / ufficio shown on the notice */
  readonly sector?: string;
  /** assigned by pagoPA to the creditor; the 2 digits after the aux digit of its notice numbers */
  readonly segregationCode: string;
  /** the intermediary (broker) id and station id the pagoPA node uses to call this creditor */
  readonly brokerId: string;
  readonly stationId: string;
  /** the creditor's accounts registered on pagoPA; a transfer to the creditor must use one of them */
  readonly ibans: readonly string[];
  readonly postalAccount?: PostalAccount;
  readonly cbill?: string;
  /** object key of the logo in the notices bucket (PNG or JPEG) */
  readonly logoKey?: string;
  readonly contact?: { readonly website?: string; readonly email?: string; readonly phone?: string };
  readonly status: 'ACTIVE' | 'SUSPENDED';
  readonly createdAt: string;
  /** App IO services, reminders and templates (see IoSettings below); absent: no IO messages */
  readonly io?: IoSettings;
  /** services a citizen may pay without a prior position (pagamenti spontanei, shared/domain/spontaneous-service.ts) */
  readonly spontaneousServices?: readonly SpontaneousService[];
}

/** The part of a postal IBAN (IT, CIN, ABI 07601, CAB, account) that is the postal account. */
export function postalAccountOfIban(iban: string): string | undefined {
  if (!/^IT\d{2}[A-Z]07601\d{5}\d{12}$/.test(iban)) return undefined;
  return iban.slice(-12);
}

// ---- App IO settings (optional; a tenant without them sends no IO messages) ----------------

/** One App IO service of the tenant (a municipality usually has several: TARI, canteen, ...). */
export interface IoService {
  readonly serviceId: string;
  readonly name: string;
  /**
   * Secrets Manager secret holding the service's subscription key (on AWS). Default:
   * `<service>/io/<organization fiscal code>/<serviceId>` (see `ioApiKeySecretName`).
   */
  readonly apiKeySecretName?: string;
  /** the key itself: local seed and tests only (on AWS keys live in Secrets Manager) */
  readonly apiKey?: string;
  /**
   * taxonomy codes (transfer `category`) this service speaks for, e.g. ['9/0101108TS/'];
   * an entry ending in '/' after fewer than 9 characters, or any shorter string, is a prefix
   */
  readonly taxonomy?: readonly string[];
  /** App IO calls per second this layer allows itself for the service (default 20) */
  readonly ratePerSecond?: number;
}

export interface IoSettings {
  readonly services: readonly IoService[];
  /** the service used when no taxonomy matches; default: the first */
  readonly defaultServiceId?: string;
  /** days before a due date on which a reminder is sent (default [7, 1]) */
  readonly reminderDays?: readonly number[];
  /** tell the citizen when a notice they were messaged about is invalidated (default false) */
  readonly notifyCancellation?: boolean;
  /** e-mail the notice when IO is not possible and the debtor has an address (default true) */
  readonly emailFallback?: boolean;
  /** initial templates from provisioning; templates saved over the API take precedence */
  readonly templates?: Readonly<Partial<Record<'new-notice' | 'reminder' | 'receipt' | 'cancellation', { readonly subject: string; readonly markdown: string }>>>;
}

export const DEFAULT_REMINDER_DAYS: readonly number[] = [7, 1];
export const DEFAULT_IO_RATE_PER_SECOND = 20;
