/**
 * pagoPA's FdR API for creditor organizations, simulated for the local cloud and the tests
 * ("FDR - Flussi di Rendicontazione (ORGs)", pagopa/pagopa-api openapi/fdr_organization.json).
 *
 * Same paths as https://api.platform.pagopa.it/fdr-org/service/v1 under the prefix
 * /fdr-org/service/v1:
 *   GET /organizations/{organizationId}/fdrs?publishedGt=&flowDate=&pspId=&page=&size=
 *       PaginatedFlowsResponse {metadata{pageSize,pageNumber,totPage}, count, data[{fdr,pspId,revision,published,flowDate}]}
 *       only the latest revision of each flow; filters strictly greater; sorted by flow date then name;
 *       size 1..1000; publishedGt / flowDate older than one month → 400 FDR-1000
 *   GET /organizations/{organizationId}/fdrs/{fdr}/revisions/{revision}/psps/{pspId}     SingleFlowResponse | 404 FDR-3001
 *   GET /organizations/{organizationId}/fdrs/{fdr}/revisions/{revision}/psps/{pspId}/payments?page=&size=
 *       PaginatedPaymentsResponse {metadata, count, data[{index,iuv,iur,idTransfer,pay,payStatus,payDate}]}
 * Every call needs the organization's `Ocp-Apim-Subscription-Key` (else 401, as APIM answers).
 * Amounts are decimal euros, as the API writes them.
 *
 * Flows are built from the receipts the layer received from the node simulator (`receipts`):
 * `close(date)` makes one flow per PSP and organization of the receipts of that day not reported
 * yet (flow name `<date><pspId>-<n>`), with faults injectable per close: a payment left out, an
 * extra payment, an amount off by a cent, a revoked line (`receiptIds`: only those receipts, the
 * others left for a later close, so that each flow can have its own faults); `revise()` publishes a
 * new revision.
 * `statement()` writes the treasury statement (CSV or camt.053) crediting each flow's total with
 * the remittance text `/PUR/LGPE-RIVERSAMENTO/URI/<flow id>`.
 *
 * Control (JSON): POST /_admin/close {date, organizationId?, faults?}, POST /_admin/revise
 * {organizationId, fdr, pspId, faults?}, POST /_admin/api-faults {failNext, status},
 * GET /_admin/statement?organizationId=&date=&format=csv|camt053, GET /_admin/flows, POST /_admin/reset.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { centsToEuros } from '../../../../shared/domain/reporting-flow';

export const FDR_API_PREFIX = '/fdr-org/service/v1';

/** A receipt as the simulated platform knows it (what the node sent to the creditor). */
export interface SimReceipt {
  readonly organizationFiscalCode: string;
  readonly iuv: string;
  readonly receiptId: string;
  readonly pspId: string;
  readonly pspName?: string;
  readonly paymentDateTime: string;
  readonly transfers: ReadonlyArray<{ readonly idTransfer: number; readonly amount: number; readonly fiscalCodePA: string }>;
}

/** The receipts of a day (yyyy-MM-dd, UTC) of an organization (all when undefined). */
export type ReceiptSource = (date: string, organizationFiscalCode?: string) => Promise<SimReceipt[]>;

export interface CloseFaults {
  /** leave out this many payments (the last ones) */
  readonly omitPayments?: number;
  /** add a payment of an IUV that no creditor notice has (another intermediary's) */
  readonly extraPayment?: boolean;
  /** add this many cents to the first payment's amount (the header follows the lines unless headerMismatch) */
  readonly amountOffCents?: number;
  /** mark the first payment REVOKED */
  readonly revokeFirst?: boolean;
  /** the header's sumPayments one cent more than the lines */
  readonly headerMismatch?: boolean;
}

export interface SimPayment {
  index: number;
  iuv: string;
  iur: string;
  idTransfer: number;
  /** cents (written as euros on the wire) */
  amount: number;
  payStatus: 'EXECUTED' | 'REVOKED' | 'STAND_IN' | 'STAND_IN_NO_RPT' | 'NO_RPT';
  payDate: string;
}

export interface SimFlow {
  organizationId: string;
  organizationName: string;
  fdr: string;
  pspId: string;
  pspName: string;
  revision: number;
  published: string;
  fdrDate: string;
  regulation: string;
  regulationDate: string;
  payments: SimPayment[];
  /** header totals as published (normally the lines'); cents */
  totPayments: number;
  sumPayments: number;
}

export interface FdrSimulatorOptions {
  readonly receipts: ReceiptSource;
  readonly now?: () => number;
}

export interface FdrSimulator {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  registerOrganization(organizationId: string, apiKey: string, name?: string): void;
  /** payments the node made whose receipts the creditor may not have yet: reported by the next close of their day */
  addReceipts(receipts: readonly SimReceipt[]): void;
  /**
   * one flow per PSP (and organization) of the receipts of `date` not reported yet; `receiptIds`:
   * only those receipts (the others stay for a later close), so that a run can fault flows one by one
   */
  close(date: string, options?: { organizationId?: string; faults?: CloseFaults; receiptIds?: readonly string[] }): Promise<SimFlow[]>;
  /** publishes revision n+1 of a flow (the same payments, faults applied) */
  revise(organizationId: string, fdr: string, pspId: string, faults?: CloseFaults): SimFlow;
  /** the latest revision of every flow */
  flows(organizationId?: string): SimFlow[];
  /** a treasury statement crediting the total of each flow published for `organizationId` on `date` (all its flows when undefined) */
  statement(organizationId: string, format: 'csv' | 'camt053', options?: { date?: string; flows?: readonly string[]; amountOffCents?: number }): string;
  /** answer the next `count` API calls with `status` */
  failNext(count: number, status?: number): void;
  /** API calls seen (path + query) */
  readonly calls: string[];
  reset(): void;
}

export function createFdrSimulator(options: FdrSimulatorOptions): FdrSimulator {
  const now = options.now ?? Date.now;
  const keys = new Map<string, { apiKey: string; name: string }>();
  /** `${org}|${fdr}|${psp}` → revisions, oldest first */
  const store = new Map<string, SimFlow[]>();
  const reported = new Set<string>();
  const sequence = new Map<string, number>();
  let apiFaults = { count: 0, status: 500 };
  const calls: string[] = [];
  const extra: SimReceipt[] = [];

  const latest = (): SimFlow[] => [...store.values()].map((revs) => revs[revs.length - 1]!);

  function applyFaults(payments: SimPayment[], faults: CloseFaults | undefined, date: string): { payments: SimPayment[]; headerExtra: number } {
    let out = payments.map((p) => ({ ...p }));
    if (faults?.omitPayments) out = out.slice(0, Math.max(0, out.length - faults.omitPayments));
    if (faults?.amountOffCents && out[0]) out[0].amount += faults.amountOffCents;
    if (faults?.revokeFirst && out[0]) out[0].payStatus = 'REVOKED';
    if (faults?.extraPayment) {
      out.push({ index: 0, iuv: `99${String(now()).slice(-13)}`, iur: `EXTRA${now()}`, idTransfer: 1, amount: 1234, payStatus: 'EXECUTED', payDate: `${date}T10:00:00.000Z` });
    }
    out.forEach((p, i) => (p.index = i + 1));
    return { payments: out, headerExtra: faults?.headerMismatch ? 1 : 0 };
  }

  function publish(flow: Omit<SimFlow, 'totPayments' | 'sumPayments'>, headerExtra: number): SimFlow {
    const full: SimFlow = {
      ...flow,
      totPayments: flow.payments.length,
      sumPayments: flow.payments.reduce((s, p) => s + p.amount, 0) + headerExtra,
    };
    const k = `${flow.organizationId}|${flow.fdr}|${flow.pspId}`;
    store.set(k, [...(store.get(k) ?? []), full]);
    return full;
  }

  const sim: FdrSimulator = {
    calls,
    registerOrganization(organizationId, apiKey, name) {
      keys.set(organizationId, { apiKey, name: name ?? organizationId });
    },
    addReceipts(receipts) {
      extra.push(...receipts);
    },
    async close(date, closeOptions = {}) {
      const receipts = [
        ...extra.filter((r) => r.paymentDateTime.slice(0, 10) === date && (closeOptions.organizationId === undefined || r.organizationFiscalCode === closeOptions.organizationId)),
        ...(await options.receipts(date, closeOptions.organizationId)),
      ];
      // payments per (beneficiary organization, PSP)
      const groups = new Map<string, { org: string; psp: string; pspName: string; payments: SimPayment[] }>();
      const only = closeOptions.receiptIds ? new Set(closeOptions.receiptIds) : undefined;
      for (const r of receipts) {
        if (only && !only.has(r.receiptId)) continue;
        if (reported.has(`${r.organizationFiscalCode}|${r.receiptId}`)) continue;
        reported.add(`${r.organizationFiscalCode}|${r.receiptId}`);
        for (const t of r.transfers) {
          if (closeOptions.organizationId !== undefined && t.fiscalCodePA !== closeOptions.organizationId) continue;
          const k = `${t.fiscalCodePA}|${r.pspId}`;
          const g = groups.get(k) ?? { org: t.fiscalCodePA, psp: r.pspId, pspName: r.pspName ?? r.pspId, payments: [] };
          g.payments.push({ index: 0, iuv: r.iuv, iur: r.receiptId, idTransfer: t.idTransfer, amount: t.amount, payStatus: 'EXECUTED', payDate: r.paymentDateTime });
          groups.set(k, g);
        }
      }
      const published: SimFlow[] = [];
      for (const g of groups.values()) {
        const seqKey = `${date}|${g.psp}`;
        const n = (sequence.get(seqKey) ?? 0) + 1;
        sequence.set(seqKey, n);
        const { payments, headerExtra } = applyFaults(g.payments, closeOptions.faults, date);
        const at = new Date(now()).toISOString();
        published.push(
          publish(
            {
              organizationId: g.org,
              organizationName: keys.get(g.org)?.name ?? g.org,
              fdr: `${date}${g.psp}-${String(n).padStart(4, '0')}`,
              pspId: g.psp,
              pspName: g.pspName,
              revision: 1,
              published: at,
              fdrDate: at,
              regulation: `SCT${date.replace(/-/g, '')}${g.psp}${n}`.slice(0, 35),
              regulationDate: date,
              payments,
            },
            headerExtra,
          ),
        );
      }
      return published;
    },
    revise(organizationId, fdr, pspId, faults) {
      const revs = store.get(`${organizationId}|${fdr}|${pspId}`);
      const last = revs?.[revs.length - 1];
      if (!last) throw new Error(`no flow ${fdr} of ${pspId} for ${organizationId}`);
      const { payments, headerExtra } = applyFaults(last.payments, faults, last.regulationDate);
      const at = new Date(now()).toISOString();
      return publish({ ...last, revision: last.revision + 1, published: at, fdrDate: at, payments }, headerExtra);
    },
    flows(organizationId) {
      return latest().filter((f) => organizationId === undefined || f.organizationId === organizationId);
    },
    statement(organizationId, format, statementOptions = {}) {
      const flows = latest().filter(
        (f) =>
          f.organizationId === organizationId &&
          (statementOptions.date === undefined || f.regulationDate === statementOptions.date) &&
          (statementOptions.flows === undefined || statementOptions.flows.includes(f.fdr)),
      );
      const entries = flows.map((f, i) => ({
        ref: `TRN${f.regulation}`.slice(0, 35),
        amount: f.sumPayments + (i === 0 ? (statementOptions.amountOffCents ?? 0) : 0),
        date: nextDay(f.regulationDate),
        text: `/PUR/LGPE-RIVERSAMENTO/URI/${f.fdr}`,
        payer: f.pspName,
      }));
      return format === 'csv' ? csvStatement(entries) : camt053Statement(organizationId, entries, new Date(now()).toISOString());
    },
    failNext(count, status = 500) {
      apiFaults = { count, status };
    },
    reset() {
      store.clear();
      extra.length = 0;
      reported.clear();
      sequence.clear();
      calls.length = 0;
      apiFaults = { count: 0, status: 500 };
    },
    listener: (req, res) => {
      handle(req, res).catch((error: unknown) => send(res, 500, { httpStatusCode: 500, appErrorCode: 'FDR-0500', errors: [{ message: (error as Error).message }] }));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    if (path.startsWith('/_admin/')) return admin(req, res, url);
    if (!path.startsWith(FDR_API_PREFIX) || req.method !== 'GET') return send(res, 404, error(404, 'FDR-0404', `no route ${req.method} ${path}`));
    calls.push(`${path}${url.search}`);
    const m = /^\/organizations\/([^/]+)\/fdrs(?:\/([^/]+)\/revisions\/(\d+)\/psps\/([^/]+)(\/payments)?)?$/.exec(path.slice(FDR_API_PREFIX.length));
    if (!m) return send(res, 404, error(404, 'FDR-0404', `no route ${path}`));
    const org = decodeURIComponent(m[1]!);
    const key = keys.get(org);
    const given = req.headers['ocp-apim-subscription-key'] ?? url.searchParams.get('subscription-key');
    if (!key || given !== key.apiKey) return send(res, 401, { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
    if (apiFaults.count > 0) {
      apiFaults.count--;
      return send(res, apiFaults.status, error(apiFaults.status, 'FDR-0500', 'An unexpected error has occurred. Please contact support.'));
    }
    const page = intParam(url, 'page', 1);
    const size = intParam(url, 'size', 1000);
    if (page === undefined || page < 1) return send(res, 400, error(400, 'FDR-1000', 'page: must be ≥ 1', 'page'));
    if (size === undefined || size < 1 || (m[2] === undefined && size > 1000)) return send(res, 400, error(400, 'FDR-1000', 'size: must be 1..1000', 'size'));
    if (m[2] === undefined) {
      const monthAgo = new Date(now());
      monthAgo.setUTCMonth(monthAgo.getUTCMonth() - 1);
      const bound = (name: string): string | undefined | null => {
        const v = url.searchParams.get(name);
        if (v === null) return monthAgo.toISOString();
        const t = Date.parse(v);
        if (Number.isNaN(t) || t < monthAgo.getTime()) return null;
        return new Date(t).toISOString();
      };
      const publishedGt = bound('publishedGt');
      const flowDate = bound('flowDate');
      if (publishedGt === null) return send(res, 400, error(400, 'FDR-1000', 'publishedGt: the date is older than the allowed limit of 1 month', 'publishedGt'));
      if (flowDate === null) return send(res, 400, error(400, 'FDR-1000', 'flowDate: the date is older than the allowed limit of 1 month', 'flowDate'));
      const psp = url.searchParams.get('pspId');
      const all = latest()
        .filter((f) => f.organizationId === org && f.published > publishedGt! && f.fdrDate > flowDate! && (psp === null || f.pspId === psp))
        .sort((a, b) => a.fdrDate.localeCompare(b.fdrDate) || a.fdr.localeCompare(b.fdr));
      const slice = all.slice((page - 1) * size, page * size);
      return send(res, 200, {
        metadata: { pageSize: size, pageNumber: page, totPage: Math.max(1, Math.ceil(all.length / size)) },
        count: all.length,
        data: slice.map((f) => ({ fdr: f.fdr, pspId: f.pspId, revision: f.revision, published: f.published, flowDate: f.fdrDate })),
      });
    }
    const fdr = decodeURIComponent(m[2]);
    const revision = Number(m[3]);
    const psp = decodeURIComponent(m[4]!);
    if (!/^\d{4}-\d{2}-\d{2}/.test(fdr)) return send(res, 400, error(400, 'FDR-3008', `Flow identifier [${fdr}] contains a date that is not compliant.`));
    if (!fdr.slice(10).startsWith(`${psp}-`)) return send(res, 400, error(400, 'FDR-3009', `Flow identifier [${fdr}] contains a PSP ID that is not compliant.`));
    const flow = store.get(`${org}|${fdr}|${psp}`)?.find((f) => f.revision === revision);
    if (!flow) return send(res, 404, error(404, 'FDR-3001', `Flow with ID [${fdr}] not found.`));
    if (m[5] === undefined) {
      return send(res, 200, {
        status: 'PUBLISHED',
        revision: flow.revision,
        created: flow.published,
        updated: flow.published,
        published: flow.published,
        fdr: flow.fdr,
        fdrDate: flow.fdrDate,
        regulation: flow.regulation,
        // as the platform's APIM answers it: the date with a time appended
        regulationDate: `${flow.regulationDate}T00:00:00.000000+02:00`,
        bicCodePouringBank: 'UNCRITMMXXX',
        sender: { type: 'LEGAL_PERSON', id: flow.pspId, pspId: flow.pspId, pspName: flow.pspName, pspBrokerId: flow.pspId, channelId: `${flow.pspId}_01` },
        receiver: { id: flow.organizationId, organizationId: flow.organizationId, organizationName: flow.organizationName },
        computedTotPayments: flow.payments.length,
        computedSumPayments: Number(centsToEuros(flow.payments.reduce((s, p) => s + p.amount, 0))),
        totPayments: flow.totPayments,
        sumPayments: Number(centsToEuros(flow.sumPayments)),
      });
    }
    const slice = flow.payments.slice((page - 1) * size, page * size);
    return send(res, 200, {
      metadata: { pageSize: size, pageNumber: page, totPage: Math.max(1, Math.ceil(flow.payments.length / size)) },
      count: flow.payments.length,
      data: slice.map((p) => ({ index: p.index, iuv: p.iuv, iur: p.iur, idTransfer: p.idTransfer, pay: Number(centsToEuros(p.amount)), payStatus: p.payStatus, payDate: p.payDate })),
    });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = req.method === 'POST' ? await readJson(req) : {};
    switch (`${req.method} ${url.pathname}`) {
      case 'POST /_admin/close': {
        const date = typeof body['date'] === 'string' ? body['date'] : new Date(now()).toISOString().slice(0, 10);
        const flows = await sim.close(date, {
          ...(typeof body['organizationId'] === 'string' ? { organizationId: body['organizationId'] } : {}),
          ...(body['faults'] ? { faults: body['faults'] as CloseFaults } : {}),
        });
        return send(res, 200, { flows: flows.map(summary) });
      }
      case 'POST /_admin/revise':
        return send(res, 200, summary(sim.revise(String(body['organizationId']), String(body['fdr']), String(body['pspId']), body['faults'] as CloseFaults | undefined)));
      case 'POST /_admin/api-faults':
        sim.failNext(Number(body['failNext'] ?? 0), Number(body['status'] ?? 500));
        return send(res, 200, { ok: true });
      case 'GET /_admin/flows':
        return send(res, 200, { flows: sim.flows(url.searchParams.get('organizationId') ?? undefined).map(summary) });
      case 'GET /_admin/statement': {
        const format = url.searchParams.get('format') === 'camt053' ? 'camt053' : 'csv';
        const text = sim.statement(url.searchParams.get('organizationId') ?? '', format, { ...(url.searchParams.get('date') ? { date: url.searchParams.get('date')! } : {}) });
        res.writeHead(200, { 'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/xml' });
        res.end(text);
        return;
      }
      case 'POST /_admin/reset':
        sim.reset();
        return send(res, 200, { ok: true });
      default:
        return send(res, 404, { error: `no admin route ${req.method} ${url.pathname}` });
    }
  }

  return sim;
}

const summary = (f: SimFlow) => ({ fdr: f.fdr, pspId: f.pspId, revision: f.revision, organizationId: f.organizationId, payments: f.payments.length, sumPayments: centsToEuros(f.sumPayments), published: f.published });

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The layer's documented CSV layout (see the README): `;`-separated, a header line, amounts with a decimal point. */
function csvStatement(entries: ReadonlyArray<{ ref: string; amount: number; date: string; text: string; payer: string }>): string {
  const lines = ['bookingDate;valueDate;amount;currency;creditDebit;remittanceInformation;bankReference;endToEndId;counterparty'];
  for (const e of entries) lines.push([e.date, e.date, centsToEuros(e.amount), 'EUR', 'CRDT', e.text, e.ref, e.ref, e.payer.replace(/;/g, ' ')].join(';'));
  return `${lines.join('\n')}\n`;
}

/** ISO 20022 BankToCustomerStatement (camt.053.001.02), one entry per credit. */
function camt053Statement(organizationId: string, entries: ReadonlyArray<{ ref: string; amount: number; date: string; text: string; payer: string }>, at: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const ntry = entries
    .map(
      (e) => `      <Ntry>
        <Amt Ccy="EUR">${centsToEuros(e.amount)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${e.date}</Dt></BookgDt>
        <ValDt><Dt>${e.date}</Dt></ValDt>
        <AcctSvcrRef>${esc(e.ref)}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>${esc(e.ref)}</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>${esc(e.payer)}</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>${esc(e.text)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>SIM${at.replace(/\D/g, '').slice(0, 14)}</MsgId><CreDtTm>${at}</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-${organizationId}-${at.slice(0, 10)}</Id>
      <CreDtTm>${at}</CreDtTm>
      <Acct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></Acct>
${ntry}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

function error(status: number, appErrorCode: string, message: string, path?: string) {
  return { errorId: `sim-${Date.now()}`, httpStatusCode: status, httpStatusDescription: status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Internal Server Error', appErrorCode, errors: [{ ...(path ? { path } : {}), message }] };
}

function intParam(url: URL, name: string, fallback: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return fallback;
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
