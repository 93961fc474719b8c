/**
 * Where a webhook may be sent (server-side request forgery rules): the check of a subscriber URL
 * when it is registered, and of every address its host resolves to when a delivery connects.
 * Pure: IP literals are recognised here (the same grammar as Node's `net.isIP`), no DNS.
 */

export type UrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

const BLOCKED_HOST_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa'];
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A subscriber URL the layer may call: https, no credentials, no fragment, and not an address
 * inside the network it runs in (private, loopback, link-local and cloud-metadata ranges, written
 * in any of the forms WHATWG URL normalises: decimal, hex, octal, IPv4-mapped IPv6). Plain http
 * to 127.0.0.1/localhost only when `allowLoopbackHttp` (the local cloud). Delivery checks the
 * resolved address again (DNS can point a public name at a private address).
 */
export function checkWebhookUrl(raw: string, options: { allowLoopbackHttp: boolean }): UrlCheck {
  if (raw.length > 2048) return { ok: false, reason: 'the URL is longer than 2048 characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials in the URL are not allowed' };
  if (url.hash !== '') return { ok: false, reason: 'a fragment is not allowed' };
  // `localhost.`, `localhost..` and `foo.localhost.` name the same hosts as without the dots
  // (a trailing dot is the DNS root): the rules below look at the name without them
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  if (host.includes('..')) return { ok: false, reason: 'the host must be a public domain name' };
  const isLoopbackName = LOOPBACK_NAMES.has(host);
  if (url.protocol === 'http:') {
    if (options.allowLoopbackHttp && isLoopbackName) return { ok: true, url: url.toString() };
    return { ok: false, reason: 'the URL must use https' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'the URL must use https' };
  if (isLoopbackName) {
    return options.allowLoopbackHttp ? { ok: true, url: url.toString() } : { ok: false, reason: 'loopback addresses are not allowed' };
  }
  if (host === '' || (!host.includes('.') && ipFamily(unbracket(host)) === 0)) return { ok: false, reason: 'the host must be a public domain name' };
  if (BLOCKED_HOST_SUFFIXES.some((s) => host.endsWith(s)) || host === 'metadata.google.internal') {
    return { ok: false, reason: 'the host must be a public domain name' };
  }
  const literal = unbracket(host);
  if (ipFamily(literal) !== 0 && isForbiddenAddress(literal, { allowLoopback: false })) {
    return { ok: false, reason: 'private, loopback, link-local and metadata addresses are not allowed' };
  }
  return { ok: true, url: url.toString() };
}

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

// The grammar of Node's net.isIP (lib/internal/net.js): dotted-quad IPv4 without leading zeros,
// IPv6 in every compressed form, optionally with a trailing dotted IPv4 and a zone (`%eth0`).
const V4_SEGMENT = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4 = `(?:${V4_SEGMENT}\\.){3}${V4_SEGMENT}`;
const V6_SEGMENT = '(?:[0-9a-fA-F]{1,4})';
const IPV4 = new RegExp(`^${V4}$`);
const IPV6 = new RegExp(
  '^(?:' +
    `(?:${V6_SEGMENT}:){7}(?:${V6_SEGMENT}|:)|` +
    `(?:${V6_SEGMENT}:){6}(?:${V4}|:${V6_SEGMENT}|:)|` +
    `(?:${V6_SEGMENT}:){5}(?::${V4}|(?::${V6_SEGMENT}){1,2}|:)|` +
    `(?:${V6_SEGMENT}:){4}(?:(?::${V6_SEGMENT}){0,1}:${V4}|(?::${V6_SEGMENT}){1,3}|:)|` +
    `(?:${V6_SEGMENT}:){3}(?:(?::${V6_SEGMENT}){0,2}:${V4}|(?::${V6_SEGMENT}){1,4}|:)|` +
    `(?:${V6_SEGMENT}:){2}(?:(?::${V6_SEGMENT}){0,3}:${V4}|(?::${V6_SEGMENT}){1,5}|:)|` +
    `(?:${V6_SEGMENT}:){1}(?:(?::${V6_SEGMENT}){0,4}:${V4}|(?::${V6_SEGMENT}){1,6}|:)|` +
    `(?::(?:(?::${V6_SEGMENT}){0,5}:${V4}|(?::${V6_SEGMENT}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

/** 4 or 6 when `text` is an IPv4 or IPv6 address literal, else 0 (like Node's `net.isIP`). */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  if (IPV6.test(text)) return 6;
  return 0;
}

/** CIDR blocks a webhook must never reach (RFC 6890 special-purpose + cloud metadata). */
const FORBIDDEN_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4(ip: string, [base, bits]: readonly [string, number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(v4ToInt(ip) / size) === Math.floor(v4ToInt(base) / size);
}

/** Expands an IPv6 address into 8 numbers (handles `::` and a trailing dotted IPv4). */
function v6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (ipFamily(last) !== 4) return undefined;
    const n = v4ToInt(last);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const headGroups = parse(head);
  const restGroups = rest === undefined ? [] : parse(rest);
  const missing = 8 - headGroups.length - restGroups.length;
  if ((rest === undefined && missing !== 0) || missing < 0) return undefined;
  const groups = [...headGroups, ...Array.from({ length: rest === undefined ? 0 : missing }, () => 0), ...restGroups];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** True for an address a webhook must not reach; unparseable counts as forbidden. */
export function isForbiddenAddress(ip: string, options: { allowLoopback: boolean }): boolean {
  const family = ipFamily(ip);
  if (family === 4) {
    if (options.allowLoopback && inV4(ip, ['127.0.0.0', 8])) return false;
    return FORBIDDEN_V4.some((block) => inV4(ip, block)) || ip === '255.255.255.255';
  }
  if (family !== 6) return true;
  const g = v6Groups(ip);
  if (!g) return true;
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const allZeroUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (allZeroUntil(7) && g7 === 1) return !options.allowLoopback; // ::1
  if (allZeroUntil(8)) return true; // ::
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d)
  const embedded = `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  if (allZeroUntil(5) && (g5 === 0xffff || g5 === 0)) return isForbiddenAddress(embedded, options);
  // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765), which WHATWG URL writes as [::ffff:0:7f00:1]
  if (allZeroUntil(4) && g[4] === 0xffff && g5 === 0) return isForbiddenAddress(embedded, options);
  if (g0 === 0x64 && g1 === 0xff9b) return isForbiddenAddress(embedded, options);
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (includes AWS fd00:ec2::254)
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x2001 && g1 === 0x0000) return true; // Teredo 2001::/32 (carries an obfuscated IPv4)
  if (g0 === 0x2002) return isForbiddenAddress(`${g1 >> 8}.${g1 & 255}.${(g[2] ?? 0) >> 8}.${(g[2] ?? 0) & 255}`, options); // 6to4
  return false;
}
