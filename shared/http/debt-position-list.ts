/**
 * The list of debt positions as GPD has it (GPD OpenAPI v1, pagopa/pagopa-debt-position
 * openapi/openapi_external_v1.json, getOrganizationDebtPositions; its controller
 * DebtPositionController.getOrganizationDebtPositions and PaymentPositionCRUDService):
 *   page     default 0;  limit 1..50, default 10
 *   orderby  INSERTED_DATE (default) | IUPD | STATUS | COMPANY_NAME, and this layer's DUE_DATE
 *   ordering ASC | DESC (default DESC)
 *   status, and ONE of three intervals (ExclusiveParamAspect): due_date_from/to (yyyy-MM-dd),
 *   payment_date_from/to (yyyy-MM-dd), payment_date_time_from/to (yyyy-MM-ddTHH:mm:ss); an
 *   interval with one side only spans max.days.interval = 30 days from it, and `to` before `from`
 *   or an interval of more than 30 days is a 400 (DebtPositionValidation.checkDatesInterval).
 *   page_info: page and limit as asked, items_found = the positions on this page, total_pages =
 *   ⌈matching / limit⌉ (CommonUtil.buildPageInfo over Spring's Page).
 * Days and date-times without an offset are Europe/Rome, as everywhere in this layer.
 */
import * as z from 'zod';
import { parseApiDateTime, romeCalendarDay, romeDayEnd, romeDayStart } from '../domain/dates';
import { POSITION_STATUSES, type DebtPosition } from '../domain/debt-position';
import { LIST_ORDERS, type ListQuery } from '../use-cases/ports';
import type { paymentPositionsInfoSchema } from './debt-position-schemas';
import { toPositionResponse } from './debt-position-mapping';
import { badRequest, type FieldProblem } from './problem';

/** GPD's page size when the client gives none (`@Positive @Max(50) … defaultValue = "10"`). */
export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 50;
/** GPD max.days.interval: the span of a one-sided interval. */
export const MAX_DAYS_INTERVAL = 30;

const day = () => z.iso.date('must be a date yyyy-MM-dd');
const dateTime = () =>
  z
    .string()
    .max(40)
    .refine((v) => v.includes('T') && parseApiDateTime(v) !== null, { message: 'must be a date-time yyyy-MM-ddTHH:mm:ss' })
    .meta({ format: 'date-time', example: '2026-12-31T10:30:00' });
const whole = (what: string) => z.string().regex(/^\d{1,9}$/, `must be ${what}`).transform(Number);

const PARAMETERS = {
  page: whole('a page number from 0').optional().meta({ description: 'Page number, from 0 (default 0).' }),
  limit: whole('an integer from 1 to 50')
    .refine((n) => n >= 1 && n <= MAX_PAGE_LIMIT, { message: `must be from 1 to ${MAX_PAGE_LIMIT}` })
    .optional()
    .meta({ description: `Positions per page, 1..${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).` }),
  orderby: z.enum(LIST_ORDERS).optional().meta({ description: 'Order: INSERTED_DATE (default), IUPD, STATUS, COMPANY_NAME, or DUE_DATE (the first due date; this layer only).' }),
  ordering: z.enum(['ASC', 'DESC']).optional().meta({ description: 'Direction (default DESC).' }),
  status: z.enum(POSITION_STATUSES).optional().meta({ description: 'Only positions in this status.' }),
  due_date_from: day().optional().meta({ description: 'Positions with an option due on this day or later (alone: up to 30 days later).' }),
  due_date_to: day().optional().meta({ description: 'Positions with an option due on this day or earlier (alone: from 30 days earlier).' }),
  payment_date_from: day().optional().meta({ description: 'Positions paid on this day or later (alone: up to 30 days later).' }),
  payment_date_to: day().optional().meta({ description: 'Positions paid on this day or earlier (alone: from 30 days earlier).' }),
  payment_date_time_from: dateTime().optional().meta({ description: 'Positions paid at this time or later.' }),
  payment_date_time_to: dateTime().optional().meta({ description: 'Positions paid at this time or earlier.' }),
};

/**
 * The query string of the list. Parameters GPD does not document are refused (a typo must not
 * silently list everything), each named in the 400.
 */
export const listQuerySchema = z.object(PARAMETERS).catchall(z.unknown().refine(() => false, { message: 'is not a parameter of this list' }));

type ListQueryInput = z.infer<typeof listQuerySchema>;
type PositionsPage = z.infer<typeof paymentPositionsInfoSchema>;

const GROUPS = [
  ['due_date_from', 'due_date_to'],
  ['payment_date_from', 'payment_date_to'],
  ['payment_date_time_from', 'payment_date_time_to'],
] as const;

/** yyyy-MM-dd plus `days` (calendar arithmetic). */
export function addDays(isoDay: string, days: number): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
/** whole calendar days from one yyyy-MM-dd to another */
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);


/** An interval of days with GPD's one-sided default; undefined when neither side is given. */
function dayInterval(from: string | undefined, to: string | undefined): { from: string; to: string } | undefined {
  if (from === undefined && to === undefined) return undefined;
  return { from: from ?? addDays(to as string, -MAX_DAYS_INTERVAL), to: to ?? addDays(from as string, MAX_DAYS_INTERVAL) };
}

/** The GPD list query as the store's query, or a 400 naming every offending parameter. */
export function toListQuery(query: ListQueryInput): ListQuery {
  const problems: FieldProblem[] = [];
  const present = GROUPS.filter((group) => group.some((name) => query[name] !== undefined));
  if (present.length > 1) {
    for (const group of present) {
      for (const name of group) if (query[name] !== undefined) problems.push({ field: name, message: `cannot be combined with ${present.filter((g) => g !== group).flat().join(', ')}` });
    }
    throw badRequest(`Exclusive Parameters: ${GROUPS.map((g) => g.join(', ')).join(' and ')} are mutually exclusive`, problems);
  }
  const dueDays = dayInterval(query.due_date_from, query.due_date_to);
  const paidDays = dayInterval(query.payment_date_from, query.payment_date_to);
  let paidBetween = paidDays && { from: romeDayStart(paidDays.from), to: romeDayEnd(paidDays.to) };
  const timeFrom = query.payment_date_time_from === undefined ? undefined : parseApiDateTime(query.payment_date_time_from) ?? undefined;
  const timeTo = query.payment_date_time_to === undefined ? undefined : parseApiDateTime(query.payment_date_time_to) ?? undefined;
  if (timeFrom !== undefined || timeTo !== undefined) {
    paidBetween = {
      from: timeFrom ?? romeDayStart(addDays(romeCalendarDay(timeTo as string), -MAX_DAYS_INTERVAL)),
      to: timeTo ?? romeDayEnd(addDays(romeCalendarDay(timeFrom as string), MAX_DAYS_INTERVAL)),
    };
  }
  const [group] = present;
  if (group && ((dueDays && dueDays.from > dueDays.to) || (paidBetween && paidBetween.from > paidBetween.to))) {
    throw badRequest(`${group[0]} must not be after ${group[1]}`, [{ field: group[1], message: `must not be before ${group[0]}` }]);
  }
  // GPD: Duration.between(from, to).toDays() > max.days.interval is a 400 (checkDatesInterval)
  const days = dueDays ?? paidDays;
  const spanDays = days !== undefined ? daysBetween(days.from, days.to) : paidBetween ? Math.floor((Date.parse(paidBetween.to) - Date.parse(paidBetween.from)) / DAY_MS) : 0;
  if (group && spanDays > MAX_DAYS_INTERVAL) {
    throw badRequest(`the interval spans ${spanDays} days, more than ${MAX_DAYS_INTERVAL}`, [
      { field: group[1], message: `must be at most ${MAX_DAYS_INTERVAL} days after ${group[0]}` },
    ]);
  }
  return {
    page: query.page ?? 0,
    limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    orderBy: query.orderby ?? 'INSERTED_DATE',
    descending: (query.ordering ?? 'DESC') === 'DESC',
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(dueDays !== undefined ? { dueDays } : {}),
    ...(paidBetween !== undefined ? { paidBetween } : {}),
  };
}

/** One GPD page: the positions and `page_info`. */
export function toPositionsPage(query: ListQuery, result: { items: readonly DebtPosition[]; total: number }): PositionsPage {
  return {
    payment_position_list: result.items.map(toPositionResponse),
    page_info: {
      page: query.page,
      limit: query.limit,
      items_found: result.items.length,
      total_pages: Math.ceil(result.total / query.limit),
    },
  };
}
