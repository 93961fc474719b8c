import { createApiRuntime, type ApiRuntime } from '../../shared/composition';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { listQuerySchema } from '../../shared/http/debt-position-schemas';
import { toPositionResponse } from '../../shared/http/debt-position-mapping';
import { parseApiDateTime } from '../../shared/domain/dates';
import { listDebtPositions } from '../../shared/use-cases/debt-positions';
import { badRequest } from '../../shared/http/problem';

/** GET /organizations/{organizationFiscalCode}/debtpositions?page=&limit=&status=&due_date_from=&due_date_to= */
export const makeHandler = (rt: ApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const query = parseWith(listQuerySchema, request.query, 'query');
    if (query.orderby !== undefined && query.orderby !== 'DUE_DATE') {
      throw badRequest('positions are listed by due date (orderby=DUE_DATE); other orderings are not supported', [
        { field: 'orderby', message: 'only DUE_DATE is supported' },
      ]);
    }
    const limit = query.limit ?? 50;
    // a day filter covers the whole Rome calendar day
    const dueFrom = query.due_date_from ? (parseApiDateTime(`${query.due_date_from}T00:00:00`) ?? undefined) : undefined;
    const dueTo = query.due_date_to ? (parseApiDateTime(query.due_date_to) ?? undefined) : undefined;
    const { items, total } = await listDebtPositions(rt, request.caller.organization.fiscalCode, {
      page: query.page,
      limit,
      status: query.status,
      dueFrom,
      dueTo,
      descending: query.ordering === 'DESC',
    });
    return json(200, {
      payment_position_list: items.map(toPositionResponse),
      page_info: { page: query.page, limit, items_found: items.length, total_pages: Math.ceil(total / limit) },
    });
  });

export const handler = makeHandler(createApiRuntime());
