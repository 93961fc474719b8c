/** Whether one answer is the precise refusal a hostile case expects; the reasons when it is not. */
import { parseStationResponse } from '../../../shared/http/pagopa-soap';
import type { HostileCase } from './cases';
import type { RawResponse } from './http';

export interface Outcome {
  readonly index: number;
  readonly testCase: HostileCase;
  readonly status: number;
  /** "401", "200 PAA_SINTASSI_EXTRAXSD", "400 SOAP Fault", "ERR" */
  readonly label: string;
  readonly ms: number;
  readonly problems: string[];
  readonly excerpt: string;
}

/** Values that must never come back in a response body. */
export function judge(index: number, testCase: HostileCase, response: RawResponse | Error, secrets: readonly string[]): Outcome {
  const problems: string[] = [];
  if (response instanceof Error) {
    const closedOn413 = (response as { connectionClosed?: boolean }).connectionClosed && testCase.expect.kind === 'problem' && testCase.expect.status.includes(413);
    return { index, testCase, status: closedOn413 ? 413 : 0, label: closedOn413 ? '413 (closed)' : 'ERR', ms: 0, problems: closedOn413 ? [] : [`no answer: ${response.message}`], excerpt: '' };
  }
  const contentType = String(response.headers['content-type'] ?? '');
  const excerpt = response.text.slice(0, 300);
  let label = String(response.status);
  if (response.status >= 500) problems.push(`${response.status}: a hostile request must never be a 5xx`);
  for (const secret of secrets) if (response.text.includes(secret)) problems.push(`the answer contains a secret (${secret.slice(0, 6)}…)`);
  if (/root:x:0:0|\[boot loader\]/.test(response.text)) problems.push('the answer contains a local file (XXE)');
  if (response.ms > 10_000) problems.push(`took ${Math.round(response.ms)} ms`);

  const expect = testCase.expect;
  if (expect.kind === 'problem') {
    if (!expect.status.includes(response.status)) problems.push(`status ${response.status}, expected ${expect.status.join('|')}`);
    if (!contentType.startsWith('application/problem+json')) problems.push(`content-type ${contentType || '(none)'}, expected application/problem+json`);
    let body: { status?: unknown; title?: unknown; detail?: unknown; errors?: Array<{ field: string; message: string }> } | undefined;
    try {
      body = JSON.parse(response.text);
    } catch {
      problems.push('the body is not JSON');
    }
    if (body) {
      if (body.status !== response.status) problems.push(`problem.status ${String(body.status)} ≠ HTTP ${response.status}`);
      if (typeof body.title !== 'string' || typeof body.detail !== 'string') problems.push('problem without title/detail');
      for (const field of expect.fields ?? []) {
        const named = (body.errors ?? []).some((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`) || e.message.includes(field));
        if (!named) problems.push(`errors do not name ${field}: ${String(JSON.stringify(body.errors ?? body.detail ?? null)).slice(0, 200)}`);
      }
    }
  } else {
    if (response.status === 400) {
      label = '400 SOAP Fault';
      if (!expect.allow400) problems.push('400 SOAP Fault, expected HTTP 200 with outcome KO');
      if (!/<faultcode>[^<]*Client<\/faultcode>/.test(response.text)) problems.push('400 without a SOAP Client fault');
    } else if (response.status === 200) {
      const parsed = parseStationResponse(response.text);
      if (parsed.kind !== 'response') {
        problems.push(`not a paForNode response: ${parsed.description}`);
      } else {
        const code = parsed.fault?.faultCode;
        label = `200 ${parsed.outcome}${code ? ` ${code}` : ''}`;
        if (parsed.outcome !== 'KO') problems.push('outcome OK for a hostile request');
        else if (!code || !expect.faults.includes(code)) problems.push(`fault ${code ?? '(none)'}, expected ${expect.faults.join('|')}`);
      }
    } else {
      problems.push(`status ${response.status}, expected 200 KO${expect.allow400 ? ' or 400 SOAP Fault' : ''}`);
    }
    if (!contentType.startsWith('text/xml')) problems.push(`content-type ${contentType}, expected text/xml`);
  }
  return { index, testCase, status: response.status, label, ms: response.ms, problems, excerpt };
}

/** endpoint → answer label → count, printed as a table. */
export function summarize(outcomes: readonly Outcome[]): string {
  const byEndpoint = new Map<string, Map<string, number>>();
  for (const o of outcomes) {
    const row = byEndpoint.get(o.testCase.endpoint) ?? new Map<string, number>();
    row.set(o.label, (row.get(o.label) ?? 0) + 1);
    byEndpoint.set(o.testCase.endpoint, row);
  }
  const lines: string[] = [];
  const width = Math.max(...[...byEndpoint.keys()].map((k) => k.length));
  for (const [endpoint, row] of [...byEndpoint].sort(([a], [b]) => a.localeCompare(b))) {
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    const cells = [...row].sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => `${label}×${n}`);
    lines.push(`${endpoint.padEnd(width)}  ${String(total).padStart(4)}  ${cells.join('  ')}`);
  }
  const failed = outcomes.filter((o) => o.problems.length > 0).length;
  lines.push(`${'TOTAL'.padEnd(width)}  ${String(outcomes.length).padStart(4)}  failed ${failed}`);
  return lines.join('\n');
}
