/**
 * The invariants of a chaos run, each checked by reading what the layer left behind: the table
 * (a full scan), the REST API (receipts list), the App IO simulator's messages, the e-mail
 * outbox, the back-office receivers and every dead-letter queue. Each result names what was
 * checked, how many violations, and a few examples to start debugging from.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { simpleParser } from 'mailparser';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalLayer } from '../../infra/local/layer';
import type { BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import type { DebtPosition } from '../../shared/domain/debt-position';
import type { AuditEntry } from '../../shared/use-cases/ports';
import type { ReceiptAnomaly, StoredReceipt } from '../../shared/use-cases/receipts/ports';
import type { CreatedPosition, Delivered, RefusedAtIntake } from './run';
import { expectedStatus, noticeOptionIndexes, type Workload } from './workload';

export interface InvariantResult {
  readonly name: string;
  readonly checked: number;
  readonly violations: number;
  readonly examples: readonly string[];
}

export class Invariant {
  checked = 0;
  violations = 0;
  examples: string[] = [];
  constructor(readonly name: string) {}
  check(ok: boolean, example: () => string): void {
    this.checked++;
    if (ok) return;
    this.violations++;
    if (this.examples.length < 10) this.examples.push(example());
  }
  result(): InvariantResult {
    return { name: this.name, checked: this.checked, violations: this.violations, examples: this.examples };
  }
}

export interface VerifyInput {
  readonly layer: LocalLayer;
  readonly sqs: SQSClient;
  readonly workload: Workload;
  readonly created: readonly CreatedPosition[];
  readonly creationFailures: readonly string[];
  readonly delivered: readonly Delivered[];
  /** deliveries the intake had to refuse (the over-long receipt) */
  readonly refusedAtIntake: readonly RefusedAtIntake[];
  readonly receivers: ReadonlyMap<string, BackOfficeReceiver>;
  readonly poisonBodies: readonly string[];
  /** the creditor named by the one poison message that names one (kept as an UNPROCESSABLE anomaly) */
  readonly poisonCreditor: string;
}

interface TableState {
  positions: Map<string, DebtPosition>;
  audits: Map<string, AuditEntry[]>;
  /** by `${ofc}#${iuv}` */
  receipts: Map<string, StoredReceipt[]>;
  paidGuards: Map<string, { receiptId: string }>;
  anomalies: ReceiptAnomaly[];
  /** by `${ofc}/${iupd}/${nav}/${kind}` */
  messageRecords: Map<string, { state: string; channel?: string }>;
  /** payment.received outbox events by eventId */
  paymentEvents: Map<string, { nav: string; receiptId: string; organizationFiscalCode: string }>;
  items: number;
}

/**
 * Every item of the main table (or those `filter` keeps), read consistently in 4 parallel scan
 * segments, handed to `onItem`: what the chaos run's invariants are checked against.
 */
export async function scanItems(
  layer: LocalLayer,
  filter: { expression?: string; names?: Record<string, string>; values?: Record<string, unknown> },
  onItem: (item: Record<string, unknown>) => void,
): Promise<void> {
  const client = new DynamoDBClient({ endpoint: layer.cloud.endpoints.dynamodb, region: layer.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = DynamoDBDocumentClient.from(client);
  const segments = 4;
  try {
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await db.send(
            new ScanCommand({
              TableName: layer.cloud.env['TABLE_NAME_MAIN'],
              Segment: segment,
              TotalSegments: segments,
              ExclusiveStartKey: start,
              ConsistentRead: true,
              ...(filter.expression ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names, ExpressionAttributeValues: filter.values } : {}),
            }),
          );
          for (const item of page.Items ?? []) onItem(item);
          start = page.LastEvaluatedKey;
        } while (start);
      }),
    );
  } finally {
    client.destroy();
  }
}

async function scanTable(layer: LocalLayer): Promise<TableState> {
  const state: TableState = {
    positions: new Map(),
    audits: new Map(),
    receipts: new Map(),
    paidGuards: new Map(),
    anomalies: [],
    messageRecords: new Map(),
    paymentEvents: new Map(),
    items: 0,
  };
  await scanItems(layer, {}, (item) => {
    state.items++;
    const pk = String(item['pk']);
    const sk = String(item['sk']);
    const type = item['type'];
    if (type === 'position') state.positions.set(pk, item['position'] as DebtPosition);
    else if (type === 'audit') {
      const list = state.audits.get(pk) ?? [];
      list.push(item['audit'] as AuditEntry);
      state.audits.set(pk, list);
    } else if (type === 'receipt') {
      const stored = item['stored'] as StoredReceipt;
      const key = `${stored.organizationFiscalCode}#${stored.iuv}`;
      state.receipts.set(key, [...(state.receipts.get(key) ?? []), stored]);
    } else if (type === 'receipt-paid') {
      state.paidGuards.set(pk.replace(/^RCPT#/, ''), { receiptId: String(item['receiptId']) });
    } else if (type === 'receipt-anomaly') state.anomalies.push(item['anomaly'] as ReceiptAnomaly);
    else if (type === 'event' && item['eventType'] === 'payment.received') {
      const e = item['event'] as { eventId: string; nav: string; receiptId: string; organizationFiscalCode: string };
      state.paymentEvents.set(e.eventId, e);
    } else if (pk.startsWith('IOMSG#') && sk.startsWith('MSG#')) {
      const [, ofc, ...iupdParts] = pk.split('#');
      const [, nav, kind] = sk.split('#');
      state.messageRecords.set(`${ofc}/${iupdParts.join('#')}/${nav}/${kind}`, {
        state: String(item['state']),
        ...(item['channel'] ? { channel: String(item['channel']) } : {}),
      });
    }
  });
  return state;
}

type MessageKind = 'new-notice' | 'payment-received' | 'other';

function kindOfSubject(subject: string): MessageKind {
  if (subject === 'Nuovo avviso di pagamento') return 'new-notice';
  if (subject === 'Pagamento ricevuto, grazie') return 'payment-received';
  return 'other';
}

function navIn(text: string): string | undefined {
  const m = /Codice avviso:(?:\*\*)?\s*((?:\d{4} ){4}\d{2})/.exec(text);
  return m?.[1]?.replace(/ /g, '');
}

/** Messages seen by the outside world, counted by `${fiscalCode or e-mail}/${nav}/${kind}`. */
function countIoMessages(layer: LocalLayer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of layer.io.sim.messages()) {
    const kind = kindOfSubject(m.content.subject);
    const nav = m.content.payment_data?.notice_number ?? navIn(m.content.markdown) ?? '?';
    const key = `${m.fiscalCode}/${nav}/${kind}${m.status === 'PROCESSED' ? '' : `/${m.status}`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * E-mails in the outbox counted by `${to}/${nav}/${kind}`, each read back by mailparser (the
 * messages are MailComposer's: encoded-word headers, quoted-printable or base64 text parts).
 */
async function countEmails(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
  } catch {
    return counts;
  }
  for (const file of files) {
    const mail = await simpleParser(await readFile(join(dir, file)));
    const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).join(',');
    const key = `${to}/${navIn(mail.text ?? '') ?? '?'}/${kindOfSubject(mail.subject ?? '')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export async function verifyRun(input: VerifyInput): Promise<{ invariants: InvariantResult[]; counts: Record<string, number> }> {
  const { layer, created } = input;
  const table = await scanTable(layer);
  const invariants: Invariant[] = [];
  const inv = (name: string) => {
    const i = new Invariant(name);
    invariants.push(i);
    return i;
  };

  const creation = inv('every planned position was created (201)');
  creation.check(input.creationFailures.length === 0, () => input.creationFailures.slice(0, 5).join(' | '));
  for (const c of created) creation.check(c.navs.length === c.plan.options.length, () => `${c.plan.iupd}: ${c.navs.length} options answered, ${c.plan.options.length} sent`);

  const steps = inv('every delivery to the station answered OK (first receipts, copies, KO receipts)');
  for (const d of input.delivered) steps.check(d.outcome === 'OK', () => `${d.key} ${d.kind} via ${d.delivery}: ${d.outcome} ${d.faultCode ?? ''}`);

  // ---- receipts and positions ----
  const paidOnce = inv('every paid option: PO_PAID, exactly one stored OK receipt (APPLIED, the one sent), its PAID guard');
  const unpaid = inv('no option the run did not pay is paid (PO_UNPAID, no OK receipt, no PAID guard)');
  const koNothing = inv('every KO receipt is stored once as KO and paid nothing');
  const status = inv("every position's status is what its options imply (PAID / PARTIALLY_PAID / VALID), version = 1 + payments");
  const audit = inv('audit trail: entries per position = its version (v1..vN once each); one payment line per applied receipt');
  const anomalies = inv('no receipt anomaly but the injected poison naming its creditor, kept as UNPROCESSABLE (every copy was recognised as a duplicate)');
  let paidCount = 0;
  let koCount = 0;
  for (const c of created) {
    const pk = `POS#${c.plan.tenant.fiscalCode}#${c.plan.iupd}`;
    const position = table.positions.get(pk);
    status.check(position !== undefined, () => `${c.plan.iupd}: no position item`);
    if (!position) continue;
    const paidPlans = c.plan.options.filter((o) => o.pay);
    status.check(
      position.status === expectedStatus(c.plan) && position.version === 1 + paidPlans.length,
      () => `${c.plan.iupd} (${c.plan.kind}): ${position.status} v${position.version}, expected ${expectedStatus(c.plan)} v${1 + paidPlans.length}`,
    );
    const entries = table.audits.get(pk) ?? [];
    const versions = entries.map((e) => e.version).sort((a, b) => a - b);
    audit.check(
      versions.length === position.version && versions.every((v, k) => v === k + 1),
      () => `${c.plan.iupd}: audit versions [${versions.join(',')}] for position v${position.version}`,
    );
    c.plan.options.forEach((plan, k) => {
      const nav = c.navs[k]!;
      const iuv = c.iuvs[k]!;
      const option = position.paymentOptions.find((o) => o.nav === nav);
      const stored = table.receipts.get(`${c.plan.tenant.fiscalCode}#${iuv}`) ?? [];
      const ok = stored.filter((r) => r.receipt.outcome === 'OK');
      const ko = stored.filter((r) => r.receipt.outcome === 'KO');
      const guard = table.paidGuards.get(`${c.plan.tenant.fiscalCode}#${iuv}`);
      if (plan.pay) {
        paidCount++;
        paidOnce.check(
          option?.status === 'PO_PAID' &&
            option.payment?.receiptId === plan.receiptId &&
            ok.length === 1 &&
            ok[0]!.receiptId === plan.receiptId &&
            ok[0]!.state === 'APPLIED' &&
            guard?.receiptId === plan.receiptId,
          () => `${c.plan.iupd} ${nav}: option ${option?.status} by ${option?.payment?.receiptId}, ${ok.length} OK receipts [${ok.map((r) => `${r.receiptId}:${r.state}`).join(',')}], guard ${guard?.receiptId}`,
        );
        const lines = entries.filter((e) => e.action === 'payment' && e.actor.requestId === plan.receiptId);
        audit.check(lines.length === 1, () => `${c.plan.iupd} ${nav}: ${lines.length} audit lines for receipt ${plan.receiptId}`);
      } else {
        unpaid.check(
          option?.status === 'PO_UNPAID' && ok.length === 0 && guard === undefined,
          () => `${c.plan.iupd} ${nav}: option ${option?.status}, ${ok.length} OK receipts, guard ${guard?.receiptId}`,
        );
      }
      if (plan.ko) {
        koCount++;
        koNothing.check(
          ko.length === 1 && ko[0]!.receiptId === plan.receiptId && ko[0]!.state === 'KO' && option?.status === 'PO_UNPAID',
          () => `${c.plan.iupd} ${nav}: ${ko.length} KO receipts, option ${option?.status}`,
        );
      } else {
        koNothing.check(ko.length === 0, () => `${c.plan.iupd} ${nav}: unexpected KO receipt`);
      }
    });
    const paymentLines = entries.filter((e) => e.action === 'payment').length;
    audit.check(paymentLines === paidPlans.length, () => `${c.plan.iupd}: ${paymentLines} payment audit lines, ${paidPlans.length} payments`);
  }
  const poisonKept = table.anomalies.filter((a) => a.kind === 'UNPROCESSABLE' && a.organizationFiscalCode === input.poisonCreditor && a.receiptId === 'chaos-poison-4');
  const others = table.anomalies.filter((a) => !poisonKept.includes(a));
  anomalies.check(poisonKept.length === 1, () => `the poison naming creditor ${input.poisonCreditor} was kept ${poisonKept.length} times as UNPROCESSABLE`);
  anomalies.check(others.length === 0, () => `${others.length} other anomalies, e.g. ${others.slice(0, 3).map((a) => `${a.kind} ${a.nav}: ${a.detail}`).join(' | ')}`);

  // ---- nothing accepted is lost ----
  const accounted = inv('every receipt a sender was told was taken in (OK / 202 / 200) is stored as a receipt or kept as an anomaly');
  const storedIds = new Set<string>();
  for (const list of table.receipts.values()) for (const r of list) storedIds.add(r.receiptId);
  const anomalyIds = new Set(table.anomalies.map((a) => a.receiptId));
  for (const d of input.delivered) {
    if (d.outcome !== 'OK') continue;
    accounted.check(storedIds.has(d.receiptId) || anomalyIds.has(d.receiptId), () => `${d.key} ${d.kind} via ${d.delivery}: receipt ${d.receiptId} answered OK, found neither as a receipt nor as an anomaly`);
  }
  const overLong = inv('an over-long receipt (a receiptId of 1,000 bytes) is refused at both intakes (SOAP PAA_SINTASSI_EXTRAXSD, webhook 400) and leaves no trace');
  overLong.check(input.refusedAtIntake.length === 2, () => `${input.refusedAtIntake.length} over-long deliveries made, expected 2 (SOAP and webhook)`);
  for (const r of input.refusedAtIntake) {
    const expected = r.delivery === 'soap' ? 'PAA_SINTASSI_EXTRAXSD' : 'HTTP 400';
    overLong.check(r.outcome === 'KO' && r.faultCode === expected, () => `over-long receipt via ${r.delivery}: ${r.outcome} ${r.faultCode ?? ''}, expected ${expected}`);
    overLong.check(!storedIds.has(r.receiptId) && !anomalyIds.has(r.receiptId), () => `over-long receipt via ${r.delivery} left a trace in the table`);
  }

  // ---- the receipts API agrees with the table ----
  const receiptsApi = inv('GET /receipts lists exactly the run’s receipts per tenant (OK as APPLIED, KO as KO)');
  for (const tenant of input.workload.tenants) {
    const listed: Array<{ receiptId: string; state: string }> = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const response = await fetch(`${layer.cloud.url}/organizations/${tenant.fiscalCode}/receipts?${q}`, { headers: { 'Ocp-Apim-Subscription-Key': tenant.apiKey } });
      const body = (await response.json()) as { receipts?: Array<{ receiptId: string; state: string }>; cursor?: string };
      receiptsApi.check(response.status === 200, () => `${tenant.fiscalCode}: HTTP ${response.status}`);
      if (response.status !== 200) break;
      listed.push(...(body.receipts ?? []));
      cursor = body.cursor;
    } while (cursor);
    const expected = new Map<string, string>();
    for (const c of created.filter((x) => x.plan.tenant.fiscalCode === tenant.fiscalCode)) {
      for (const o of c.plan.options) {
        if (o.pay) expected.set(o.receiptId, 'APPLIED');
        if (o.ko) expected.set(o.receiptId, 'KO');
      }
    }
    const got = new Map(listed.map((r) => [r.receiptId, r.state]));
    receiptsApi.check(listed.length === got.size, () => `${tenant.fiscalCode}: ${listed.length - got.size} receipts listed twice`);
    receiptsApi.check(
      got.size === expected.size && [...expected].every(([id, s]) => got.get(id) === s),
      () => `${tenant.fiscalCode}: listed ${got.size}, expected ${expected.size}; missing ${[...expected.keys()].filter((id) => !got.has(id)).slice(0, 3).join(',')}`,
    );
  }

  // ---- citizen messages: IO inbox + e-mail outbox ----
  const ioCounts = countIoMessages(layer);
  const mailCounts = await countEmails(layer.io.outboxDir);
  const expectedIo = new Set<string>();
  const expectedMail = new Set<string>();
  const newNotice = inv('exactly one new-notice message per expected option (IO inbox or e-mail fallback), none elsewhere');
  const receiptMsg = inv('exactly one payment-received message per paid option (IO inbox or e-mail fallback), none elsewhere');
  const records = inv('every expected message has a final "sent" record on the expected channel');
  const strays = inv('no message the run did not expect (duplicates, other kinds, rejected)');
  for (const c of created) {
    const viaIo = c.plan.tenant.hasIo && c.plan.citizen.onIo;
    const want = (k: number, kind: 'new-notice' | 'payment-received', invariant: Invariant) => {
      const nav = c.navs[k]!;
      const ioKey = `${c.plan.citizen.fiscalCode}/${nav}/${kind}`;
      const mailKey = `${c.plan.citizen.email}/${nav}/${kind}`;
      (viaIo ? expectedIo : expectedMail).add(viaIo ? ioKey : mailKey);
      const io = ioCounts.get(ioKey) ?? 0;
      const mail = mailCounts.get(mailKey) ?? 0;
      invariant.check(
        viaIo ? io === 1 && mail === 0 : io === 0 && mail === 1,
        () => `${c.plan.iupd} ${nav} ${kind}: ${io} on IO, ${mail} e-mails (expected ${viaIo ? 'IO' : 'e-mail'})`,
      );
      const rec = table.messageRecords.get(`${c.plan.tenant.fiscalCode}/${c.plan.iupd}/${nav}/${kind}`);
      records.check(rec?.state === 'sent' && rec.channel === (viaIo ? 'io' : 'email'), () => `${c.plan.iupd} ${nav} ${kind}: record ${rec?.state}/${rec?.channel}`);
    };
    for (const k of noticeOptionIndexes(c.plan)) want(k, 'new-notice', newNotice);
    c.plan.options.forEach((o, k) => {
      if (o.pay) want(k, 'payment-received', receiptMsg);
    });
  }
  let ioMessages = 0;
  for (const [key, n] of ioCounts) {
    ioMessages += n;
    strays.check(expectedIo.has(key), () => `IO ${key.replace(/^[A-Z0-9]{16}/, '<cf>')} ×${n}`);
  }
  let emails = 0;
  for (const [key, n] of mailCounts) {
    emails += n;
    strays.check(expectedMail.has(key), () => `e-mail ${key} ×${n}`);
  }

  // ---- back-office webhooks ----
  const hooks = inv('every back office got every payment.received at least once, one stable X-Webhook-Id = eventId per payment, the same bytes on every try');
  const hookIsolation = inv('a back office gets only its own tenant’s events, all correctly signed');
  let webhookRequests = 0;
  for (const tenant of input.workload.tenants) {
    const receiver = input.receivers.get(tenant.fiscalCode);
    if (!receiver) {
      hooks.check(false, () => `${tenant.fiscalCode}: no receiver`);
      continue;
    }
    webhookRequests += receiver.requests.length;
    const accepted = receiver.events().filter((e) => e.eventType === 'payment.received');
    const byReceipt = new Map<string, typeof accepted>();
    for (const e of accepted) {
      const id = String(e.event['receiptId']);
      byReceipt.set(id, [...(byReceipt.get(id) ?? []), e]);
    }
    const idsByNav = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      hookIsolation.check(r.signatureValid, () => `${tenant.fiscalCode}: a request with an invalid signature (${r.webhookId})`);
      if (r.eventType !== 'payment.received') continue;
      const event = JSON.parse(r.body) as { nav?: string; eventId?: string; organizationFiscalCode?: string };
      hookIsolation.check(event.organizationFiscalCode === tenant.fiscalCode, () => `${tenant.fiscalCode} got an event of ${event.organizationFiscalCode}`);
      hooks.check(r.webhookId === event.eventId, () => `${tenant.fiscalCode}: X-Webhook-Id ${r.webhookId} ≠ eventId ${event.eventId}`);
      const set = idsByNav.get(String(event.nav)) ?? new Set<string>();
      set.add(String(r.webhookId));
      idsByNav.set(String(event.nav), set);
    }
    for (const id of new Set(receiver.requests.map((r) => r.webhookId))) {
      const bodies = new Set(receiver.triesOf(String(id)).map((r) => r.body));
      hooks.check(bodies.size === 1, () => `${tenant.fiscalCode}: ${bodies.size} different bodies under X-Webhook-Id ${id}`);
    }
    for (const c of created.filter((x) => x.plan.tenant.fiscalCode === tenant.fiscalCode)) {
      c.plan.options.forEach((o, k) => {
        if (!o.pay) return;
        const nav = c.navs[k]!;
        const got = byReceipt.get(o.receiptId) ?? [];
        const ids = idsByNav.get(nav) ?? new Set<string>();
        const outbox = got[0] ? table.paymentEvents.get(got[0].webhookId) : undefined;
        hooks.check(
          got.length === 1 && got[0]!.event['nav'] === nav && ids.size === 1 && outbox?.receiptId === o.receiptId,
          () => `${c.plan.iupd} ${nav}: ${got.length} accepted event ids, ${ids.size} ids seen for the notice, outbox event ${outbox ? 'matches' : 'missing'}`,
        );
      });
    }
  }

  // ---- dead-letter queues ----
  const dlq = inv('no message in any DLQ except the injected poison messages, which are all in receipts-dlq');
  const { QueueUrls = [] } = await input.sqs.send(new ListQueuesCommand({}));
  const dlqs = QueueUrls.filter((u) => u.endsWith('-dlq'));
  dlq.check(dlqs.some((u) => u.endsWith('-receipts-dlq')), () => `no receipts DLQ among ${QueueUrls.length} queues`);
  let dlqMessages = 0;
  for (const url of dlqs) {
    const bodies = await drainQueue(input.sqs, url);
    dlqMessages += bodies.length;
    const name = url.split('/').pop() ?? url;
    if (name.endsWith('-receipts-dlq')) {
      const want = [...input.poisonBodies].sort();
      const got = [...bodies].sort();
      dlq.check(JSON.stringify(want) === JSON.stringify(got), () => `${name}: ${got.length} messages, expected the ${want.length} poison ones; got ${got.map((b) => b.slice(0, 80)).join(' | ')}`);
    } else {
      dlq.check(bodies.length === 0, () => `${name}: ${bodies.length} messages, e.g. ${bodies[0]?.slice(0, 200)}`);
    }
  }

  return {
    invariants: invariants.map((i) => i.result()),
    counts: {
      tableItems: table.items,
      paidOptions: paidCount,
      koOptions: koCount,
      ioMessages,
      emails,
      messageRecords: table.messageRecords.size,
      webhookRequests,
      anomalies: table.anomalies.length,
      dlqMessages,
    },
  };
}

/** Every message of a queue (received with a long visibility so none is read twice). */
async function drainQueue(sqs: SQSClient, url: string): Promise<string[]> {
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  const expected = Number(attrs.Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(attrs.Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0);
  const bodies: string[] = [];
  for (let empty = 0; empty < 2 && bodies.length < Math.max(expected, 1) * 2 + 10; ) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 }));
    const messages = got.Messages ?? [];
    if (messages.length === 0) empty++;
    bodies.push(...messages.map((m) => m.Body ?? ''));
  }
  return bodies;
}
