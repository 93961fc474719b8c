/**
 * A self-signed X.509 certificate and its RSA key, for the local stack (the SP's signing
 * credentials and the local test IdP's). Built with node:crypto alone: the RSA key by
 * generateKeyPairSync, the certificate's DER (RFC 5280 TBSCertificate, sha256WithRSAEncryption)
 * encoded here, so no certificate library is needed. On AWS the SP's key and certificate are a
 * secret: a production SPID certificate must follow AgID's Avviso SPID n. 29 (issued with the
 * entity's IPA code and the SPID certificate policies), which a self-signed one does not.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

function der(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) header = Buffer.from([tag, len]);
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
const integer = (value: Buffer) => der(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const printable = (s: string) => der(0x13, Buffer.from(s, 'ascii'));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
function time(d: Date): Buffer {
  const iso = d.toISOString();
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  // UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(compact.slice(2), 'ascii')) : der(0x18, Buffer.from(compact, 'ascii'));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)));

export interface ServiceProviderCredentials {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/**
 * A fresh RSA key (2048 bits unless asked for more) and a self-signed certificate for it, valid
 * from `now` (minus a minute) for `days` days, subject and issuer `CN=<commonName>, C=IT`.
 */
export function generateServiceProviderCredentials(
  commonName: string,
  options: { now?: Date; days?: number; modulusLength?: number } = {},
): ServiceProviderCredentials {
  const now = options.now ?? new Date();
  const days = options.days ?? 730;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: Math.max(2048, options.modulusLength ?? 2048) });
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))), set(seq(oid('2.5.4.6'), printable('IT'))));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // extensions: basicConstraints CA:FALSE (critical), keyUsage digitalSignature + nonRepudiation (critical)
  const extensions = der(
    0xa3,
    seq(
      seq(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, seq())),
      seq(oid('2.5.29.15'), der(0x01, Buffer.from([0xff])), der(0x04, der(0x03, Buffer.from([0x06, 0xc0])))),
    ),
  );
  const tbs = seq(der(0xa0, integer(Buffer.from([2]))), integer(serial), SHA256_WITH_RSA, name, seq(time(notBefore), time(notAfter)), name, spki, extensions);
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = certificate.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
  };
}
