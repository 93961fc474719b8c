/**
 * pagoPA taxonomy code of a transfer (GPD `category`, SANP `transferCategory`, "dati specifici di
 * riscossione"), e.g. `9/0101002IM/`.
 *
 * Source: SANP 3.x "Tassonomia dei servizi di incasso" and the SEPA Request-to-Pay section of SANP
 * 3.10 (docs.pagopa.it / developer.pagopa.it); the published list (pagopa/pagopa-taxonomy) carries
 * the same string in its column "DATI SPECIFICI DI INCASSO", e.g. `9/0102100SA/`.
 *
 *   prefix           9/ | 6/ | 7/ | 8/    9/ = taxonomy code; 6/, 7/, 8/ = taxonomy code whose
 *                                          position must not be sent as a SEPA Request-to-Pay
 *   creditor type    \d{2}                e.g. 01 = municipality / union of municipalities
 *   macro area       \d{2}                progressive within the creditor type (01 = TRIBUTI)
 *   service type     \d{3}                e.g. 101 = TARI for the current year
 *   legal reason     IM | TS | SP | SA | AP  (imposta, tassa, servizio pubblico, sanzione,
 *                                             altre entrate patrimoniali)
 *   terminator       /
 *
 * The older SACI "tipo contabilità" prefixes 0/ (capitolo/articolo), 1/ (SIOPE) and 2/ (other)
 * are not taxonomy codes and pagoPA's debt-position service validates the taxonomy: they are refused.
 */

export const TAXONOMY_PREFIXES = ['9', '6', '7', '8'] as const;
export const LEGAL_REASONS = ['IM', 'TS', 'SP', 'SA', 'AP'] as const;

export type TaxonomyPrefix = (typeof TAXONOMY_PREFIXES)[number];
export type LegalReason = (typeof LEGAL_REASONS)[number];

export interface TaxonomyCode {
  readonly prefix: TaxonomyPrefix;
  readonly creditorType: string;
  readonly macroArea: string;
  readonly serviceType: string;
  readonly legalReason: LegalReason;
  /** the 9 characters between the slashes, e.g. "0101002IM" */
  readonly code: string;
  /** false for the 6/, 7/, 8/ prefixes, which keep the position out of SEPA Request-to-Pay */
  readonly requestToPayAllowed: boolean;
}

const OLD_ACCOUNTING_PREFIXES: Readonly<Record<string, string>> = {
  '0': 'capitolo/articolo',
  '1': 'SIOPE',
  '2': 'other accounting code',
};

export function validateTaxonomyCode(value: string): string | null {
  const parsed = parseTaxonomyCode(value);
  return parsed.ok ? null : parsed.reason;
}

export function parseTaxonomyCode(
  value: string,
): { ok: true; value: TaxonomyCode } | { ok: false; reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (typeof value !== 'string' || value.length === 0) return fail('the taxonomy code is empty');
  if (/\s/.test(value)) return fail('a taxonomy code must not contain spaces');
  const prefix = value.charAt(0);
  if (value.charAt(1) !== '/') {
    return fail(`a taxonomy code starts with a 1-digit prefix and '/', e.g. 9/0101002IM/`);
  }
  if (!(TAXONOMY_PREFIXES as readonly string[]).includes(prefix)) {
    const old = OLD_ACCOUNTING_PREFIXES[prefix];
    return fail(
      old
        ? `prefix ${prefix}/ (${old}) is an old SACI accounting code, not a pagoPA taxonomy code: use 9/ (or 6/, 7/, 8/)`
        : `prefix ${prefix}/ is not a taxonomy prefix (9/, 6/, 7/ or 8/)`,
    );
  }
  if (!value.endsWith('/') || value.length === 2) return fail(`a taxonomy code ends with '/', e.g. 9/0101002IM/`);
  const code = value.slice(2, -1);
  if (code.length !== 9) return fail(`the taxonomy code between the slashes is 9 characters (e.g. 0101002IM), got ${code.length}`);
  const creditorType = code.slice(0, 2);
  const macroArea = code.slice(2, 4);
  const serviceType = code.slice(4, 7);
  const legalReason = code.slice(7, 9);
  if (!/^\d{2}$/.test(creditorType)) return fail(`creditor type code ${creditorType} must be 2 digits`);
  if (!/^\d{2}$/.test(macroArea)) return fail(`macro area ${macroArea} must be 2 digits`);
  if (!/^\d{3}$/.test(serviceType)) return fail(`service type ${serviceType} must be 3 digits`);
  if (!(LEGAL_REASONS as readonly string[]).includes(legalReason)) {
    return fail(`legal reason ${legalReason} is not one of ${LEGAL_REASONS.join(', ')}`);
  }
  return {
    ok: true,
    value: {
      prefix: prefix as TaxonomyPrefix,
      creditorType,
      macroArea,
      serviceType,
      legalReason: legalReason as LegalReason,
      code,
      requestToPayAllowed: prefix === '9',
    },
  };
}
