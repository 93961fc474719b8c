/**
 * The operator console's search on a tenant with 50,000 positions (issue: "answers in ≤ 300 ms
 * p95 locally"): GET /console-api/organizations/{ofc}/debtpositions over real HTTP, with a real
 * operator access token, one request at a time, six kinds of search:
 *   first page   status=VALID, page 0, limit 20 (the default ordering, inserted date, newest first)
 *   later page   status=VALID, a random page after the first, limit 20
 *   iupd         iupd=<a random position's>
 *   notice       notice_number=<a random position's NAV>
 *   debtor       debtor=<a random position's debtor fiscal code>, first page, limit 20
 *   debtor name  debtor_name=<a random person's surname and given name's initial>, e.g. "rossi m"
 *                (surname first, as a tax roll writes it; the names are stored given name first)
 * side by side with the same searches answered the naive way an untuned layer would: a DynamoDB
 * Scan with a FilterExpression, 1,000 items a page, paging until 20 matches (1 for iupd and
 * notice number) are found or the scan ends, straight against DynamoDB Local. Positions are one
 * partition each (POS#<ofc>#<iupd>), so there is no tenant partition to Query: the naive search
 * is a Scan, here of the sparse index gsi3, which holds the position items (ALL projected) and
 * none of the notice-number locks and audit lines of the base table; since the debtor-name search
 * it also holds the four listing entries per position that carry a name rotation, so a Scan that
 * reads to the end reads ~5 items per position (the runs before 2026-12-04 read 1). It also returns less than the console does (scan order
 * instead of newest first, no total).
 *
 * The layer runs in this process (startLocalLayer, as npm run console:timing does). Seeding goes
 * through DynamoDebtPositionStore.create with the layer's own DynamoDB Local, concurrently: each
 * position in the store's one transaction (the position with its status and debtor indexes, the
 * notice-number lock, the audit line, the listing entries and counters), the notice numbers from
 * the store's IUV counter; no outbox events (they would make every position's IO message and
 * notice, which no search reads). Deep pages of a list without bookmarks answer 503 (Retry-After)
 * until the bookmarks are saved: the last page is asked once first (reported apart) and every
 * search is retried after Retry-After as an operator would. The token comes from the local
 * OpenID provider by plain HTTP: authorization code with PKCE, the operator `admin` signing in on
 * the provider's own form; the console API verifies it (JWKS, issuer, audience, expiry) on every
 * request as it does for the page. Every answer is checked against the seeded positions.
 *
 *   npx tsx scripts/bench-console-search.ts [--positions 50000] [--runs 100] [--baseline-runs N]
 */
import { seededRandom } from '../infra/local/simulators/app-io/prng';
import { createHash, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { envNameFor } from '../infra/catalog';
import { startLocalLayer, temporaryOutbox, type LocalLayer } from '../infra/local/layer';
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_ID, CONSOLE_SCOPE } from '../infra/local/simulators/oidc';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../shared/adapters/dynamo/debt-position-store';
import type { DebtPosition, PositionStatus } from '../shared/domain/debt-position';
import { makeNoticeNumber } from '../shared/domain/notice-number';
import { auditLine } from '../shared/use-cases/debt-positions/position-writes';
import type { Actor } from '../shared/use-cases/ports';

const ORG = '80001234568';
const SEGREGATION_CODE = '12';
const IBAN = 'IT78L0306909606100000117002';
const LIMIT = 20;
const WARMUP = 5;
const SEED_CONCURRENCY = 8;
/**
 * Items a naive Scan page evaluates (Limit): about what DynamoDB's 1 MB page holds of these
 * ~1.2 KB position items. Without a Limit, DynamoDB Local takes seconds for each 1 MB page of a
 * 50,000-item index (2 s for ~900 items, against ~0.13 s with Limit 1000): an artifact of the
 * emulator, not of the design, that would flatter this layer.
 */
const NAIVE_PAGE_ITEMS = 1000;

export type SearchKind = 'status=VALID, first page' | 'status=VALID, random later page' | 'iupd' | 'notice number' | 'debtor, first page' | 'debtor name, first page';
const KINDS: readonly SearchKind[] = ['status=VALID, first page', 'status=VALID, random later page', 'iupd', 'notice number', 'debtor, first page', 'debtor name, first page'];

export interface SearchRow {
  readonly kind: SearchKind;
  readonly design: 'console API (this layer)' | 'naive filtered query';
  readonly via: 'HTTP, bearer token' | 'DynamoDB Scan';
  readonly runs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** naive only: Scan requests and items read per search */
  readonly requestsPerCall?: number;
  readonly itemsReadPerCall?: number;
  /** console API: 503 answers (list index being rebuilt) retried after Retry-After, their waits included in the time */
  readonly busyRetries?: number;
}

export interface ConsoleSearchBench {
  readonly positions: number;
  readonly byStatus: Record<string, number>;
  readonly debtors: number;
  readonly maxPositionsPerDebtor: number;
  readonly seedSeconds: number;
  readonly settleSeconds: number;
  readonly signInMs: number;
  /** the machine's load average (1 minute) when the measurements began and when they ended */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /**
   * The last page of status=VALID asked before any bookmark of that list exists (what the first
   * operator to go deep meets): each call walks at most WALK_BUDGET entries and answers 503
   * (Retry-After) until it reaches the page; the calls, and what each took (the waits not counted).
   */
  readonly coldDeepPage: { readonly page: number; readonly calls: number; readonly busy: number; readonly callMs: number[] };
  readonly rows: SearchRow[];
}

export interface ConsoleSearchOptions {
  readonly positions?: number;
  /** console API requests per kind (default 100) */
  readonly runs?: number;
  /** naive searches per kind at most (default = runs), and at least 10, within `baselineBudgetSeconds` */
  readonly baselineRuns?: number;
  /** time a naive kind may take before it stops repeating (default 60 s; at least 10 runs whatever it takes) */
  readonly baselineBudgetSeconds?: number;
  readonly log?: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// the tenant's positions


const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MONTHS = 'ABCDEHLMPRST';

/** A codice fiscale shaped code (16 characters), one per debtor number (not checked by anything). */
function personCode(d: number): string {
  let x = d;
  let surname = '';
  for (let k = 0; k < 6; k++) {
    surname += LETTERS[x % 26];
    x = Math.floor(x / 26);
  }
  const year = String(40 + (d % 60)).padStart(2, '0');
  const day = String(1 + (d % 28)).padStart(2, '0');
  return `${surname}${year}${MONTHS[d % 12]}${day}H501${LETTERS[(d * 7) % 26]}`;
}

interface Debtor {
  readonly fiscalCode: string;
  readonly type: 'F' | 'G';
  readonly name: string;
}

const GIVEN_NAMES = ['Mario', 'Maria', 'Giuseppe', 'Anna', 'Luigi', 'Giovanna', 'Francesco', 'Rosa', 'Antonio', 'Angela', 'Giovanni', 'Lucia', 'Carlo', 'Teresa', 'Paolo', 'Elena', 'Marco', 'Chiara', 'Luca', 'Sara', 'Andrea', 'Giulia', 'Stefano', 'Laura', 'Roberto', 'Paola', 'Franco', 'Silvia', 'Sergio', 'Nicoletta'];
const SURNAMES = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'Barbieri', 'Fontana', 'Santoro', 'Mariani', 'Rinaldi', 'Caruso', 'Ferrara', 'Galli', 'Martini', 'Leone', 'Longo', 'Gentile', 'Martinelli', 'Vitale', 'Lombardo', 'Serra', 'Coppola', 'De Santis', 'D\'Angelo', 'Marchetti'];

function debtorOf(d: number): Debtor {
  // one debtor in 20 a company (partita IVA, 11 digits)
  if (d % 20 === 7) return { fiscalCode: String(10_000_000_000 + d).slice(0, 11), type: 'G', name: `Impresa Esempio ${d} S.r.l.` };
  return { fiscalCode: personCode(d), type: 'F', name: `${GIVEN_NAMES[d % GIVEN_NAMES.length]} ${SURNAMES[Math.floor(d / GIVEN_NAMES.length) % SURNAMES.length]}` };
}

interface Seeded {
  readonly positions: DebtPosition[];
  readonly byStatus: Record<string, number>;
  readonly debtorPositions: Map<string, DebtPosition[]>;
}

/**
 * n positions: 80% VALID, 8% DRAFT, 8% PAID, 4% INVALID; debtors drawn with a skew (~0.6 n
 * debtor numbers, the low ones far more often: most debtors have one position, a few dozens);
 * each position one option (a notice number from the store's IUV counter), inserted a minute apart.
 */
function makePositions(n: number, bases: bigint[], now: number): Seeded {
  const random = seededRandom(20260);
  const debtorNumbers = Math.max(1, Math.floor(n * 0.6));
  const positions: DebtPosition[] = [];
  const byStatus: Record<string, number> = {};
  const debtorPositions = new Map<string, DebtPosition[]>();
  for (let i = 0; i < n; i++) {
    const r = random();
    const status: PositionStatus = r < 0.8 ? 'VALID' : r < 0.88 ? 'DRAFT' : r < 0.96 ? 'PAID' : 'INVALID';
    const debtor = debtorOf(Math.floor(debtorNumbers * random() ** 1.6));
    const inserted = new Date(now - (n - i) * 60_000).toISOString();
    const published = status === 'DRAFT' ? undefined : new Date(now - (n - i) * 60_000 + 30_000).toISOString();
    const paidAt = status === 'PAID' ? new Date(now - Math.floor((n - i) / 2) * 60_000).toISOString() : undefined;
    const { iuv, nav } = makeNoticeNumber(SEGREGATION_CODE, bases[i]!);
    const amount = 5_000 + Math.floor(random() * 95_000);
    const position: DebtPosition = {
      organizationFiscalCode: ORG,
      iupd: `TARI-2026-${String(i).padStart(6, '0')}`,
      debtor: {
        type: debtor.type,
        fiscalCode: debtor.fiscalCode,
        fullName: debtor.name,
        streetName: 'Via Giuseppe Garibaldi',
        civicNumber: String(1 + (i % 200)),
        postalCode: '00100',
        city: 'Roma',
        province: 'RM',
        country: 'IT',
        email: `debitore.${i}@example.org`,
      },
      companyName: 'Comune di Esempio',
      officeName: 'Ufficio Tributi',
      switchToExpired: false,
      payStandIn: true,
      status,
      insertedDate: inserted,
      ...(published ? { publishDate: published } : {}),
      ...(paidAt ? { paymentDate: paidAt } : {}),
      lastUpdatedDate: paidAt ?? published ?? inserted,
      version: status === 'DRAFT' ? 1 : status === 'VALID' ? 2 : 3,
      paymentOptions: [
        {
          iuv,
          nav,
          amount,
          description: 'TARI 2026 - rata unica',
          isPartialPayment: false,
          dueDate: new Date(Date.UTC(2099, 2, 1 + (i % 28), 22, 59, 59, 999)).toISOString(),
          fee: 0,
          status: status === 'PAID' ? 'PO_PAID' : 'PO_UNPAID',
          ...(paidAt ? { payment: { receiptId: `R-${iuv}`, paymentDate: paidAt, pspCompany: 'Banca Esempio', paymentMethod: 'CP', fee: 100 } } : {}),
          metadata: [{ key: 'codiceUtenza', value: `U-${i}` }],
          transfers: [
            {
              idTransfer: '1',
              amount,
              organizationFiscalCode: ORG,
              remittanceInformation: 'TARI 2026 - quota comunale',
              category: '9/0101108TS/',
              iban: IBAN,
              metadata: [{ key: 'capitolo', value: '1010' }],
            },
          ],
        },
      ],
    };
    positions.push(position);
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const list = debtorPositions.get(debtor.fiscalCode) ?? [];
    list.push(position);
    debtorPositions.set(debtor.fiscalCode, list);
  }
  return { positions, byStatus, debtorPositions };
}

async function seed(store: DynamoDebtPositionStore, n: number, log: (line: string) => void): Promise<{ seeded: Seeded; seconds: number }> {
  const started = performance.now();
  const bases = await store.allocateIuvBases(ORG, n);
  const seeded = makePositions(n, bases, Date.now());
  const actor: Actor = { organizationFiscalCode: ORG, keyId: 'bench-console-search', requestId: 'bench-seed' };
  let next = 0;
  let done = 0;
  let lastReport = performance.now();
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      for (;;) {
        const at = next++;
        if (at >= n) return;
        const p = seeded.positions[at]!;
        const conflict = await store.create(p, auditLine(new Date(p.lastUpdatedDate), 'create', actor, p), []);
        if (conflict) throw new Error(`seeding ${p.iupd}: ${JSON.stringify(conflict)}`);
        done++;
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          log(`  ${done} / ${n} positions (${(done / ((lastReport - started) / 1000)).toFixed(0)} per second)`);
        }
      }
    }),
  );
  return { seeded, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// the operator's token: authorization code with PKCE on the local OpenID provider, by plain HTTP

class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

export async function operatorToken(layer: LocalLayer, username: string, password: string): Promise<string> {
  const issuer = layer.oidc.issuer(layer.cloud.url);
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
  const verifier = b64url(randomBytes(48));
  const state = b64url(randomBytes(24));
  const authorize = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: layer.consoleUrl,
    scope: `openid profile ${CONSOLE_SCOPE}`,
    state,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    resource: CONSOLE_AUDIENCE,
  })) {
    authorize.searchParams.set(k, v);
  }
  const jar = new CookieJar();
  const step = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  /** follows redirects until the console's redirect URI (returned) or a page (returned) */
  const follow = async (first: Response): Promise<{ page?: Response; callback?: URL }> => {
    let res = first;
    for (let hops = 0; hops < 10; hops++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { page: res };
      await res.arrayBuffer();
      const target = new URL(location, res.url || layer.cloud.url);
      if (target.href.startsWith(layer.consoleUrl)) return { callback: target };
      res = await step(target.href);
    }
    throw new Error('sign-in: too many redirects');
  };
  const login = await follow(await step(authorize.href));
  if (!login.page || login.page.status !== 200) throw new Error(`sign-in: expected the login form, got ${login.page?.status ?? login.callback?.href}`);
  const html = await login.page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('sign-in: no login form on the provider page');
  const back = await follow(
    await step(new URL(action.replace(/&amp;/g, '&'), layer.cloud.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    }),
  );
  if (!back.callback) throw new Error(`sign-in: the provider did not send back to the console (${back.page?.status})`);
  if (back.callback.searchParams.get('state') !== state) throw new Error('sign-in: state mismatch');
  const code = back.callback.searchParams.get('code');
  if (!code) throw new Error(`sign-in refused: ${back.callback.searchParams.get('error')} ${back.callback.searchParams.get('error_description')}`);
  const tokenRes = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: layer.consoleUrl, client_id: CONSOLE_CLIENT_ID, code_verifier: verifier, resource: CONSOLE_AUDIENCE }),
  });
  if (!tokenRes.ok) throw new Error(`token endpoint: ${tokenRes.status} ${await tokenRes.text()}`);
  const { access_token: accessToken } = (await tokenRes.json()) as { access_token?: string };
  if (!accessToken) throw new Error('token endpoint: no access token');
  return accessToken;
}

// ---------------------------------------------------------------------------------------------
// measuring

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

function summary(ms: number[]): { p50Ms: number; p95Ms: number; maxMs: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50Ms: quantile(s, 0.5), p95Ms: quantile(s, 0.95), maxMs: s[s.length - 1] ?? Number.NaN };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong answer: ${what}`);
}

interface ApiPosition {
  iupd: string;
  status: string;
  fiscalCode: string;
  fullName: string;
  paymentOption: Array<{ nav: string }>;
}
interface ApiPage {
  items: ApiPosition[];
  total?: number;
  totalPages?: number;
  cursor?: string;
}

/** one search: its query string and how to tell the answer is right */
interface Search {
  readonly query: string;
  verify(page: ApiPage): void;
  /**
   * the naive filter (#p: the item's `position`), how many matches it pages for after
   * `skip` (or to the end of the scan), and how many it must find
   */
  readonly naive: { readonly filter: string; readonly values: Record<string, unknown>; readonly names?: Record<string, string>; readonly want: number; readonly skip: number; readonly expect: number };
}

const sameIupds = (page: ApiPage, expected: DebtPosition[], what: string) =>
  check(page.items.map((p) => p.iupd).join(',') === expected.map((p) => p.iupd).join(','), `${what}: got ${page.items.map((p) => p.iupd).slice(0, 3).join(',')}…, expected ${expected.map((p) => p.iupd).slice(0, 3).join(',')}…`);

const newestFirst = (a: DebtPosition, b: DebtPosition) => (a.insertedDate === b.insertedDate ? (a.iupd < b.iupd ? 1 : -1) : a.insertedDate < b.insertedDate ? 1 : -1);

function searchesOf(seeded: Seeded, runs: number): Map<SearchKind, Search[]> {
  const random = seededRandom(4242);
  const valid = seeded.positions.filter((p) => p.status === 'VALID').sort(newestFirst);
  const pages = Math.ceil(valid.length / LIMIT);
  const pick = () => seeded.positions[Math.floor(random() * seeded.positions.length)]!;
  const statusFilter = { filter: '#p.organizationFiscalCode = :ofc AND #p.#status = :status', names: { '#status': 'status' }, values: { ':ofc': ORG, ':status': 'VALID' } };
  const pageSearch = (page: number): Search => ({
    query: `page=${page}&limit=${LIMIT}&status=VALID`,
    verify(r) {
      const expected = valid.slice(page * LIMIT, page * LIMIT + LIMIT);
      check(r.total === valid.length && r.totalPages === pages, `page ${page}: total ${r.total} / ${r.totalPages} pages, expected ${valid.length} / ${pages}`);
      check(r.items.every((p) => p.status === 'VALID'), `page ${page}: a position not VALID`);
      sameIupds(r, expected, `page ${page}`);
    },
    naive: { ...statusFilter, want: LIMIT, skip: page * LIMIT, expect: Math.min(LIMIT, valid.length - page * LIMIT) },
  });
  const total = runs + WARMUP;
  const searches = new Map<SearchKind, Search[]>();
  searches.set('status=VALID, first page', Array.from({ length: total }, () => pageSearch(0)));
  searches.set(
    'status=VALID, random later page',
    Array.from({ length: total }, () => pageSearch(1 + Math.floor(random() * Math.max(1, pages - 1)))),
  );
  searches.set(
    'iupd',
    Array.from({ length: total }, () => {
      const p = pick();
      return {
        query: `iupd=${encodeURIComponent(p.iupd)}`,
        verify(r) {
          check(r.items.length === 1 && r.items[0]!.iupd === p.iupd && r.items[0]!.status === p.status, `iupd ${p.iupd}: ${JSON.stringify(r.items.map((x) => x.iupd))}`);
        },
        naive: { filter: '#p.organizationFiscalCode = :ofc AND #p.iupd = :iupd', values: { ':ofc': ORG, ':iupd': p.iupd }, want: 1, skip: 0, expect: 1 },
      };
    }),
  );
  searches.set(
    'notice number',
    Array.from({ length: total }, () => {
      const p = pick();
      const nav = p.paymentOptions[0]!.nav;
      return {
        query: `notice_number=${nav}`,
        verify(r) {
          check(r.items.length === 1 && r.items[0]!.iupd === p.iupd && r.items[0]!.paymentOption.some((o) => o.nav === nav), `notice ${nav}: ${JSON.stringify(r.items.map((x) => x.iupd))}`);
        },
        // the seeded positions have one option each: the naive filter looks at the first
        naive: { filter: '#p.organizationFiscalCode = :ofc AND #p.paymentOptions[0].nav = :nav', values: { ':ofc': ORG, ':nav': nav }, want: 1, skip: 0, expect: 1 },
      };
    }),
  );
  searches.set(
    'debtor, first page',
    Array.from({ length: total }, () => {
      const fiscalCode = pick().debtor.fiscalCode;
      const expected = [...seeded.debtorPositions.get(fiscalCode)!].sort(newestFirst);
      return {
        query: `debtor=${fiscalCode}&limit=${LIMIT}`,
        verify(r) {
          check(r.items.every((p) => p.fiscalCode === fiscalCode), `debtor ${fiscalCode}: a position of another debtor`);
          sameIupds(r, expected.slice(0, LIMIT), `debtor ${fiscalCode}`);
          check((r.cursor !== undefined) === expected.length > LIMIT, `debtor ${fiscalCode}: cursor ${r.cursor} with ${expected.length} positions`);
        },
        // a debtor with fewer than 20 positions: the naive search reads to the end of the scan to know there are no more
        naive: { filter: '#p.organizationFiscalCode = :ofc AND #p.debtor.fiscalCode = :fc', values: { ':ofc': ORG, ':fc': fiscalCode }, want: LIMIT, skip: 0, expect: Math.min(LIMIT, expected.length) },
      };
    }),
  );
  searches.set(
    'debtor name, first page',
    Array.from({ length: total }, () => {
      let person = pick();
      while (person.debtor.type !== 'F') person = pick();
      const given = person.debtor.fullName.split(' ')[0]!;
      const surname = person.debtor.fullName.slice(given.length + 1);
      const asked = `${surname.toLowerCase()} ${given[0]!.toLowerCase()}`;
      // what a clerk means by it, written out here rather than with the layer's rules: persons of that surname whose given name starts so
      const matches = (fullName: string) => fullName.startsWith(`${given[0]}`) && fullName.endsWith(` ${surname}`);
      const expected = seeded.positions.filter((p) => p.debtor.type === 'F' && matches(p.debtor.fullName));
      return {
        query: `debtor_name=${encodeURIComponent(asked)}&limit=${LIMIT}`,
        verify(r) {
          check(r.items.length === Math.min(LIMIT, expected.length), `name ${asked}: ${r.items.length} positions, expected ${Math.min(LIMIT, expected.length)}`);
          check(r.items.every((p) => matches(p.fullName)), `name ${asked}: ${r.items.map((p) => p.fullName).find((n) => !matches(n))} is not a match`);
          check((r.cursor !== undefined) === expected.length > LIMIT, `name ${asked}: cursor ${r.cursor} with ${expected.length} positions`);
        },
        // the naive search: the surname anywhere in the name (contains), the given name's initial not even checked
        naive: { filter: '#p.organizationFiscalCode = :ofc AND contains(#p.debtor.fullName, :name)', values: { ':ofc': ORG, ':name': ` ${surname}` }, want: LIMIT, skip: 0, expect: Math.min(LIMIT, seeded.positions.filter((p) => p.debtor.fullName.includes(` ${surname}`)).length) },
      };
    }),
  );
  return searches;
}

/** The naive search: Scan + FilterExpression, page after page, until skip + want matches (or the end). */
async function naiveSearch(db: DynamoDBDocumentClient, table: string, s: Search['naive']): Promise<{ items: Record<string, unknown>[]; requests: number; read: number }> {
  const matches: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  let requests = 0;
  let read = 0;
  do {
    const r: ScanCommandOutput = await db.send(
      new ScanCommand({
        TableName: table,
        IndexName: 'gsi3',
        FilterExpression: s.filter,
        ExpressionAttributeValues: s.values,
        ExpressionAttributeNames: { '#p': 'position', ...s.names },
        Limit: NAIVE_PAGE_ITEMS,
        ExclusiveStartKey: start,
      }),
    );
    requests++;
    read += r.ScannedCount ?? 0;
    matches.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start && matches.length < s.skip + s.want);
  return { items: matches.slice(s.skip, s.skip + s.want), requests, read };
}

export async function benchConsoleSearch(options: ConsoleSearchOptions = {}): Promise<ConsoleSearchBench> {
  const n = options.positions ?? 50_000;
  const runs = options.runs ?? 100;
  const baselineRuns = options.baselineRuns ?? runs;
  const budgetMs = (options.baselineBudgetSeconds ?? 60) * 1000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!Number.isInteger(n) || n < LIMIT * 3) throw new Error(`--positions must be an integer of at least ${LIMIT * 3}`);

  // the handlers' own logs would flood the output: errors only
  const layer = await startLocalLayer({ port: 0, log: () => undefined, outboxDir: temporaryOutbox(), env: { POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'ERROR' } });
  const client = new DynamoDBClient({ endpoint: layer.cloud.endpoints.dynamodb, region: layer.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = createDocumentClient(client);
  const table = layer.cloud.env[envNameFor('table', 'main')];
  if (!table) throw new Error('the layer names no main table');
  try {
    log(`seeding ${n} positions through DynamoDebtPositionStore.create (${SEED_CONCURRENCY} at a time)…`);
    const { seeded, seconds: seedSeconds } = await seed(new DynamoDebtPositionStore(db, table), n, log);
    log(`seeded in ${seedSeconds.toFixed(0)} s (${(n / seedSeconds).toFixed(0)} positions per second): ${JSON.stringify(seeded.byStatus)}`);
    // the stream workers read every record the seeding wrote (and let none through: no events): not during the measurements
    const settleStarted = performance.now();
    await layer.cloud.drain({ timeoutMs: 900_000 });
    const settleSeconds = (performance.now() - settleStarted) / 1000;
    log(`layer idle after ${settleSeconds.toFixed(0)} s`);

    const signInStarted = performance.now();
    const token = await operatorToken(layer, 'admin', 'demo-admin-2026');
    const signInMs = performance.now() - signInStarted;
    const base = `${layer.cloud.url}/console-api/organizations/${ORG}/debtpositions`;
    const get = async (query: string, authorization = `Bearer ${token}`): Promise<{ status: number; retryAfter: number; body: ApiPage }> => {
      const res = await fetch(`${base}?${query}`, { headers: { authorization } });
      return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 1), body: (await res.json()) as ApiPage };
    };
    /** one search as an operator makes it: a 503 (the list's page index being rebuilt) is retried after Retry-After */
    const search = async (query: string): Promise<{ status: number; body: ApiPage; busy: number; calls: Array<{ status: number; ms: number }> }> => {
      const calls: Array<{ status: number; ms: number }> = [];
      for (;;) {
        const t0 = performance.now();
        const r = await get(query);
        calls.push({ status: r.status, ms: performance.now() - t0 });
        if (r.status !== 503 || calls.length > 20) return { ...r, busy: calls.length - 1, calls };
        await new Promise((done) => setTimeout(done, r.retryAfter * 1000));
      }
    };
    // the token is verified: none, or a tampered one, is refused
    const anonymous = await get(`page=0&limit=${LIMIT}`, '');
    check(anonymous.status === 401, `a search without a token was not refused: ${anonymous.status} ${JSON.stringify(anonymous.body).slice(0, 300)}`);
    check((await get(`page=0&limit=${LIMIT}`, `Bearer ${token.slice(0, -4)}AAAA`)).status === 401, 'a search with a tampered token was not refused');
    const me = (await (await fetch(`${layer.cloud.url}/console-api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { operator?: { username?: string } };
    check(me.operator?.username === 'admin', `GET /console-api/me: ${JSON.stringify(me)}`);
    log(`signed in as admin in ${signInMs.toFixed(0)} ms`);

    const searches = searchesOf(seeded, runs);
    const rows: SearchRow[] = [];
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    let coldDeepPage: ConsoleSearchBench['coldDeepPage'] | undefined;
    for (const kind of KINDS) {
      const list = searches.get(kind)!;
      if (kind === 'status=VALID, random later page') {
        // before the random pages: the deepest page on a list without bookmarks, once
        const page = Math.ceil((seeded.byStatus['VALID'] ?? 0) / LIMIT) - 1;
        const r = await search(`page=${page}&limit=${LIMIT}&status=VALID`);
        check(r.status === 200 && r.body.items.length > 0 && r.body.items.every((p) => p.status === 'VALID'), `the last page ${page}: HTTP ${r.status}`);
        coldDeepPage = { page, calls: r.calls.length, busy: r.busy, callMs: r.calls.map((c) => c.ms) };
        log(`cold last page ${page}: ${r.calls.map((c) => `${c.status} in ${c.ms.toFixed(0)} ms`).join(', ')}`);
      }
      const ms: number[] = [];
      let busyRetries = 0;
      for (const [i, s] of list.entries()) {
        const t0 = performance.now();
        const r = await search(s.query);
        const elapsed = performance.now() - t0;
        check(r.status === 200, `${kind} (${s.query}): HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        s.verify(r.body);
        if (i >= WARMUP) {
          ms.push(elapsed);
          busyRetries += r.busy;
        }
      }
      const row: SearchRow = { kind, design: 'console API (this layer)', via: 'HTTP, bearer token', runs: ms.length, ...summary(ms), busyRetries };
      rows.push(row);
      log(`${kind}: console API p50 ${row.p50Ms.toFixed(1)} ms, p95 ${row.p95Ms.toFixed(1)} ms, max ${row.maxMs.toFixed(1)} ms${busyRetries ? `, ${busyRetries} busy retries` : ''}`);
    }

    for (const kind of KINDS) {
      const list = searches.get(kind)!.slice(WARMUP - 2);
      const ms: number[] = [];
      let requests = 0;
      let read = 0;
      const started = performance.now();
      for (const [i, s] of list.entries()) {
        const t0 = performance.now();
        const r = await naiveSearch(db, table, s.naive);
        const elapsed = performance.now() - t0;
        const found = r.items.map((item) => item['position'] as DebtPosition);
        check(found.length === s.naive.expect, `naive ${kind}: ${found.length} matches, expected ${s.naive.expect}`);
        const values = s.naive.values;
        check(
          found.every(
            (p) =>
              p.organizationFiscalCode === ORG &&
              (values[':status'] === undefined || p.status === values[':status']) &&
              (values[':iupd'] === undefined || p.iupd === values[':iupd']) &&
              (values[':nav'] === undefined || p.paymentOptions.some((o) => o.nav === values[':nav'])) &&
              (values[':fc'] === undefined || p.debtor.fiscalCode === values[':fc']) &&
              (values[':name'] === undefined || p.debtor.fullName.includes(values[':name'] as string)),
          ),
          `naive ${kind}: a position that does not match`,
        );
        if (i < 2) continue; // warm-up
        ms.push(elapsed);
        requests += r.requests;
        read += r.read;
        if (ms.length >= baselineRuns || (ms.length >= 10 && performance.now() - started > budgetMs)) break;
      }
      const row: SearchRow = {
        kind,
        design: 'naive filtered query',
        via: 'DynamoDB Scan',
        runs: ms.length,
        ...summary(ms),
        requestsPerCall: requests / ms.length,
        itemsReadPerCall: read / ms.length,
      };
      rows.push(row);
      log(`${kind}: naive p50 ${row.p50Ms.toFixed(0)} ms, p95 ${row.p95Ms.toFixed(0)} ms (${row.runs} runs, ${row.itemsReadPerCall!.toFixed(0)} items read per search)`);
    }
    const perDebtor = [...seeded.debtorPositions.values()].map((l) => l.length);
    return {
      positions: n,
      byStatus: seeded.byStatus,
      debtors: seeded.debtorPositions.size,
      maxPositionsPerDebtor: Math.max(...perDebtor),
      seedSeconds,
      settleSeconds,
      signInMs,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      coldDeepPage: coldDeepPage!,
      rows,
    };
  } finally {
    client.destroy();
    await layer.stop();
  }
}

export function formatConsoleSearchTable(b: ConsoleSearchBench): string {
  const statuses = Object.entries(b.byStatus)
    .sort((x, y) => y[1] - x[1])
    .map(([s, c]) => `${c.toLocaleString('en')} ${s}`)
    .join(', ');
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const busy = b.rows.reduce((sum, r) => sum + (r.busyRetries ?? 0), 0);
  const lines = [
    `Console search, tenant with ${b.positions.toLocaleString('en')} positions (${statuses}; ${b.debtors.toLocaleString('en')} debtors, up to ${b.maxPositionsPerDebtor} positions each), seeded in ${b.seedSeconds.toFixed(0)} s through DynamoDebtPositionStore.create. Console API: sequential HTTP requests with an operator's access token (authorization code + PKCE, verified on every request), limit ${LIMIT}, after ${WARMUP} warm-up requests. Naive filtered query: Scan + FilterExpression over the position items (gsi3, no listing entries), ${NAIVE_PAGE_ITEMS} items a page, paging until ${LIMIT} matches (1 for iupd and notice number) or the end, in scan order and without a total, straight against DynamoDB Local, after 2 warm-up searches, repeated up to ${b.rows.find((r) => r.design === 'console API (this layer)')?.runs ?? ''} times or for about a minute (at least 10). Load average (1 min) ${b.loadAverage.start.toFixed(1)} when the measurements began, ${b.loadAverage.end.toFixed(1)} when they ended.`,
    '',
    `Before the random later pages, the last page (${b.coldDeepPage.page}) of status=VALID on a list without bookmarks yet (the first operator to go that deep): ${b.coldDeepPage.calls} calls, ${b.coldDeepPage.busy} of them 503 "the page index of this list is being rebuilt; retry" (Retry-After 1 s, the wait not counted), taking ${b.coldDeepPage.callMs.map((ms) => ms.toFixed(0)).join(' + ')} ms.${busy > 0 ? ` During the measurements ${busy} more 503s were retried after Retry-After, their waits included in the times.` : ''}`,
    '',
    '| search | design | via | runs | p50 ms | p95 ms | max ms | ≤ 300 ms p95 | Scan requests / search | items read / search |',
    '|---|---|---|---:|---:|---:|---:|:---:|---:|---:|',
    ...b.rows.map(
      (r) =>
        `| ${r.kind} | ${r.design} | ${r.via} | ${r.runs} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${fmt(r.maxMs)} | ${r.p95Ms <= 300 ? 'yes' : 'no'} | ${r.requestsPerCall === undefined ? '' : r.requestsPerCall.toFixed(1)} | ${r.itemsReadPerCall === undefined ? '' : r.itemsReadPerCall.toFixed(0)} |`,
    ),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { positions: { type: 'string' }, runs: { type: 'string' }, 'baseline-runs': { type: 'string' } } });
  const started = performance.now();
  const result = await benchConsoleSearch({
    positions: values.positions ? Number(values.positions) : undefined,
    runs: values.runs ? Number(values.runs) : undefined,
    baselineRuns: values['baseline-runs'] ? Number(values['baseline-runs']) : undefined,
  });
  process.stdout.write(`${formatConsoleSearchTable(result)}\n`);
  process.stderr.write(`total ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  process.exit(0);
}
