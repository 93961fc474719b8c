/**
 * The IdP side of the HTTP-Redirect binding (SAML 2.0 Bindings §3.4.4.1): the signature covers
 * the octets `SAMLRequest=…&RelayState=…&SigAlg=…` (or `SAMLResponse=…`) exactly as URL-encoded
 * in the query string, and the message is DEFLATE-compressed, base64-encoded XML.
 */
import { createVerify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { ALGORITHMS, certificatePem } from '../../../../shared/adapters/spid-saml';

export type RedirectProblem = 'missing-request' | 'unsigned' | 'algorithm' | 'bad-signature' | 'undecodable';

export type RedirectVerdict =
  | { readonly ok: true; readonly xml: string; readonly relayState: string | undefined }
  | { readonly ok: false; readonly problem: RedirectProblem };

export type RedirectMessageVerdict =
  | { readonly ok: true; readonly parameter: 'SAMLRequest' | 'SAMLResponse'; readonly xml: string; readonly relayState: string | undefined }
  | { readonly ok: false; readonly problem: RedirectProblem };

/**
 * A SAMLRequest or SAMLResponse (`missing-request` when the query has neither, or both),
 * its signature verified with `signerCertificate`. `rawQuery` is the query string as received,
 * without the leading '?'.
 */
export function verifyRedirectMessage(rawQuery: string, signerCertificate: string): RedirectMessageVerdict {
  const raw = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    const i = part.indexOf('=');
    if (i > 0 && !raw.has(part.slice(0, i))) raw.set(part.slice(0, i), part.slice(i + 1));
  }
  const decode = (v: string | undefined) => {
    if (v === undefined) return undefined;
    try {
      return decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  if (raw.has('SAMLRequest') === raw.has('SAMLResponse')) return { ok: false, problem: 'missing-request' };
  const parameter = raw.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  if (!raw.has('Signature') || !raw.has('SigAlg')) return { ok: false, problem: 'unsigned' };
  if (decode(raw.get('SigAlg')) !== ALGORITHMS.rsaSha256) return { ok: false, problem: 'algorithm' };
  const signed = [parameter, 'RelayState', 'SigAlg']
    .filter((k) => raw.has(k))
    .map((k) => `${k}=${raw.get(k)}`)
    .join('&');
  let valid = false;
  try {
    valid = createVerify('RSA-SHA256').update(signed, 'utf8').verify(certificatePem(signerCertificate), decode(raw.get('Signature')) ?? '', 'base64');
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, problem: 'bad-signature' };
  try {
    const xml = inflateRawSync(Buffer.from(decode(raw.get(parameter)) ?? '', 'base64'), { maxOutputLength: 256 * 1024 }).toString('utf8');
    return { ok: true, parameter, xml, relayState: decode(raw.get('RelayState')) };
  } catch {
    return { ok: false, problem: 'undecodable' };
  }
}

/** A SAMLRequest (an AuthnRequest or a LogoutRequest), its signature verified with `signerCertificate`. */
export function verifyRedirectRequest(rawQuery: string, signerCertificate: string): RedirectVerdict {
  if (!/(?:^|&)SAMLRequest=/.test(rawQuery)) return { ok: false, problem: 'missing-request' };
  const verdict = verifyRedirectMessage(rawQuery, signerCertificate);
  if (!verdict.ok) return verdict;
  if (verdict.parameter !== 'SAMLRequest') return { ok: false, problem: 'missing-request' };
  return { ok: true, xml: verdict.xml, relayState: verdict.relayState };
}
