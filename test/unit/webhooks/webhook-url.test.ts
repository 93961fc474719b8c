import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, ipFamily, isForbiddenAddress } from '../../../shared/domain/webhook-url';

const prod = { allowLoopbackHttp: false };
const local = { allowLoopbackHttp: true };

describe('subscriber URL check (SSRF)', () => {
  it('accepts public https URLs, with port, path and query', () => {
    for (const url of ['https://backoffice.comune.example.it/hooks/pagopa', 'https://203.0.112.7:8443/x?y=1', 'https://[2a00:1450:4002:402::200e]/h']) {
      expect(checkWebhookUrl(url, prod), url).toEqual({ ok: true, url: new URL(url).toString() });
    }
  });

  it('requires https, except http to loopback in the local cloud only', () => {
    expect(checkWebhookUrl('http://backoffice.example.it/h', prod).ok).toBe(false);
    expect(checkWebhookUrl('http://backoffice.example.it/h', local).ok).toBe(false);
    expect(checkWebhookUrl('ftp://backoffice.example.it/h', prod).ok).toBe(false);
    for (const url of ['http://127.0.0.1:4100/webhooks', 'http://localhost:4100/webhooks', 'http://[::1]:4100/webhooks']) {
      expect(checkWebhookUrl(url, local).ok, url).toBe(true);
      expect(checkWebhookUrl(url, prod).ok, url).toBe(false);
    }
    // loopback other than 127.0.0.1 itself stays forbidden even locally over http
    expect(checkWebhookUrl('http://127.0.0.2/h', local).ok).toBe(false);
  });

  it('refuses private, link-local, metadata and other special IP literals in every spelling', () => {
    const forbidden = [
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/',
      'https://10.255.255.255/',
      'https://172.16.0.1/',
      'https://172.31.255.1/',
      'https://192.168.1.10/',
      'https://127.0.0.1/',
      'https://0.0.0.0/',
      'https://100.64.0.1/',
      'https://224.0.0.1/',
      'https://2130706433/', // 127.0.0.1 as one decimal number
      'https://0x7f.1/', // hex
      'https://0251.0376.0251.0376/', // octal 169.254.169.254
      'https://[::1]/',
      'https://[::]/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[fd00:ec2::254]/', // AWS IMDS over IPv6
      'https://[fe80::1]/',
      'https://[64:ff9b::a9fe:a9fe]/', // NAT64 of 169.254.169.254
      'https://localhost/',
      'https://metadata.google.internal/',
      'https://printer.local/',
      'https://intranet/',
    ];
    for (const url of forbidden) expect(checkWebhookUrl(url, prod).ok, url).toBe(false);
  });

  it('refuses loopback names written with DNS-root dots and IPv4-translated loopback, also at registration', () => {
    for (const url of ['https://localhost./', 'https://localhost../', 'https://foo.localhost./', 'https://[::ffff:0:127.0.0.1]/', 'https://[::ffff:0:a9fe:a9fe]/', 'https://a..example.it/', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/']) {
      expect(checkWebhookUrl(url, prod), url).toMatchObject({ ok: false });
    }
    expect(isForbiddenAddress('::ffff:0:127.0.0.1', { allowLoopback: false })).toBe(true);
    expect(isForbiddenAddress('::ffff:0:8.8.8.8', { allowLoopback: false })).toBe(false);
    expect(checkWebhookUrl('https://backoffice.comune.example.it./hooks', prod).ok).toBe(true);
  });

  it('refuses credentials, fragments, garbage and very long URLs', () => {
    expect(checkWebhookUrl('https://user:pw@backoffice.example.it/h', prod)).toMatchObject({ ok: false, reason: /credentials/ });
    expect(checkWebhookUrl('https://backoffice.example.it/h#x', prod).ok).toBe(false);
    expect(checkWebhookUrl('not a url', prod).ok).toBe(false);
    expect(checkWebhookUrl(`https://backoffice.example.it/${'a'.repeat(2100)}`, prod).ok).toBe(false);
  });

  it('classifies resolved addresses (what delivery checks after DNS)', () => {
    expect(isForbiddenAddress('8.8.8.8', { allowLoopback: false })).toBe(false);
    expect(isForbiddenAddress('172.32.0.1', { allowLoopback: false })).toBe(false);
    expect(isForbiddenAddress('172.15.255.255', { allowLoopback: false })).toBe(false);
    expect(isForbiddenAddress('2a00:1450:4002:402::200e', { allowLoopback: false })).toBe(false);
    expect(isForbiddenAddress('127.0.0.1', { allowLoopback: false })).toBe(true);
    expect(isForbiddenAddress('127.0.0.1', { allowLoopback: true })).toBe(false);
    expect(isForbiddenAddress('::1', { allowLoopback: true })).toBe(false);
    expect(isForbiddenAddress('::ffff:127.0.0.1', { allowLoopback: false })).toBe(true);
    expect(isForbiddenAddress('169.254.169.254', { allowLoopback: true })).toBe(true);
    expect(isForbiddenAddress('not-an-ip', { allowLoopback: true })).toBe(true);
    expect(isForbiddenAddress('2002:a9fe:a9fe::1', { allowLoopback: false })).toBe(true); // 6to4 of metadata
  });

  it('recognises IP literals exactly as Node does (net.isIP), without importing node:net', () => {
    const samples = [
      '1.2.3.4', '01.2.3.4', '256.1.1.1', '1.2.3', '1.2.3.4 ', '', '::', '::1', '1::', ':::', '1::2::3', '[::1]',
      '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
      'fe80::1%eth0', 'fe80::1%', 'ABCD::ef', '12345::', '0x7f.0.0.1', '1.2.3.4%x', '2001:db8::', 'localhost',
    ];
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5_000; i++) {
      const groups = Array.from({ length: 1 + Math.floor(random() * 9) }, () => (random() < 0.15 ? '' : Math.floor(random() * 70_000).toString(16)));
      const tail = random() < 0.3 ? `:${[0, 1, 2, 3].map(() => Math.floor(random() * 300)).join('.')}` : '';
      samples.push(`${groups.join(':')}${tail}${random() < 0.1 ? '%eth0' : ''}`);
    }
    const differing = samples.filter((s) => ipFamily(s) !== isIP(s));
    expect(differing).toEqual([]);
  });
});
