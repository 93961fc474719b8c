/**
 * The local EventBridge schedule: fires every `localEverySeconds` (locally nobody waits for a
 * cron) with the event EventBridge sends a scheduled Lambda target.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './lambda-runtime';

export function scheduledEvent(ruleName: string, region: string, now = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

export class ScheduleWorker {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      functionId: string;
      ruleName: string;
      everySeconds: number;
      region: string;
      invoke: (functionId: string, event: unknown) => Promise<unknown>;
      log: (line: string) => void;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    const { functionId, ruleName, region, everySeconds, invoke, log } = this.options;
    this.timer = setInterval(() => {
      if (this.current) return; // the previous run is still going: skip, do not pile up
      this.current = invoke(functionId, scheduledEvent(ruleName, region))
        .catch((err: unknown) => log(`ERROR scheduled ${functionId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`))
        .finally(() => {
          this.current = undefined;
        });
    }, Math.max(1, everySeconds) * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }
}
