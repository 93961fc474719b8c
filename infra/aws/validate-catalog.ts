/**
 * Checks of the catalog that only matter on AWS, run at synth so a bad catalog never deploys.
 */
import type { Catalog } from '../catalog';

/** AWS guidance: a queue's visibility timeout ≥ 6 × the timeout of the function consuming it */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function validateCatalogForAws(catalog: Catalog): void {
  const problems: string[] = [];
  const queues = new Map(catalog.queues.map((q) => [q.id, q]));
  const buckets = new Set(catalog.buckets.map((b) => b.id));
  const ids = new Set<string>();
  for (const b of catalog.buckets) {
    if (b.objectCreated && !queues.has(b.objectCreated.queue)) problems.push(`bucket '${b.id}': objectCreated goes to unknown queue '${b.objectCreated.queue}'`);
  }
  for (const q of catalog.queues) {
    if (q.maxMessageAgeSeconds !== undefined) {
      const retention = q.retentionDays * 86_400;
      if (!Number.isInteger(q.maxMessageAgeSeconds) || q.maxMessageAgeSeconds < 60 || q.maxMessageAgeSeconds >= retention) {
        problems.push(
          `queue '${q.id}': maxMessageAgeSeconds must be an integer from 60 s to below its retention (${retention} s), got ${q.maxMessageAgeSeconds}`,
        );
      }
    }
  }
  for (const fn of catalog.functions) {
    if (ids.has(fn.id)) problems.push(`function id '${fn.id}' appears twice`);
    ids.add(fn.id);
    for (const t of fn.triggers) {
      if (t.kind === 'queue') {
        const q = queues.get(t.queue);
        if (!q) {
          problems.push(`function '${fn.id}' is triggered by unknown queue '${t.queue}'`);
        } else if (q.visibilityTimeoutSeconds < VISIBILITY_TIMEOUT_FACTOR * fn.timeoutSeconds) {
          problems.push(
            `queue '${q.id}' has visibilityTimeoutSeconds ${q.visibilityTimeoutSeconds}, but its consumer '${fn.id}' has timeoutSeconds ${fn.timeoutSeconds}: ` +
              `the visibility timeout must be at least ${VISIBILITY_TIMEOUT_FACTOR} × ${fn.timeoutSeconds} = ${VISIBILITY_TIMEOUT_FACTOR * fn.timeoutSeconds} s`,
          );
        }
        if (t.maxConcurrency !== undefined && (t.maxConcurrency < 2 || t.maxConcurrency > 1000)) {
          problems.push(`function '${fn.id}': maxConcurrency must be 2..1000, got ${t.maxConcurrency}`);
        }
      }
      if (t.kind === 'http' && !t.authenticated && !t.unauthenticatedReason?.trim()) {
        problems.push(
          `function '${fn.id}': route ${t.method} ${t.path} is not authenticated and gives no unauthenticatedReason (what protects it instead)`,
        );
      }
      if (t.kind === 'stream' && t.table !== catalog.table.id) {
        problems.push(`function '${fn.id}' is triggered by the stream of unknown table '${t.table}'`);
      }
      if (t.kind === 'stream' && t.maxIteratorAgeSeconds !== undefined && !(t.maxIteratorAgeSeconds >= 60 && t.maxIteratorAgeSeconds < 86_400)) {
        problems.push(`function '${fn.id}': maxIteratorAgeSeconds must be from 60 s to below the stream's 24 h, got ${t.maxIteratorAgeSeconds}`);
      }
    }
    for (const g of fn.grants) {
      if (g.resource === 'queue' && !queues.has(g.id)) problems.push(`function '${fn.id}' is granted unknown queue '${g.id}'`);
      if (g.resource === 'bucket' && !buckets.has(g.id)) problems.push(`function '${fn.id}' is granted unknown bucket '${g.id}'`);
      // ends in '/': 'app/io/' cannot also match 'app/io-admin/...'; Secrets Manager name characters only
      if (g.resource === 'secret' && !/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*\/$/.test(g.prefix)) {
        problems.push(`function '${fn.id}': secret prefix '${g.prefix}' must be a path of secret-name characters ending in '/'`);
      }
    }
    if (fn.throttle) {
      const { rateLimit, burstLimit } = fn.throttle;
      if (!fn.triggers.some((t) => t.kind === 'http' && (t.audience ?? 'back-office') === 'back-office')) {
        problems.push(`function '${fn.id}': throttle applies to back-office routes, and it has none`);
      }
      if (!(Number.isInteger(rateLimit) && rateLimit > 0 && Number.isInteger(burstLimit) && burstLimit >= rateLimit && burstLimit <= 5000)) {
        problems.push(`function '${fn.id}': throttle needs integers 0 < rateLimit ≤ burstLimit ≤ 5000, got ${rateLimit}/${burstLimit}`);
      }
    }
    if (fn.errorRateAlarm) {
      const { thresholdPercent, minInvocations } = fn.errorRateAlarm;
      if (!(thresholdPercent > 0 && thresholdPercent <= 100) || !(Number.isInteger(minInvocations) && minInvocations >= 1)) {
        problems.push(`function '${fn.id}': errorRateAlarm needs 0 < thresholdPercent ≤ 100 and an integer minInvocations ≥ 1`);
      }
    }
    for (const a of fn.alarms ?? []) {
      if (catalog.metricsNamespace === undefined || a.namespace !== catalog.metricsNamespace) {
        problems.push(
          `function '${fn.id}': alarm on ${a.metric} watches namespace '${a.namespace}', but the functions write metrics to '${catalog.metricsNamespace ?? '(no metricsNamespace)'}'`,
        );
      }
      if (!(a.threshold > 0)) problems.push(`function '${fn.id}': alarm on ${a.metric} needs a threshold > 0`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`the catalog cannot be deployed to AWS:\n  - ${problems.join('\n  - ')}`);
  }
}
