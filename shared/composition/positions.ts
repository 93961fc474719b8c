/**
 * The composition root of the POSITIONS family: the back-office REST functions on debt positions
 * (create, get, list, update, delete, publish, invalidate, get-payment-option) and the status
 * clock (advance-position-statuses). Composed once per process on `platform()`.
 *
 * The family has no settings of its own: what it reads (the table, the API key cache) is the
 * platform's, read and validated there.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { CreatePositionDeps, PositionDeps } from '../use-cases/debt-positions/ports';
import type { ClockDeps } from '../use-cases/position-clock/advance-position-statuses';
import { platform, type Platform } from './platform';

/** What every REST handler of the family gets. */
export interface PositionsApi extends PositionDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

/** The create route also reports each position created (the PositionCreated metric). */
export type CreatePositionApi = PositionsApi & CreatePositionDeps;

/** The status clock. */
export interface StatusClock extends ClockDeps {
  readonly logger: Logger;
}

export type PositionsRoot = CreatePositionApi & StatusClock;

let built: { platform: Platform; root: PositionsRoot } | undefined;

export function positionsRoot(env: NodeJS.ProcessEnv = process.env): PositionsRoot {
  const p = platform(env);
  if (built?.platform === p) return built.root;
  const root: PositionsRoot = {
    logger: p.telemetry.logger,
    authenticate: p.authenticate,
    positions: p.positions,
    organizations: p.organizations,
    clock: p.clock,
    newId: p.newId,
    onCreated: () => p.telemetry.count('PositionCreated'),
  };
  built = { platform: p, root };
  return root;
}
