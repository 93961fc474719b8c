/**
 * pagoPA's FdR REST API for creditor organizations ("FDR - Flussi di Rendicontazione (ORGs)",
 * pagopa/pagopa-api openapi/fdr_organization.json; base https://api.platform.pagopa.it/fdr-org/service/v1),
 * over fetch: the subscription key in `Ocp-Apim-Subscription-Key`, amounts (decimal euros) turned
 * into cents, `regulationDate` read as a date or a date-time (the platform's APIM appends a time to
 * it, pagopa/pagopa-fdr infra/policy/_operation_policy_regulation_date.xml.tpl). Failures are
 * FdrUnavailable: retryable for 429, 5xx and network errors.
 */
import * as z from 'zod';
import { eurosToCents, PAY_STATUSES, type ReportingFlowHeader, type ReportingFlowLine } from '../domain/reporting-flow';
import { FdrUnavailable, type FdrApi, type FlowRef } from '../use-cases/reconciliation/ports';

const amount = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const cents = eurosToCents(v);
  if (cents === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not an amount in euros with at most 2 decimals' });
    return z.NEVER;
  }
  return cents;
});

const metadata = z.object({ pageSize: z.number(), pageNumber: z.number(), totPage: z.number() });
const listSchema = z.object({
  metadata,
  count: z.number(),
  data: z.array(z.object({ fdr: z.string(), pspId: z.string(), revision: z.number().int(), published: z.string(), flowDate: z.string() })),
});
const flowSchema = z.object({
  fdr: z.string(),
  revision: z.number().int(),
  published: z.string(),
  fdrDate: z.string(),
  regulation: z.string(),
  regulationDate: z.string().transform((v) => v.slice(0, 10)),
  bicCodePouringBank: z.string().optional().nullable(),
  sender: z.object({ pspId: z.string(), pspName: z.string().optional().nullable() }),
  receiver: z.object({ organizationId: z.string() }),
  totPayments: z.number().int(),
  sumPayments: amount,
});
const paymentsSchema = z.object({
  metadata,
  count: z.number(),
  data: z.array(
    z.object({
      index: z.number().int().min(1),
      iuv: z.string().min(1).max(35),
      iur: z.string().min(1).max(35),
      idTransfer: z.number().int().min(1).max(5),
      pay: amount,
      payStatus: z.enum(PAY_STATUSES),
      payDate: z.string(),
    }),
  ),
});

export class FdrHttpClient implements FdrApi {
  constructor(
    private readonly baseUrl: string,
    private readonly options: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {}

  async listFlows(apiKey: string, ofc: string, query: { publishedGt: string; page: number; size: number }): Promise<{ flows: FlowRef[]; totPage: number }> {
    const body = await this.get(apiKey, `/organizations/${encodeURIComponent(ofc)}/fdrs`, { publishedGt: query.publishedGt, page: String(query.page), size: String(query.size) }, listSchema);
    return {
      flows: body.data.map((f) => ({ flowId: f.fdr, pspId: f.pspId, revision: f.revision, published: iso(f.published), flowDate: iso(f.flowDate) })),
      totPage: body.metadata.totPage,
    };
  }

  async getFlow(apiKey: string, ofc: string, ref: FlowRef): Promise<ReportingFlowHeader> {
    const f = await this.get(apiKey, flowPath(ofc, ref), {}, flowSchema);
    return {
      organizationFiscalCode: ofc,
      flowId: f.fdr,
      pspId: f.sender.pspId,
      revision: f.revision,
      published: iso(f.published),
      flowDate: iso(f.fdrDate),
      regulation: f.regulation,
      regulationDate: f.regulationDate,
      ...(f.bicCodePouringBank ? { bicCodePouringBank: f.bicCodePouringBank } : {}),
      ...(f.sender.pspName ? { pspName: f.sender.pspName } : {}),
      totPayments: f.totPayments,
      sumPayments: f.sumPayments,
    };
  }

  async getPayments(apiKey: string, ofc: string, ref: FlowRef, query: { page: number; size: number }): Promise<{ lines: ReportingFlowLine[]; totPage: number }> {
    const body = await this.get(apiKey, `${flowPath(ofc, ref)}/payments`, { page: String(query.page), size: String(query.size) }, paymentsSchema);
    return {
      lines: body.data.map((p) => ({ index: p.index, iuv: p.iuv, iur: p.iur, idTransfer: p.idTransfer, amount: p.pay, payStatus: p.payStatus, payDate: iso(p.payDate) })),
      totPage: body.metadata.totPage,
    };
  }

  private async get<S extends z.ZodType>(apiKey: string, path: string, query: Record<string, string>, schema: S): Promise<z.infer<S>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}${Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ''}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        headers: { 'Ocp-Apim-Subscription-Key': apiKey, accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new FdrUnavailable(`FdR ${path}: ${(error as Error).message}`, true);
    }
    const text = await response.text();
    if (!response.ok) {
      let code = '';
      try {
        code = String((JSON.parse(text) as { appErrorCode?: string }).appErrorCode ?? '');
      } catch {
        // not the API's ErrorResponse
      }
      throw new FdrUnavailable(`FdR ${path}: HTTP ${response.status}${code ? ` ${code}` : ''}`, response.status === 429 || response.status >= 500, response.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FdrUnavailable(`FdR ${path}: the answer is not JSON`, true, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new FdrUnavailable(`FdR ${path}: unexpected answer (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`, false, response.status);
    }
    return parsed.data;
  }
}

const flowPath = (ofc: string, ref: FlowRef): string =>
  `/organizations/${encodeURIComponent(ofc)}/fdrs/${encodeURIComponent(ref.flowId)}/revisions/${ref.revision}/psps/${encodeURIComponent(ref.pspId)}`;

/** A date-time as the API writes it (offsets, 7 fractional digits) → ISO UTC with milliseconds. */
function iso(value: string): string {
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(trimmed);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}
