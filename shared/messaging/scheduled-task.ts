/**
 * The edge of a scheduled function (EventBridge rule → Lambda): instrumented like every handler
 * (Lambda context on its log lines, metrics flushed), the run gets the invocation's request id
 * (used as the actor of what it changes) and its summary is the function's result.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { instrument } from '../observability/lambda';

export function scheduledTask<R>(run: (requestId: string) => Promise<R>) {
  return instrument(async (_event: ScheduledEvent, context: Context): Promise<R> => run(context.awsRequestId));
}
