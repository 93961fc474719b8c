/**
 * The faults a creditor station (ente creditore) answers the pagoPA node with, and their standard
 * faultString texts (pagoPA "faultCode e faultString", Dominio EC; PAA_RECEIPT_DUPLICATA is the
 * SANP 2.x/3.x addition for paSendRT, used by pagoPA's own GPD station).
 */
export const PAA_FAULTS = {
  /** unknown notice, or a position not yet payable (DRAFT / PUBLISHED) */
  PAA_PAGAMENTO_SCONOSCIUTO: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore',
  /** already paid */
  PAA_PAGAMENTO_DUPLICATO: 'Pagamento in attesa risulta concluso all’Ente Creditore',
  /** expired (EXPIRED) */
  PAA_PAGAMENTO_SCADUTO: 'Pagamento in attesa risulta scaduto all’Ente Creditore',
  /** cancelled (INVALID) */
  PAA_PAGAMENTO_ANNULLATO: 'Pagamento in attesa risulta annullato all’Ente Creditore',
  PAA_PAGAMENTO_IN_CORSO: 'Pagamento in attesa risulta in corso all’Ente Creditore',
  PAA_SEMANTICA: 'Errore semantico',
  /** malformed request (well-formed XML that breaks the XSD, or not XML at all) */
  PAA_SINTASSI_EXTRAXSD: 'Errore di sintassi extra XSD',
  PAA_SINTASSI_XSD: 'Errore di sintassi XSD',
  /** idPA is not a creditor served by this station */
  PAA_ID_DOMINIO_ERRATO: 'La PAA non corrisponde al Dominio indicato',
  /** idBrokerPA is not ours */
  PAA_ID_INTERMEDIARIO_ERRATO: 'Identificativo intermediario non corrispondente',
  /** idStation is not ours */
  PAA_STAZIONE_INT_ERRATA: 'Stazione intermediario non corrispondente',
  /** a different receipt for an option already paid */
  PAA_RECEIPT_DUPLICATA: 'La receipt è già stata ricevuta',
  PAA_SYSTEM_ERROR: 'Errore generico',
} as const;

export type PaaFaultCode = keyof typeof PAA_FAULTS;

export const PAA_FAULT_CODES = Object.keys(PAA_FAULTS) as PaaFaultCode[];

export function isPaaFaultCode(value: string): value is PaaFaultCode {
  return Object.prototype.hasOwnProperty.call(PAA_FAULTS, value);
}

export function standardFaultString(code: PaaFaultCode): string {
  return PAA_FAULTS[code];
}
