/**
 * A creditor institution (ente creditore) served by this deployment: one tenant.
 */
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
}

/** The part of a postal IBAN (IT, CIN, ABI 07601, CAB, account) that is the postal account. */
export function postalAccountOfIban(iban: string): string | undefined {
  if (!/^IT\d{2}[A-Z]07601\d{5}\d{12}$/.test(iban)) return undefined;
  return iban.slice(-12);
}
