/**
 * The IdP side of the HTTP-Redirect binding (SAML 2.0 Bindings §3.4.4.1): the signature covers
 * the octets `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as URL-encoded in the query string,
 * and the message is DEFLATE-compressed, base64-encoded XML.
 */
import { createVerify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { ALGORITHMS, certificatePem } from '../../../../shared/adapters/spid-saml';

export type RedirectVerdict =
  | { readonly ok: true; readonly xml: string; readonly relayState: string | undefined }
  | { readonly ok: false; readonly problem: 'missing-request' | 'unsigned' | 'algorithm' | 'bad-signature' | 'undecodable' };

/** `rawQuery` is the query string as received, without the leading '?' */
export function verifyRedirectRequest(rawQuery: string, signerCertificate: string): RedirectVerdict {
  const raw = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    const i = part.indexOf('=');
    if (i > 0 && !raw.has(part.slice(0, i))) raw.set(part.slice(0, i), part.slice(i + 1));
  }
  const decode = (v: string | undefined) => (v === undefined ? undefined : decodeURIComponent(v.replace(/\+/g, ' ')));
  if (!raw.has('SAMLRequest')) return { ok: false, problem: 'missing-request' };
  if (!raw.has('Signature') || !raw.has('SigAlg')) return { ok: false, problem: 'unsigned' };
  if (decode(raw.get('SigAlg')) !== ALGORITHMS.rsaSha256) return { ok: false, problem: 'algorithm' };
  const signed = ['SAMLRequest', 'RelayState', 'SigAlg']
    .filter((k) => raw.has(k))
    .map((k) => `${k}=${raw.get(k)}`)
    .join('&');
  let valid = false;
  try {
    valid = createVerify('RSA-SHA256').update(signed, 'utf8').verify(certificatePem(signerCertificate), decode(raw.get('Signature'))!, 'base64');
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, problem: 'bad-signature' };
  try {
    const xml = inflateRawSync(Buffer.from(decode(raw.get('SAMLRequest'))!, 'base64'), { maxOutputLength: 256 * 1024 }).toString('utf8');
    return { ok: true, xml, relayState: decode(raw.get('RelayState')) };
  } catch {
    return { ok: false, problem: 'undecodable' };
  }
}
