/**
 * Lists of debt positions (GPD `GET …/debtpositions`: page number and size, `page_info` with the
 * exact number of pages) without reading a tenant's whole index partition.
 *
 * Storage, beside each position (keys.ts "Lists"):
 *   listing entries   small items (~300 bytes) in gsi1 (whole tenant) and gsi2 (one status), one
 *                     per ordering (inserted date, iupd, company name, first due date), one per
 *                     due day (at most MAX_DUE_DAYS) and one when paid (payment date), one per
 *                     IBAN of the tenant on an unpaid option (the IBAN replacement finds them);
 *   counters          ORG#<ofc> POSCOUNT#<shard>: positions per status (n_<status>) and, per list,
 *                     a generation (g_<ordering>_<ALL|status>) bumped by every change that moves
 *                     entries inside it, and an append count (a_INS_…) for new positions;
 *   bookmarks         ORG#<ofc> BOOKMARK#<list>#<ASC|DESC>: the key after every BOOKMARK_EVERY
 *                     entries of a list, valid while the list's generation (and, read from the
 *                     newest, its appends) have not moved.
 * Entries and counters are written in the same transaction as the position by the positions
 * store (`listingChanges`), so counts are exact the moment a write commits. A position written by
 * a store that does not keep the listing (the receipt store applying a payment) carries the
 * sparse key gsi1 ORG#<ofc>#UNLISTED: every list first brings those up to date (entries and
 * counters from the state LIST#INS says they were counted in), at most RECONCILE_BUDGET per call;
 * past that the answer is busy, so a count is exact or not given.
 *
 * Work per request: page N of a list reads the counters (one query of 16 small items), the
 * bookmark, at most BOOKMARK_EVERY entries to reach the page from the bookmark, the page's
 * entries and then the page's positions (one BatchGetItem). Without a valid bookmark the walk to
 * the page is at most WALK_BUDGET entries per request (bookmarks are saved on the way): a deeper
 * page answers `busy` and the retry goes on from there. A date interval reads its entries (at
 * most WINDOW_MAX), sorted in memory: wider intervals answer `too-wide`.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { compact } from '../../domain/compact';
import { NAME_ROTATIONS, matchingRotation, nameRotations, normalizeName } from '../../domain/debtor-name';
import { romeCalendarDay } from '../../domain/dates';
import { POSITION_STATUSES, firstDueDate, type DebtPosition, type PositionStatus } from '../../domain/debt-position';
import type { ListOrder, ListPage, ListQuery } from '../../use-cases/ports';
import type { DebtorNameMark, DebtorNamePage } from '../../use-cases/operators/ports';
import { LIST_SK, SK, listGsi, orgPk, positionPk, type ListOrdering } from './keys';

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** Counter items per tenant: concurrent writes of one tenant rarely meet on the same item. */
export const COUNTER_SHARDS = 16;
/** A bookmark every this many entries: reaching any page reads at most this many entries first. */
export const BOOKMARK_EVERY = 1000;
/** Entries one request may walk to rebuild bookmarks (~6 MB of reads at most). */
export const WALK_BUDGET = 20_000;
/** Entries one date-interval list may read (they are sorted in memory). */
export const WINDOW_MAX = 20_000;
/** Due days indexed per position (a plan with more distinct due days is found by its first ones). */
export const MAX_DUE_DAYS = 10;
/** IBANs indexed per position for the IBAN replacement. */
export const MAX_IBANS = 5;
/** Positions written outside this module brought up to date per query of them. */
export const RECONCILE_PER_LIST = 50;
/** ...and by one list call at most: beyond it the list answers busy (503, Retry-After) and the retry goes on. */
export const RECONCILE_BUDGET = 200;
/** Name-index entries one name search may read (a page rarely skips any: see byName). */
export const NAME_READ_BUDGET = 1000;
/** How long an ascending bookmark must be old: a new position is never inserted before it. */
const BOOKMARK_SETTLE_MS = 60_000;

const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';
/** Stored statuses whose unpaid transfers the IBAN replacement may change (GPD updateTransferIbanMassive). */
const IBAN_STATUSES: ReadonlySet<PositionStatus> = new Set(['DRAFT', 'PUBLISHED', 'VALID', 'PARTIALLY_PAID']);
const ORDERINGS: readonly Exclude<ListOrdering, 'DAY' | 'PAY'>[] = ['INS', 'IUPD', 'COMPANY', 'DUE'];
// each rotation of a debtor's name rides on one of these entries, which every position has
if (ORDERINGS.length < NAME_ROTATIONS) throw new Error('fewer listing entries than debtor-name rotations');
const ORDERING_OF: Readonly<Record<Exclude<ListOrder, 'STATUS'>, Exclude<ListOrdering, 'DAY' | 'PAY'>>> = {
  INSERTED_DATE: 'INS',
  IUPD: 'IUPD',
  COMPANY_NAME: 'COMPANY',
  DUE_DATE: 'DUE',
};

/** What the counters and the entries say of one position (kept in LIST#INS). */
export interface ListingState {
  readonly version: number;
  readonly iupd: string;
  readonly status: PositionStatus;
  readonly insertedDate: string;
  readonly companyName: string;
  readonly firstDue: string;
  readonly dueDays: readonly string[];
  readonly paymentDate?: string;
  readonly ibans: readonly string[];
  /** the debtor's name, normalized (debtor-name.ts); absent in states listed before the name search */
  readonly debtorName?: string;
}

export function listingStateOf(position: DebtPosition): ListingState {
  const dueDays = [...new Set(position.paymentOptions.map((o) => romeCalendarDay(o.dueDate)))].sort().slice(0, MAX_DUE_DAYS);
  const ibans = IBAN_STATUSES.has(position.status)
    ? [
        ...new Set(
          position.paymentOptions
            .filter((o) => o.status === 'PO_UNPAID')
            .flatMap((o) => o.transfers.filter((t) => t.organizationFiscalCode === position.organizationFiscalCode && t.iban))
            .map((t) => t.iban as string),
        ),
      ]
        .sort()
        .slice(0, MAX_IBANS)
    : [];
  return compact({
    version: position.version,
    iupd: position.iupd,
    status: position.status,
    insertedDate: position.insertedDate,
    companyName: position.companyName,
    firstDue: firstDueDate(position.paymentOptions) ?? NO_DUE_DATE,
    dueDays,
    paymentDate: position.paymentDate,
    ibans,
    debtorName: normalizeName(position.debtor.fullName),
  });
}

type Item = Record<string, unknown>;

function sortKeyOf(state: ListingState, ordering: ListOrdering, day?: string): string {
  switch (ordering) {
    case 'INS':
      return `${state.insertedDate}#${state.iupd}`;
    case 'IUPD':
      return state.iupd;
    case 'COMPANY':
      return `${state.companyName}#${state.iupd}`;
    case 'DUE':
      return `${state.firstDue}#${state.iupd}`;
    case 'DAY':
      return `${day ?? ''}#${state.iupd}`;
    case 'PAY':
      return `${state.paymentDate ?? ''}#${state.iupd}`;
  }
}

/** The listing entries of a position, by sort key of the table (sk). */
export function listingItems(ofc: string, state: ListingState): Map<string, Item> {
  const pk = positionPk(ofc, state.iupd);
  const entry = (sk: string, ordering: ListOrdering, day?: string): Item => {
    const sortKey = sortKeyOf(state, ordering, day);
    return {
      pk,
      sk,
      type: 'listing',
      iupd: state.iupd,
      st: state.status,
      ins: state.insertedDate,
      co: state.companyName,
      due: state.firstDue,
      gsi1pk: listGsi.ordered(ofc, ordering),
      gsi1sk: sortKey,
      gsi2pk: listGsi.orderedInStatus(ofc, ordering, state.status),
      gsi2sk: sortKey,
    };
  };
  const items = new Map<string, Item>();
  // the debtor's name rotations, one on each of the entries every position has (gsi3, ORG#<ofc>#L#NAME)
  const rotations = nameRotations(state.debtorName ?? '');
  ORDERINGS.forEach((ordering, i) => {
    const rotation = rotations[i];
    const named = rotation === undefined ? {} : { gsi3pk: listGsi.name(ofc), gsi3sk: `${rotation}#${state.iupd}`, nm: state.debtorName, nr: i };
    items.set(LIST_SK.ordered(ordering), { ...entry(LIST_SK.ordered(ordering), ordering), ...named });
  });
  items.set(LIST_SK.ordered('INS'), { ...items.get(LIST_SK.ordered('INS')), listing: state });
  for (const day of state.dueDays) items.set(LIST_SK.day(day), entry(LIST_SK.day(day), 'DAY', day));
  if (state.paymentDate !== undefined) items.set(LIST_SK.ordered('PAY'), entry(LIST_SK.ordered('PAY'), 'PAY'));
  for (const iban of state.ibans) {
    items.set(LIST_SK.iban(iban), { pk, sk: LIST_SK.iban(iban), type: 'listing', iupd: state.iupd, gsi1pk: listGsi.iban(ofc, iban), gsi1sk: state.iupd });
  }
  return items;
}

/** Counter attribute names. */
const countOf = (status: string): string => `n_${status}`;
const generationOf = (ordering: string, part: string): string => `g_${ordering}_${part}`;
const appendsOf = (ordering: string, part: string): string => `a_${ordering}_${part}`;

/** Which counters a change of listing state moves, and by how much. */
export function counterDeltas(before: ListingState | undefined, after: ListingState | undefined): Map<string, number> {
  const deltas = new Map<string, number>();
  const add = (name: string, by: number) => deltas.set(name, (deltas.get(name) ?? 0) + by);
  if (before?.status !== after?.status) {
    if (before) add(countOf(before.status), -1);
    if (after) add(countOf(after.status), 1);
  }
  for (const ordering of ORDERINGS) {
    const was = before && sortKeyOf(before, ordering);
    const is = after && sortKeyOf(after, ordering);
    if (was === is && before?.status === after?.status) continue;
    if (!before && after) {
      // a new position: appended to the inserted-date lists (only their newest end moves)
      if (ordering === 'INS') {
        add(appendsOf(ordering, 'ALL'), 1);
        add(appendsOf(ordering, after.status), 1);
      } else {
        add(generationOf(ordering, 'ALL'), 1);
        add(generationOf(ordering, after.status), 1);
      }
      continue;
    }
    if (was !== is) add(generationOf(ordering, 'ALL'), 1);
    if (before) add(generationOf(ordering, before.status), 1);
    if (after && after.status !== before?.status) add(generationOf(ordering, after.status), 1);
  }
  for (const [name, by] of deltas) if (by === 0) deltas.delete(name);
  return deltas;
}

/** The counter update of `deltas` on one shard (undefined when nothing moves). */
export function counterUpdate(tableName: string, ofc: string, deltas: Map<string, number>, shard = randomShard()): TransactItem | undefined {
  if (deltas.size === 0) return undefined;
  const names: Record<string, string> = { '#type': 'type' };
  const values: Record<string, unknown> = { ':type': 'position-counter' };
  const parts: string[] = [];
  [...deltas].forEach(([name, by], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = by;
    parts.push(`#c${i} :c${i}`);
  });
  return {
    Update: {
      TableName: tableName,
      Key: { pk: orgPk(ofc), sk: SK.positionCounter(shard) },
      UpdateExpression: `ADD ${parts.join(', ')} SET #type = :type`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

const randomShard = (): number => Math.floor(Math.random() * COUNTER_SHARDS);

/**
 * The transaction items that take a position's listing from `before` (what LIST#INS holds, or
 * undefined for a new position) to `after` (undefined when the position goes): entries put or
 * deleted where they differ, LIST#INS guarded by the version it was read at, and the counters.
 */
export function listingChanges(
  tableName: string,
  ofc: string,
  before: ListingState | undefined,
  after: ListingState | undefined,
): TransactItem[] {
  const was = before ? listingItems(ofc, before) : new Map<string, Item>();
  const is = after ? listingItems(ofc, after) : new Map<string, Item>();
  const ins = LIST_SK.ordered('INS');
  const guard = before
    ? { ConditionExpression: '#listing.#version = :listed', ExpressionAttributeNames: { '#listing': 'listing', '#version': 'version' }, ExpressionAttributeValues: { ':listed': before.version } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
  const items: TransactItem[] = [];
  for (const [sk, item] of is) {
    if (sk === ins) items.push({ Put: { TableName: tableName, Item: item, ...guard } });
    else if (JSON.stringify(was.get(sk)) !== JSON.stringify(item)) items.push({ Put: { TableName: tableName, Item: item } });
  }
  for (const [sk, item] of was) {
    if (is.has(sk)) continue;
    const key = { pk: item['pk'], sk };
    items.push(sk === ins && before ? { Delete: { TableName: tableName, Key: key, ...guard } } : { Delete: { TableName: tableName, Key: key } });
  }
  const counter = counterUpdate(tableName, ofc, counterDeltas(before, after));
  if (counter) items.push(counter);
  return items;
}

/** The state LIST#INS holds for a position (what the counters count it as), if listed. */
export async function readListingState(db: DynamoDBDocumentClient, tableName: string, ofc: string, iupd: string): Promise<ListingState | undefined> {
  const result = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: positionPk(ofc, iupd), sk: LIST_SK.ordered('INS') }, ConsistentRead: true }),
  );
  return result?.Item?.['listing'] as ListingState | undefined;
}

/** The sums of a tenant's counter shards, by attribute name. */
export async function readCounters(db: DynamoDBDocumentClient, tableName: string, ofc: string): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orgPk(ofc), ':prefix': SK.positionCounterPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      for (const [name, value] of Object.entries(item)) {
        if (typeof value === 'number' && /^[nga]_/.test(name)) sums.set(name, (sums.get(name) ?? 0) + value);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return sums;
}

/** One list as stored: which index partition, how many entries, the generation its bookmarks need. */
interface ListRef {
  readonly ofc: string;
  readonly index: 'gsi1' | 'gsi2';
  readonly pk: string;
  readonly name: string;
  readonly ordering: ListOrdering;
  readonly total: number;
  readonly generation: number;
  readonly appends: number;
}

interface Bookmarks {
  readonly generation: number;
  readonly appends: number;
  readonly keys: Record<string, unknown>[];
}

interface Entry {
  readonly iupd: string;
  readonly st: string;
  readonly ins: string;
  readonly co: string;
  readonly due: string;
}

const compareBy: Readonly<Record<ListOrder, (e: Entry) => string>> = {
  INSERTED_DATE: (e) => `${e.ins}#${e.iupd}`,
  IUPD: (e) => e.iupd,
  COMPANY_NAME: (e) => `${e.co}#${e.iupd}`,
  DUE_DATE: (e) => `${e.due}#${e.iupd}`,
  STATUS: (e) => `${e.st}#${e.ins}#${e.iupd}`,
};

/** GPD orders statuses as strings (its column is a varchar): DRAFT < EXPIRED < … < VALID. */
const STATUSES_IN_ORDER = [...POSITION_STATUSES].sort();

/** The bounds of one list request (tests make them small). */
export interface ListLimits {
  readonly bookmarkEvery: number;
  readonly walkBudget: number;
  readonly windowMax: number;
  /** positions written outside this module one list call brings up to date before it answers busy */
  readonly reconcileBudget: number;
  /** ...queried this many at a time */
  readonly reconcilePage: number;
}

export const LIST_LIMITS: ListLimits = {
  bookmarkEvery: BOOKMARK_EVERY,
  walkBudget: WALK_BUDGET,
  windowMax: WINDOW_MAX,
  reconcileBudget: RECONCILE_BUDGET,
  reconcilePage: RECONCILE_PER_LIST,
};

export class PositionLists {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly limits: ListLimits = LIST_LIMITS,
  ) {}

  async list(ofc: string, query: ListQuery): Promise<ListPage> {
    // counts are exact or the answer is busy: positions written outside this module (payments)
    // are brought up to date first, up to the reconcile budget; more than that waits for the retry
    for (let reconciled = 0; ; ) {
      const { done, seen } = await this.reconcilePage(ofc, this.limits.reconcilePage);
      reconciled += done;
      if (seen < this.limits.reconcilePage || done === 0) break;
      if (reconciled >= this.limits.reconcileBudget) return { kind: 'busy', retryAfterSeconds: 1 };
    }
    if (query.dueDays !== undefined || query.paidBetween !== undefined) return this.window(ofc, query);
    const counters = await readCounters(this.db, this.tableName, ofc);
    const count = (status: string) => counters.get(countOf(status)) ?? 0;
    const total = query.status !== undefined ? count(query.status) : POSITION_STATUSES.reduce((sum, s) => sum + count(s), 0);
    const offset = query.page * query.limit;
    const ref = (ordering: Exclude<ListOrdering, 'DAY' | 'PAY'>, status: string | undefined): ListRef => {
      const part = status ?? 'ALL';
      return {
        ofc,
        index: status === undefined ? 'gsi1' : 'gsi2',
        pk: status === undefined ? listGsi.ordered(ofc, ordering) : listGsi.orderedInStatus(ofc, ordering, status),
        name: `${ordering}#${part}`,
        ordering,
        total: status === undefined ? total : count(status),
        generation: counters.get(generationOf(ordering, part)) ?? 0,
        appends: counters.get(appendsOf(ordering, part)) ?? 0,
      };
    };
    let iupds: string[] = [];
    if (query.orderBy === 'STATUS' && query.status === undefined) {
      // the status lists one after the other (by inserted date inside each), counted by the counters
      const statuses = query.descending ? [...STATUSES_IN_ORDER].reverse() : STATUSES_IN_ORDER;
      let skip = offset;
      let wanted = query.limit;
      for (const status of statuses) {
        if (wanted <= 0) break;
        const size = count(status);
        if (skip >= size) {
          skip -= size;
          continue;
        }
        const got = await this.entriesOf(ref('INS', status), query.descending, skip, Math.min(wanted, size - skip));
        if (got === 'busy') return { kind: 'busy', retryAfterSeconds: 1 };
        iupds.push(...got);
        wanted -= got.length;
        skip = 0;
      }
    } else {
      const ordering = query.orderBy === 'STATUS' ? 'INS' : ORDERING_OF[query.orderBy];
      const got = await this.entriesOf(ref(ordering, query.status), query.descending, offset, query.limit);
      if (got === 'busy') return { kind: 'busy', retryAfterSeconds: 1 };
      iupds = got;
    }
    return { kind: 'page', items: await this.positions(ofc, iupds), total };
  }

  /** The iupds of `count` entries of a list from `offset`, by way of its bookmarks. */
  private async entriesOf(ref: ListRef, descending: boolean, offset: number, count: number): Promise<string[] | 'busy'> {
    if (count <= 0 || offset >= ref.total) return [];
    const direction = descending ? 'DESC' : 'ASC';
    const bookmarkKey = { pk: orgPk(ref.ofc), sk: SK.bookmark(`${ref.name}#${direction}`) };
    let keys: Record<string, unknown>[] = [];
    if (offset >= this.limits.bookmarkEvery) {
      const saved = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: bookmarkKey }))).Item as Bookmarks | undefined;
      if (saved && saved.generation === ref.generation && (!descending || saved.appends === ref.appends)) keys = [...saved.keys];
    }
    const known = keys.length;
    const query: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: ref.index,
      KeyConditionExpression: '#ipk = :pk',
      ExpressionAttributeNames: { '#ipk': `${ref.index}pk` },
      ExpressionAttributeValues: { ':pk': ref.pk },
      ScanIndexForward: !descending,
    };
    const reached = Math.min(Math.floor(offset / this.limits.bookmarkEvery), keys.length);
    let start = reached > 0 ? keys[reached - 1] : undefined;
    let at = reached * this.limits.bookmarkEvery;
    let walked = 0;
    const save = async () => {
      if (keys.length > known) {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...bookmarkKey, type: 'list-bookmarks', generation: ref.generation, appends: ref.appends, keys, savedAt: this.clock().toISOString() },
          }),
        );
      }
    };
    const settled = this.clock().getTime() - BOOKMARK_SETTLE_MS;
    const recordable = (key: Record<string, unknown>): boolean => {
      if (ref.ordering !== 'INS' || descending) return true;
      // an ascending inserted-date bookmark is kept only when old enough that no new position
      // (inserted "now", whatever the writer's clock) can land before it
      const inserted = String(key[`${ref.index}sk`] ?? '').split('#')[0] ?? '';
      return Date.parse(inserted) < settled;
    };
    while (at < offset) {
      const step = Math.min(this.limits.bookmarkEvery - (at % this.limits.bookmarkEvery), offset - at);
      const page = await this.db.send(
        new QueryCommand({ ...query, Limit: step, ExclusiveStartKey: start, ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk' }),
      );
      const got = page.Count ?? 0;
      at += got;
      walked += got;
      start = page.LastEvaluatedKey;
      if (!start || got === 0) {
        await save();
        return [];
      }
      if (at % this.limits.bookmarkEvery === 0 && at / this.limits.bookmarkEvery === keys.length + 1 && recordable(start)) keys.push(start);
      if (walked >= this.limits.walkBudget && at < offset) {
        await save();
        return 'busy';
      }
    }
    const iupds: string[] = [];
    while (iupds.length < count) {
      const page = await this.db.send(
        new QueryCommand({ ...query, Limit: count - iupds.length, ExclusiveStartKey: start, ProjectionExpression: 'iupd' }),
      );
      iupds.push(...(page.Items ?? []).map((i) => String(i['iupd'])));
      start = page.LastEvaluatedKey;
      if (!start || (page.Count ?? 0) === 0) break;
    }
    await save();
    return iupds;
  }

  /** A due-day or payment-date interval: its entries read (at most `windowMax`), sorted here. */
  private async window(ofc: string, query: ListQuery): Promise<ListPage> {
    const ordering: ListOrdering = query.dueDays !== undefined ? 'DAY' : 'PAY';
    const range = query.dueDays ?? query.paidBetween;
    if (range === undefined) throw new RangeError('no interval');
    const index = query.status === undefined ? 'gsi1' : 'gsi2';
    const seen = new Map<string, Entry>();
    let read = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: '#ipk = :pk AND #isk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#ipk': `${index}pk`, '#isk': `${index}sk`, '#iupd': 'iupd', '#st': 'st', '#ins': 'ins', '#co': 'co', '#due': 'due' },
          ExpressionAttributeValues: {
            ':pk': query.status === undefined ? listGsi.ordered(ofc, ordering) : listGsi.orderedInStatus(ofc, ordering, query.status),
            ':from': range.from,
            ':to': `${range.to}#\uffff`,
          },
          ProjectionExpression: '#iupd, #st, #ins, #co, #due',
          ExclusiveStartKey: start,
          Limit: Math.min(this.limits.windowMax + 1 - read, 5000),
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = item as unknown as Entry;
        if (!seen.has(entry.iupd)) seen.set(entry.iupd, entry);
      }
      read += page.Count ?? 0;
      start = page.LastEvaluatedKey;
      if (read > this.limits.windowMax) return { kind: 'too-wide', atLeast: read, max: this.limits.windowMax };
    } while (start);
    const key = compareBy[query.orderBy];
    const entries = [...seen.values()].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (query.descending ? -1 : 1);
    });
    const offset = query.page * query.limit;
    const pageOf = entries.slice(offset, offset + query.limit).map((e) => e.iupd);
    return { kind: 'page', items: await this.positions(ofc, pageOf), total: entries.length };
  }

  /**
   * The debtor-name search (DebtorNames): the entries of the tenant's name index (gsi3
   * ORG#<ofc>#L#NAME) whose rotation starts with `search`, skipping an entry when an earlier
   * rotation of the same name matches too (the position is listed by that one), then the page's
   * positions in one BatchGetItem. At most NAME_READ_BUDGET entries per call: a page cut short by
   * it still has a cursor.
   */
  async byName(ofc: string, search: string, page: { readonly limit: number; readonly after?: DebtorNameMark }): Promise<DebtorNamePage> {
    const want = page.limit + 1;
    const hits: DebtorNameMark[] = [];
    let lastRead: DebtorNameMark | undefined;
    let read = 0;
    let start = page.after ? nameIndexKey(ofc, page.after) : undefined;
    do {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :search)',
          ExpressionAttributeValues: { ':pk': listGsi.name(ofc), ':search': search },
          ExclusiveStartKey: start,
          Limit: want - hits.length,
        }),
      );
      start = result.LastEvaluatedKey;
      for (const item of result.Items ?? []) {
        read++;
        const iupd = item['iupd'] as string;
        const sortKey = item['gsi3sk'] as string;
        lastRead = { rotation: sortKey.slice(0, sortKey.length - iupd.length - 1), rotationNumber: item['nr'] as number, iupd };
        if (matchingRotation(item['nm'] as string, search) === lastRead.rotationNumber) hits.push(lastRead);
        if (hits.length === want) break;
      }
    } while (start && hits.length < want && read < NAME_READ_BUDGET);
    const shown = hits.slice(0, page.limit);
    const next = hits.length > page.limit ? shown[shown.length - 1] : start !== undefined ? lastRead : undefined;
    return { positions: await this.positions(ofc, shown.map((m) => m.iupd)), ...(next ? { next } : {}) };
  }

  /** The positions of `iupds`, in that order (one BatchGetItem per 100). */
  async positions(ofc: string, iupds: readonly string[]): Promise<DebtPosition[]> {
    const found = new Map<string, DebtPosition>();
    for (let i = 0; i < iupds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = iupds.slice(i, i + 100).map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) {
          if (item['pending'] !== undefined) continue;
          const position = item['position'] as DebtPosition;
          found.set(position.iupd, position);
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (keys && keys.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
    return iupds.flatMap((iupd) => {
      const p = found.get(iupd);
      return p ? [p] : [];
    });
  }

  /**
   * Brings up to `max` positions written outside this module (ORG#<ofc>#UNLISTED) up to date:
   * entries and counters from the state they were counted in to the position's, in one
   * transaction guarded by the position's version (a position changed meanwhile waits its turn).
   */
  async reconcile(ofc: string, max: number): Promise<number> {
    return (await this.reconcilePage(ofc, max)).done;
  }

  /** One page of UNLISTED positions reconciled: how many were brought up to date, of how many seen. */
  private async reconcilePage(ofc: string, max: number): Promise<{ done: number; seen: number }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': listGsi.unlisted(ofc) },
        Limit: max,
      }),
    );
    let done = 0;
    for (const item of page.Items ?? []) {
      const position = item['position'] as DebtPosition | undefined;
      if (!position) continue;
      const before = await readListingState(this.db, this.tableName, ofc, position.iupd);
      const items: TransactItem[] = [
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: positionPk(ofc, position.iupd), sk: SK.position },
            UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
            ConditionExpression: '#version = :version AND gsi1pk = :unlisted',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': item['version'], ':unlisted': listGsi.unlisted(ofc) },
          },
        },
        ...listingChanges(this.tableName, ofc, before, listingStateOf(position)),
      ];
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        done++;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      }
    }
    return { done, seen: page.Items?.length ?? 0 };
  }
}

/** Sets a tenant's counters to absolute values (seeding and repair: nothing else may write them then). */
export async function writeCounters(db: DynamoDBDocumentClient, tableName: string, ofc: string, values: ReadonlyMap<string, number>): Promise<void> {
  for (let shard = 0; shard < COUNTER_SHARDS; shard++) {
    const item: Record<string, unknown> = { pk: orgPk(ofc), sk: SK.positionCounter(shard), type: 'position-counter' };
    if (shard === 0) for (const [name, value] of values) item[name] = value;
    await db.send(new PutCommand({ TableName: tableName, Item: item }));
  }
}

/** The counters a set of listing states adds up to (for seeding and for repair). */
export function countersOf(states: Iterable<ListingState>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(countOf(s.status), (counts.get(countOf(s.status)) ?? 0) + 1);
  return counts;
}

/** Exposed for tests: the counter names a position lives under. */
export const counterNames = { countOf, generationOf, appendsOf } as const;


/** The gsi3 key of the name-index entry at `mark`, to go on after it: always in the tenant's own name index. */
function nameIndexKey(ofc: string, mark: DebtorNameMark): Record<string, unknown> {
  return {
    pk: positionPk(ofc, mark.iupd),
    sk: LIST_SK.ordered(ORDERINGS[mark.rotationNumber]!),
    gsi3pk: listGsi.name(ofc),
    gsi3sk: `${mark.rotation}#${mark.iupd}`,
  };
}
