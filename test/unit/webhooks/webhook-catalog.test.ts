import { describe, expect, it } from 'vitest';
import { catalog, envNameFor, subscribersOf } from '../../../infra/catalog';
import { validateCatalogForAws } from '../../../infra/aws/validate-catalog';
import { WEBHOOK_EVENT_TYPES } from '../../../events/webhook-delivery';
import { webhooksConfigSchema } from '../../../shared/composition/webhooks';
import { registerWebhookSchema } from '../../../shared/http/webhook-schemas';

describe('webhooks in the catalog', () => {
  it('the fan-out queue receives exactly the event types a subscriber may choose', () => {
    const fanout = catalog.queues.find((q) => q.id === 'webhook-fanout');
    expect([...(fanout?.subscribesTo ?? [])].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of WEBHOOK_EVENT_TYPES) expect(subscribersOf(type).map((q) => q.id)).toContain('webhook-fanout');
    expect(registerWebhookSchema.safeParse({ url: 'https://x.example.it', eventTypes: ['payment.received', 'payment.received'] }).success).toBe(false);
  });

  it('the delivery queue outlives the whole retry schedule and its visibility covers the deliverer', () => {
    const delivery = catalog.queues.find((q) => q.id === 'webhook-delivery')!;
    const deliverer = catalog.functions.find((f) => f.id === 'webhook-deliverer')!;
    expect(delivery.maxReceiveCount).toBe(8);
    // default backoff (60 s doubling, cap 3600 s): at most 7380 s of waiting between 8 tries
    expect(delivery.retentionDays * 86_400).toBeGreaterThan(7380 + delivery.maxReceiveCount * delivery.visibilityTimeoutSeconds);
    expect(deliverer.triggers).toEqual([expect.objectContaining({ kind: 'queue', queue: 'webhook-delivery' })]);
    expect(() => validateCatalogForAws(catalog)).not.toThrow();
  });

  it("the family's settings name the queue URLs the catalog's grants set", () => {
    const settings = Object.keys(webhooksConfigSchema.shape);
    for (const queue of ['webhook-fanout', 'webhook-delivery']) expect(settings).toContain(envNameFor('queue', queue));
  });
});
