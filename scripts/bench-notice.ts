/**
 * Notice rendering benchmark: our renderer (shared/notice) against a baseline that fills an HTML
 * template of the same notice (scripts/baseline/notice.html) and prints it with headless Chromium
 * (playwright-core + Debian's /usr/bin/chromium), the way pagoPA's own template repository does.
 *
 *   npx tsx scripts/bench-notice.ts            (or: taskset -c 0 npx tsx scripts/bench-notice.ts)
 *
 * Our renderer runs on this one thread (one core). Chromium's renderer and GPU processes are free
 * to use every core, which favours the baseline: the speed-up printed is a lower bound.
 * Targets: ≥ 1,000 rata-unica notices/s, ≥ 50× Chromium, p99 ≤ 5 ms, PDF ≤ 60 KB without logo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatEuroItalian } from '../shared/domain/money';
import { formatNoticeNumberForPrint } from '../shared/domain/notice-number';
import { renderNotice, posteDataMatrixPayload, qrPayload, type NoticeDocument } from '../shared/notice';
import { encodeDataMatrix } from '../shared/notice/datamatrix';
import { encodeQr, type ModuleMatrix } from '../shared/notice/qr';
import { installmentsPosteNotice, nav, singleNotice } from '../test/fixtures/notice/examples';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BenchOptions {
  /** time spent measuring each notice kind with our renderer (default 3000 ms) */
  readonly durationMs?: number;
  /** notices per kind printed by Chromium (default 15); 0 skips the baseline */
  readonly chromiumNotices?: number;
  readonly log?: (line: string) => void;
}

export interface KindResult {
  readonly kind: 'rata-unica' | 'rate-3-poste';
  readonly pages: number;
  readonly notices: number;
  /** wall clock: notices / summed render time on this thread */
  readonly noticesPerSecond: number;
  /** the same count over the CPU time this process used (user+system): one core's worth, even on a busy machine */
  readonly noticesPerCpuSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly pdfBytes: number;
  readonly chromium?: { readonly notices: number; readonly noticesPerSecond: number; readonly p50Ms: number; readonly pdfBytes: number };
  /** ours / Chromium, notices per second */
  readonly speedup?: number;
}

export interface Result {
  readonly node: string;
  readonly chromium: 'measured' | 'skipped: /usr/bin/chromium not found' | `skipped: ${string}`;
  readonly kinds: readonly KindResult[];
  readonly targets: { readonly rataUnicaPerSecond: boolean; readonly speedup50x: boolean | null; readonly p99Under5ms: boolean; readonly sizeUnder60KB: boolean };
}

/** The same notice with a fresh notice number, so nothing can be served from a cache. */
function variant(doc: NoticeDocument, i: number): NoticeDocument {
  return {
    ...doc,
    ...(doc.singlePayment ? { singlePayment: { ...doc.singlePayment, nav: nav(100_000 + i * 4), amountCents: doc.singlePayment.amountCents + (i % 97) } } : {}),
    installments: (doc.installments ?? []).map((r, k) => ({ ...r, nav: nav(100_000 + i * 4 + k + 1) })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measureOurs(doc: NoticeDocument, durationMs: number) {
  for (let i = 0; i < 200; i++) renderNotice(variant(doc, i)); // warm-up (JIT)
  const times: number[] = [];
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let i = 0;
  while (performance.now() - start < durationMs) {
    const d = variant(doc, i++);
    const t0 = performance.now();
    const pdf = renderNotice(d);
    times.push(performance.now() - t0);
    bytes = pdf.length;
  }
  const cpu = process.cpuUsage(cpu0);
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);
  return {
    notices: times.length,
    noticesPerSecond: (times.length / total) * 1000,
    noticesPerCpuSecond: times.length / ((cpu.user + cpu.system) / 1e6),
    p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), pdfBytes: bytes };
}

// ----------------------------------------------------------------------------- Chromium baseline

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function svg(m: ModuleMatrix, cls: string): string {
  let d = '';
  for (let r = 0; r < m.size; r++) for (let c = 0; c < m.size; c++) if (m.modules[r * m.size + c]) d += `M${c} ${r}h1v1h-1z`;
  return `<svg class="${cls}" viewBox="0 0 ${m.size} ${m.size}" shape-rendering="crispEdges"><path d="${d}"/></svg>`;
}

function fillTemplate(template: string, doc: NoticeDocument): string {
  const cf = doc.creditor.fiscalCode;
  const header = `<header><div><span class="brand">pagoPA</span><span class="title">AVVISO DI PAGAMENTO</span><h1>${esc(doc.subject)}</h1></div></header>`;
  const poste = (p: { nav: string; amountCents: number; dueDate?: string }, label: string) =>
    doc.creditor.postalAccount
      ? `<div class="poste"><div class="st"><span>Bollettino postale PA</span><span>${label}</span></div><div class="pay"><div><b>Poste</b>italiane<br/>BancoPosta</div><div class="col">sul C/C n. <span class="mono">${doc.creditor.postalAccount.number}</span><br/>Intestato a <b>${esc(doc.creditor.postalAccount.holder)}</b><br/>Destinatario <b>${esc(doc.debtor.fullName)}</b><br/>Oggetto pagamento <b>${esc(doc.subject)}</b><br/>Codice Avviso <span class="mono">${formatNoticeNumberForPrint(p.nav)}</span> Tipo <span class="mono">P1</span> Cod. Fiscale Ente <span class="mono">${cf}</span></div><div>Euro <span class="mono">${formatEuroItalian(p.amountCents)}</span><br/>${svg(
          encodeDataMatrix(
            posteDataMatrixPayload({ nav: p.nav, postalAccount: doc.creditor.postalAccount.number, amountCents: p.amountCents, creditorFiscalCode: cf, debtorFiscalCode: doc.debtor.fiscalCode, debtorName: doc.debtor.fullName, subject: doc.subject }),
          ),
          'dm',
        )}</div></div></div>`
      : '';
  const sp = doc.singlePayment!;
  const due = sp.dueDate ? sp.dueDate.split('-').reverse().join('/') : '';
  let pages = `<div class="page">${header}
  <div class="row"><div class="col section"><div class="st"><span>Ente creditore</span><span>${cf}</span></div><div class="name">${esc(doc.creditor.name)}</div>${esc(doc.creditor.sector ?? '')}</div>
  <div class="col section"><div class="st"><span>Destinatario avviso</span><span>${esc(doc.debtor.fiscalCode)}</span></div><div class="name">${esc(doc.debtor.fullName)}</div></div></div>
  <div class="row"><div class="col section"><div class="st"><span>Quanto e quando pagare?</span></div><b>Importo</b><div class="big">${formatEuroItalian(sp.amountCents)} Euro</div><b>entro il</b><div class="big">${due}</div><p>In fase di pagamento l’importo potrebbe subire aumenti (per sanzioni, interessi, costi di notifica o altri fattori) o riduzioni (per sgravi o note di credito).</p></div>
  <div class="col section"><div class="st"><span>Dove pagare?</span><span>pagopa.gov.it</span></div><b>PAGA CON L’APP IO</b><p>oppure dal tuo Home Banking, con la tua app di pagamento o con gli altri canali abilitati.</p><b>PAGA SUL TERRITORIO</b><p>presso Banche e Sportelli ATM, negli Uffici Postali e Punti Postali, nei Bar, Edicole, Ricevitorie, Supermercati, Tabaccherie e altri Esercenti Convenzionati.</p></div></div>
  <div class="section"><div class="st"><span>Dati per il pagamento</span><span>Rata unica entro il ${due}</span></div><div class="pay">${svg(encodeQr(qrPayload(sp.nav, cf, sp.amountCents)), 'qr')}<div class="col">Destinatario <b>${esc(doc.debtor.fullName)}</b><br/>Ente creditore <b>${esc(doc.creditor.name)}</b><br/>Oggetto del pagamento <b>${esc(doc.subject)}</b><br/>Cod. CBILL <span class="mono">${doc.creditor.cbill ?? ''}</span> Cod. Avviso <span class="mono">${formatNoticeNumberForPrint(sp.nav)}</span> Cod. Fiscale Ente <span class="mono">${cf}</span></div><div>Euro <span class="mono">${formatEuroItalian(sp.amountCents)}</span></div></div></div>
  ${poste(sp, `Rata unica entro il ${due}`)}</div>`;
  const rate = doc.installments ?? [];
  for (let k = 0; k < rate.length; k += 2) {
    const band = rate.slice(k, k + 2);
    const cells = band
      .map((r, j) => `<div class="cell section"><div class="st"><span>Rata ${k + j + 1}</span><span>entro il ${r.dueDate.split('-').reverse().join('/')}</span></div>${svg(encodeQr(qrPayload(r.nav, cf, r.amountCents)), 'qr')}<br/>Euro <span class="mono">${formatEuroItalian(r.amountCents)}</span><br/>Cod. Avviso <span class="mono">${formatNoticeNumberForPrint(r.nav)}</span><br/>Oggetto del pagamento <b>${esc(doc.subject)}</b></div>`)
      .join('');
    pages += `<div class="page">${header}<div class="band">${cells}</div>${band.map((r, j) => poste(r, `Rata ${k + j + 1} entro il ${r.dueDate.split('-').reverse().join('/')}`)).join('')}</div>`;
  }
  return template.replace('{{PAGES}}', pages);
}

async function measureChromium(docs: { kind: KindResult['kind']; doc: NoticeDocument }[], n: number, log: (l: string) => void) {
  const { chromium } = await import('playwright-core');
  const template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'baseline', 'notice.html'), 'utf8');
  // Playwright gives the browser a fresh profile of its own
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  try {
    const page = await browser.newPage();
    const out = new Map<string, { notices: number; noticesPerSecond: number; p50Ms: number; pdfBytes: number }>();
    for (const { kind, doc } of docs) {
      for (let i = 0; i < 2; i++) {
        await page.setContent(fillTemplate(template, variant(doc, i)));
        await page.pdf({ format: 'A4', printBackground: true });
      }
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await page.setContent(fillTemplate(template, variant(doc, i + 10)));
        const pdf = await page.pdf({ format: 'A4', printBackground: true });
        times.push(performance.now() - t0);
        bytes = pdf.length;
      }
      const total = times.reduce((a, b) => a + b, 0);
      times.sort((a, b) => a - b);
      out.set(kind, { notices: n, noticesPerSecond: (n / total) * 1000, p50Ms: percentile(times, 50), pdfBytes: bytes });
      log(`  chromium ${kind}: ${n} notices`);
    }
    return out;
  } finally {
    await browser.close();
  }
}

export async function benchNotices(opts: BenchOptions = {}): Promise<Result> {
  const durationMs = opts.durationMs ?? 3000;
  const chromiumNotices = opts.chromiumNotices ?? 15;
  const log = opts.log ?? (() => undefined);
  const docs = [
    { kind: 'rata-unica' as const, doc: singleNotice },
    { kind: 'rate-3-poste' as const, doc: installmentsPosteNotice },
  ];
  const ours = docs.map(({ kind, doc }) => {
    const r = measureOurs(doc, durationMs);
    log(`  ours ${kind}: ${r.notices} notices`);
    return { kind, pages: countPages(renderNotice(doc)), ...r };
  });
  let chromium: Result['chromium'] = 'skipped: /usr/bin/chromium not found';
  let base: Awaited<ReturnType<typeof measureChromium>> | undefined;
  if (chromiumNotices > 0 && existsSync(CHROMIUM_PATH)) {
    try {
      base = await measureChromium(docs, chromiumNotices, log);
      chromium = 'measured';
    } catch (e) {
      chromium = `skipped: ${(e as Error).message.split('\n')[0]}`;
    }
  } else if (chromiumNotices === 0) chromium = 'skipped: disabled';
  const kinds: KindResult[] = ours.map((o) => {
    const b = base?.get(o.kind);
    return b ? { ...o, chromium: b, speedup: o.noticesPerSecond / b.noticesPerSecond } : o;
  });
  const single = kinds[0]!;
  return {
    node: process.version,
    chromium,
    kinds,
    targets: {
      rataUnicaPerSecond: single.noticesPerSecond >= 1000,
      speedup50x: single.speedup === undefined ? null : kinds.every((k) => (k.speedup ?? 0) >= 50),
      p99Under5ms: kinds.every((k) => k.p99Ms <= 5),
      sizeUnder60KB: kinds.every((k) => k.pdfBytes <= 60 * 1024),
    },
  };
}

function countPages(pdf: Uint8Array): number {
  return (new TextDecoder('latin1').decode(pdf).match(/\/Type \/Page\b/g) ?? []).length;
}

export function formatTable(r: Result): string {
  const rows = [
    ['notice', 'pages', 'ours/s', 'ours/cpu-s', 'p50 ms', 'p99 ms', 'PDF KB', 'chromium/s', 'chromium p50 ms', 'chromium KB', 'speed-up'],
    ...r.kinds.map((k) => [
      k.kind,
      String(k.pages),
      k.noticesPerSecond.toFixed(0),
      k.noticesPerCpuSecond.toFixed(0),
      k.p50Ms.toFixed(3),
      k.p99Ms.toFixed(3),
      (k.pdfBytes / 1024).toFixed(1),
      k.chromium ? k.chromium.noticesPerSecond.toFixed(1) : '-',
      k.chromium ? k.chromium.p50Ms.toFixed(0) : '-',
      k.chromium ? (k.chromium.pdfBytes / 1024).toFixed(1) : '-',
      k.speedup ? `${k.speedup.toFixed(0)}×` : '-',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const t = r.targets;
  lines.push(
    '',
    `node ${r.node}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (a busy machine slows both columns)`,
    `Chromium baseline: ${r.chromium} (flags: ${CHROMIUM_FLAGS.join(' ')} + fresh --user-data-dir)`,
    `targets: ≥1000 rata-unica/s ${t.rataUnicaPerSecond ? 'OK' : 'MISSED'}; ≥50× Chromium ${t.speedup50x === null ? 'n/a' : t.speedup50x ? 'OK' : 'MISSED'}; p99 ≤ 5 ms ${t.p99Under5ms ? 'OK' : 'MISSED'}; PDF ≤ 60 KB ${t.sizeUnder60KB ? 'OK' : 'MISSED'}`,
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchNotices({ log: (l) => console.error(l) });
  console.log(formatTable(result));
}
