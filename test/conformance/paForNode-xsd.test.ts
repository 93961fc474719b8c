/**
 * Validates what the codec builds against pagoPA's own paForNode.xsd with xmllint. The XSD is read
 * from a local clone of the public repository pagopa/pagopa-api (env PAGOPA_API_GIT_DIR, a bare or
 * normal git dir) and never committed here, so this suite is not part of `npm test` (CI has no
 * copy): run it with `PAGOPA_API_GIT_DIR=<dir> npm run test:xsd`. Without the clone or xmllint it
 * fails with one line saying what is missing; it never skips itself. The element-order checks in
 * test/unit/soap/build-response.test.ts do not depend on it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PA_FOR_NODE_NS,
  buildFaultResponse,
  buildGetPaymentResponse,
  buildNodeRequest,
  buildSendRTResponse,
  buildVerifyResponse,
} from '../../shared/http/pagopa-soap';
import { receiptSchema } from '../../events/receipt';

const gitDir = process.env.PAGOPA_API_GIT_DIR ?? '';
if (spawnSync('xmllint', ['--version']).status !== 0) throw new Error('xmllint is missing: apt-get install libxml2-utils');
if (!gitDir || !existsSync(gitDir)) {
  throw new Error('PAGOPA_API_GIT_DIR must name a git clone of pagopa/pagopa-api (it holds wsdl/xsd/paForNode.xsd)');
}

function extractXsd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paForNode-xsd-'));
  for (const path of ['wsdl/xsd/paForNode.xsd', 'xsd-common/sac-common-types-1.0.xsd']) {
    const content = execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const xsdDir = extractXsd();
afterAll(() => rmSync(xsdDir, { recursive: true, force: true }));

/** the element inside soapenv:Body, as a standalone document declaring its prefix */
function bodyDocument(xml: string): string {
  const match = /<soapenv:Body>(<(\w+):([\w]+)>[\s\S]*)<\/soapenv:Body>/.exec(xml);
  if (!match) throw new Error('no body');
  const [, inner, prefix, local] = match as unknown as [string, string, string, string];
  return inner.replace(`<${prefix}:${local}>`, `<${prefix}:${local} xmlns:${prefix}="${PA_FOR_NODE_NS}">`);
}

function xmllint(xml: string): { ok: boolean; output: string } {
  const run = spawnSync('xmllint', ['--noout', '--schema', join(xsdDir, 'wsdl/xsd/paForNode.xsd'), '-'], { input: bodyDocument(xml) });
  return { ok: run.status === 0, output: run.stderr.toString() };
}

const example = receiptSchema.parse(JSON.parse(readFileSync(new URL('../../events/examples/receipt.json', import.meta.url), 'utf8')));
const ids = { idPA: '00743110157', idBrokerPA: '15376371009', idStation: '15376371009_01' };
const qrCode = { fiscalCode: '00743110157', noticeNumber: '302000000000000184' };

describe('built XML is valid against pagoPA paForNode.xsd (xmllint)', () => {
  const documents: Record<string, () => string> = {
    verifyRequest: () => buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode }),
    getPaymentV2Request: () => buildNodeRequest('paGetPaymentV2', { ...ids, qrCode, amount: 100, transferType: 'POSTAL', dueDate: '2026-01-31' }),
    sendRTV2Request: () => buildNodeRequest('paSendRTV2', { ...ids, receipt: example }),
    sendRTRequest: () =>
      buildNodeRequest('paSendRT', {
        ...ids,
        receipt: (({ paymentNote: _a, primaryCiIncurredFee: _b, idBundle: _c, idCiBundle: _d, ...r }) => r)(example),
      }),
    verifyResponse: () => buildVerifyResponse({ amount: 1, allCCP: true, dueDate: '2026-01-31', detailDescription: 'a & b', paymentDescription: 'p', fiscalCodePA: '00743110157', companyName: 'c', officeName: 'o' }),
    getPaymentV2Response: () =>
      buildGetPaymentResponse('paGetPaymentV2', {
        creditorReferenceId: '02000000000000184',
        paymentAmount: 1700,
        dueDate: '2026-01-31',
        retentionDate: '2026-03-31T00:00:00',
        lastPayment: false,
        description: 'd'.repeat(300),
        companyName: 'Comune',
        debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Emanuele Rossi', country: 'IT', email: 'a@b.it' },
        transferList: [
          { idTransfer: 1, transferAmount: 100, fiscalCodePA: '00743110157', companyName: 'C', IBAN: 'IT60X0542811101000000123456', remittanceInformation: 'r', transferCategory: 't', metadata: [{ key: 'k', value: 'v' }] },
          { idTransfer: 2, transferAmount: 1600, fiscalCodePA: '00743110157', richiestaMarcaDaBollo: { hashDocumento: 'wHpFSLCGZjIvNSXxqtGbxg7275t446DRTk5ZrsdUQ6E=', tipoBollo: '01', provinciaResidenza: 'MI' }, remittanceInformation: 'bollo', transferCategory: 't' },
        ],
        metadata: [{ key: 'k', value: 'v' }],
      }),
    sendRTResponse: () => buildSendRTResponse('paSendRTV2'),
    faultResponse: () => buildFaultResponse('paGetPayment', { faultCode: 'PAA_PAGAMENTO_SCONOSCIUTO', id: '00743110157', description: '<unknown> & "gone"' }),
  };

  it.each(Object.keys(documents))('%s', (name) => {
    const result = xmllint(documents[name]!());
    expect(result.output).toContain('validates');
    expect(result.ok).toBe(true);
  });

  it('xmllint does catch an element out of order (the check can fail)', () => {
    const swapped = buildSendRTResponse('paSendRT').replace('<outcome>OK</outcome>', '<fault><faultCode>x</faultCode><faultString>y</faultString><id>z</id></fault><outcome>OK</outcome>');
    expect(xmllint(swapped).ok).toBe(false);
  });
});
