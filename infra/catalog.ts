/**
 * The one description of how the layer runs: its table, queues, buckets, functions, their
 * triggers and their grants. Read by the CDK stacks (infra/aws) and by the local cloud
 * (infra/local), so that what runs on one machine is what runs on AWS.
 *
 * Environment variables a function sees are derived from its grants, the same way on both:
 *   table:<id>   → TABLE_NAME_<ID>     (e.g. TABLE_NAME_MAIN)
 *   queue:<id>   → QUEUE_URL_<ID>      (e.g. QUEUE_URL_NOTICE_RENDER)
 *   bucket:<id>  → BUCKET_NAME_<ID>    (e.g. BUCKET_NAME_NOTICES)
 *   secret:<id>  → <ID>_SECRET_PREFIX  (e.g. IO_SECRET_PREFIX; AWS only, locally keys come from the seed)
 *   email        → EMAIL_TRANSPORT     ('ses' | 'none' on AWS; unset locally, where e-mail goes to a file outbox)
 * where <ID> is the id upper-cased with '-' turned into '_' (see `envNameFor`).
 */

export type TableId = 'main';
export type QueueId = string;
export type BucketId = string;

export interface GlobalIndexDef {
  /** index name, also the prefix of its key attributes: `<name>pk` / `<name>sk` */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDef {
  readonly id: TableId;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalIndexes: readonly GlobalIndexDef[];
  /** attribute holding an epoch-seconds expiry (DynamoDB TTL) */
  readonly ttlAttribute: string;
  /** the table's stream carries domain events (outbox items) to the dispatcher */
  readonly stream: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE';
}

export interface QueueDef {
  readonly id: QueueId;
  /** must be ≥ 6 × the consuming function's timeout (AWS guidance for Lambda event sources) */
  readonly visibilityTimeoutSeconds: number;
  /** receives before a message is parked in the queue's dead-letter queue `<id>-dlq` */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  /**
   * Domain event types (events/) the event dispatcher copies into this queue, e.g.
   * ['debt-position.published']. The dispatcher gets a send grant on every such queue.
   */
  readonly subscribesTo?: readonly string[];
  /**
   * AWS only: alarm when the oldest message has waited longer than this (ApproximateAgeOfOldestMessage).
   * Default: visibilityTimeoutSeconds × maxReceiveCount (how long a failing message can retry
   * before its DLQ), at least 900 s. Set it higher where the consumer backs off on its own
   * (ChangeMessageVisibility), so that the alarm means "not consumed", not "one message retrying".
   */
  readonly maxMessageAgeSeconds?: number;
}

export interface BucketDef {
  readonly id: BucketId;
  /** objects older than this many days are deleted (e.g. rendered notices can be re-rendered) */
  readonly expireAfterDays?: number;
  /** objects under a prefix deleted after that many days (the rest of the bucket kept) */
  readonly expirePrefixes?: ReadonlyArray<{ readonly prefix: string; readonly days: number }>;
  /**
   * S3 "Object Created" events of the keys under `prefix` go to this queue (AWS: the bucket's
   * EventBridge notifications and a rule; locally: the S3 emulator's hook, infra/local/fauxqs.ts).
   */
  readonly objectCreated?: { readonly prefix: string; readonly queue: QueueId };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who calls an http route. On AWS, 'pagopa-node' routes live on their own HTTP API, reachable only
 * through the mutual-TLS custom domain when one is configured. Locally ignored: one port serves all.
 */
export type HttpAudience = 'back-office' | 'pagopa-node';

export type TriggerDef =
  | {
      readonly kind: 'http';
      readonly method: HttpMethod;
      /** API Gateway HTTP API route syntax: /organizations/{organizationFiscalCode}/debtpositions */
      readonly path: string;
      /** false only for routes that check no tenant API key (health, OpenAPI, signed webhook, node) */
      readonly authenticated: boolean;
      /** default 'back-office' */
      readonly audience?: HttpAudience;
      /**
       * Required when authenticated is false: why the route has no API key and what protects it
       * instead. It is the route's cdk-nag AwsSolutions-APIG4 acknowledgement, so it must be true.
       */
      readonly unauthenticatedReason?: string;
    }
  | {
      readonly kind: 'queue';
      readonly queue: QueueId;
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
      /** Lambda's SQS maximumConcurrency (2..1000); bounds what hits downstream services */
      readonly maxConcurrency?: number;
    }
  | {
      readonly kind: 'stream';
      readonly table: TableId;
      readonly batchSize: number;
      /** only records whose NEW image has this `type` attribute value reach the function */
      readonly itemType?: string;
      /** AWS only: alarm when the consumer's IteratorAge exceeds this; default 600 s */
      readonly maxIteratorAgeSeconds?: number;
    }
  | {
      readonly kind: 'schedule';
      /** EventBridge rate/cron expression, e.g. 'rate(15 minutes)' or 'cron(0 7 * * ? *)' */
      readonly expression: string;
      /** how often the local runner fires it; locally nobody waits a day */
      readonly localEverySeconds: number;
    };

/** Grants on the catalog's own resources (the local cloud creates them too). */
export type ResourceGrantDef =
  | { readonly resource: 'table'; readonly id: TableId; readonly access: 'read' | 'readWrite' }
  /** redrive: read and delete the messages of its dead-letter queue `<id>-dlq`, and send them back to the queue */
  | { readonly resource: 'queue'; readonly id: QueueId; readonly access: 'send' | 'consume' | 'redrive' }
  | {
      readonly resource: 'bucket';
      readonly id: BucketId;
      readonly access: 'read' | 'write' | 'readWrite';
      /** the object keys it may read/write, an IAM key pattern (e.g. 'results/*'); default every object of the bucket */
      readonly keys?: string;
    };

/** Grants on AWS services outside the catalog; locally there is nothing to grant. */
export type ServiceGrantDef =
  /**
   * secretsmanager:GetSecretValue on the secrets whose name starts with `prefix` (must end in '/');
   * the function reads the prefix from `<ID>_SECRET_PREFIX`.
   */
  | { readonly resource: 'secret'; readonly id: string; readonly prefix: string }
  /** SES sending from the identity given at deploy time (CDK context `sesIdentity`); see EMAIL_TRANSPORT */
  | { readonly resource: 'email'; readonly id?: undefined };

export type GrantDef = ResourceGrantDef | ServiceGrantDef;

/**
 * A CloudWatch alarm on a custom metric the function emits (Powertools EMF): Sum over 5 minutes
 * ≥ threshold, dimension service = the function's POWERTOOLS_SERVICE_NAME, to the alarm topic.
 */
export interface MetricAlarmDef {
  readonly metric: string;
  /** must be the catalog's metricsNamespace (what Powertools Metrics writes to) */
  readonly namespace: string;
  readonly threshold: number;
  /** what happened and what to do; it is the alarm description the on-call reads */
  readonly description: string;
}

export interface FunctionDef {
  /** kebab-case; also the folder under functions/ */
  readonly id: string;
  readonly description: string;
  /** path from the repo root to the module exporting `handler` */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly triggers: readonly TriggerDef[];
  readonly grants: readonly GrantDef[];
  /** plain settings; secrets never go here */
  readonly environment?: Readonly<Record<string, string>>;
  readonly alarms?: readonly MetricAlarmDef[];
  /**
   * AWS only: API Gateway throttling of this function's back-office routes (requests/s, burst),
   * capped at the stage's. Default by route: public routes 1/5 of the stage rate, writes 1/2,
   * reads the stage rate.
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * AWS only: the error-rate alarm (Errors / Invocations over 15 minutes, only once there were
   * minInvocations). Default 5 % of ≥ 10 invocations; scheduled functions 1 % of ≥ 1 (any failed run).
   */
  readonly errorRateAlarm?: { readonly thresholdPercent: number; readonly minInvocations: number };
}

export interface Catalog {
  readonly service: string;
  /** CloudWatch namespace of custom metrics (POWERTOOLS_METRICS_NAMESPACE of every function) */
  readonly metricsNamespace?: string;
  readonly table: TableDef;
  readonly queues: readonly QueueDef[];
  readonly buckets: readonly BucketDef[];
  readonly functions: readonly FunctionDef[];
}

/** The environment variables a grant sets: its resource's, and for a redrive grant the DLQ's URL too. */
export function envNamesOf(grant: GrantDef): string[] {
  const name = envNameFor(grant.resource, 'id' in grant ? grant.id : undefined);
  return grant.resource === 'queue' && grant.access === 'redrive' ? [name, envNameFor('queue', `${grant.id}-dlq`)] : [name];
}

export function envNameFor(resource: GrantDef['resource'], id?: string): string {
  const suffix = (id ?? '').toUpperCase().replace(/-/g, '_');
  switch (resource) {
    case 'table':
      return `TABLE_NAME_${suffix}`;
    case 'queue':
      return `QUEUE_URL_${suffix}`;
    case 'bucket':
      return `BUCKET_NAME_${suffix}`;
    case 'secret':
      return `${suffix}_SECRET_PREFIX`;
    case 'email':
      return 'EMAIL_TRANSPORT';
  }
}

export function isResourceGrant(grant: GrantDef): grant is ResourceGrantDef {
  return grant.resource === 'table' || grant.resource === 'queue' || grant.resource === 'bucket';
}

const ORG = '/organizations/{organizationFiscalCode}';

/** Read and write grants on the main table, the only table. */
const tableRead: GrantDef = { resource: 'table', id: 'main', access: 'read' };
const tableReadWrite: GrantDef = { resource: 'table', id: 'main', access: 'readWrite' };

function api(
  id: string,
  method: HttpMethod,
  path: string,
  description: string,
  grants: readonly GrantDef[],
  options: {
    authenticated?: boolean;
    unauthenticatedReason?: string;
    audience?: HttpAudience;
    memoryMb?: number;
    timeoutSeconds?: number;
  } = {},
): FunctionDef {
  return {
    id,
    description,
    entry: `functions/${id}/handler.ts`,
    memoryMb: options.memoryMb ?? 512,
    timeoutSeconds: options.timeoutSeconds ?? 10,
    triggers: [
      {
        kind: 'http',
        method,
        path,
        authenticated: options.authenticated ?? true,
        ...(options.audience ? { audience: options.audience } : {}),
        ...(options.unauthenticatedReason ? { unauthenticatedReason: options.unauthenticatedReason } : {}),
      },
    ],
    grants,
  };
}

/** GPD's base paths (openapi_external_v1.json / _v2.json `servers`, without the host). */
export const GPD_BASE_V1 = '/gpd/debt-positions-service/v1';
export const GPD_BASE_V2 = '/gpd/debt-positions-service/v2';

/** The functions, their http routes served also under each base path (the root stays). */
function underGpd(bases: readonly string[], functions: readonly FunctionDef[]): FunctionDef[] {
  return functions.map((fn) => {
    const routes = fn.triggers.filter((t) => t.kind === 'http');
    return { ...fn, triggers: [...fn.triggers, ...bases.flatMap((base) => routes.map((t) => ({ ...t, path: `${base}${t.path}` })))] };
  });
}

const underGpdV1 = (...functions: FunctionDef[]): FunctionDef[] => underGpd([GPD_BASE_V1], functions);

/** GPD massive upload's base paths (pagopa/pagopa-gpd-upload openapi/gpd-openapi-v1.json / -v2.json `servers`). */
export const UPLOAD_BASE_V1 = '/upload/gpd/debt-positions-service/v1';
export const UPLOAD_BASE_V2 = '/upload/gpd/debt-positions-service/v2';
const UPLOAD_FILES = '/brokers/{brokerCode}/organizations/{organizationFiscalCode}/debtpositions';
const underUpload = (...functions: FunctionDef[]): FunctionDef[] => underGpd([UPLOAD_BASE_V1, UPLOAD_BASE_V2], functions);

/**
 * The event dispatcher reads outbox items from the table's stream and copies each domain event
 * to the queues subscribed to its type; its grants follow the subscriptions.
 */
function eventDispatcher(queues: readonly QueueDef[]): FunctionDef {
  return {
    id: 'event-dispatcher',
    description: 'Fans domain events out from the table stream (outbox) to the subscribed queues',
    entry: 'functions/event-dispatcher/handler.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    triggers: [{ kind: 'stream', table: 'main', batchSize: 100, itemType: 'event' }],
    grants: queues
      .filter((q) => (q.subscribesTo ?? []).length > 0)
      .map((q): GrantDef => ({ resource: 'queue', id: q.id, access: 'send' })),
  };
}

const queues: readonly QueueDef[] = [
  // receipts taken in from the node (paSendRT/V2) and the JSON webhook, applied by the processor;
  // 14 days: once the node was answered OK it never sends the receipt again
  { id: 'receipts', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 14 },
  // outgoing webhooks: the events back offices may subscribe to (events/webhook-delivery.ts), one
  // message per subscriber on webhook-delivery; its maxReceiveCount IS the number of delivery tries
  // (the deliverer reads it from here and retries the same message with ChangeMessageVisibility)
  {
    id: 'webhook-fanout',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    retentionDays: 4,
    subscribesTo: [
      'payment.received',
      'debt-position.created',
      'debt-position.updated',
      'debt-position.published',
      'debt-position.invalidated',
      'debt-position.deleted',
      'debt-position.expired',
      // reconciliation (events/reporting-flow.ts)
      'payment.reported',
      'reportingflow.reconciled',
      'reconciliation.anomaly',
      // bulk uploads (events/upload.ts): one per upload, when it ends
      'upload.completed',
    ],
  },
  // the deliverer backs off up to 3600 s between its 8 tries (~2 h in all): older than 3 h means not consumed
  { id: 'webhook-delivery', visibilityTimeoutSeconds: 180, maxReceiveCount: 8, retentionDays: 4, maxMessageAgeSeconds: 3 * 3600 },
  // notices (avvisi) rendered into the notices bucket when a position becomes payable or changes,
  // removed when it stops being payable (a payment may leave it PARTIALLY_PAID, or PAID)
  {
    id: 'notice-render',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    retentionDays: 4,
    subscribesTo: [
      'debt-position.published',
      'debt-position.updated',
      'debt-position.invalidated',
      'debt-position.deleted',
      'payment.received',
    ],
  },
  // bulk notice batches: one message = one chunk of ≤ 50 positions; the worker reads
  // maxReceiveCount from here to record a chunk as failed on its last try
  { id: 'notice-batch', visibilityTimeoutSeconds: 720, maxReceiveCount: 3, retentionDays: 4 },
  // App IO messages: the domain events that tell a citizen something, and the daily reminder
  // requests; one io-sender attempt ≤ 60 s, so visibility 6 × 60; 20 receives leave room for
  // 429 backoffs (each retry is a receive) before the DLQ
  {
    id: 'io-messages',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 20,
    retentionDays: 4,
    // io-sender backs off up to 900 s between its 20 tries (~3.4 h in all)
    maxMessageAgeSeconds: 4 * 3600,
    subscribesTo: ['debt-position.published', 'debt-position.invalidated', 'payment.received'],
  },
  // ---- bulk uploads (GPD massive upload, shared/use-cases/bulk-upload): a stored file to split
  // (the splitter may stream a 100,000-row file for minutes: 6 × its 900 s), and its chunks
  { id: 'upload-split', visibilityTimeoutSeconds: 5400, maxReceiveCount: 3, retentionDays: 4 },
  { id: 'upload-chunks', visibilityTimeoutSeconds: 720, maxReceiveCount: 5, retentionDays: 4 },
  // ---- reconciliation: acquisition requests (per tenant, from the schedule, the sync route and the
  // admin CLI) and payment.received (flow lines waiting for their receipt); the acquirer runs ≤ 300 s;
  // it backs off up to 3600 s between its 8 tries when FdR is down ----
  {
    id: 'reporting-flows',
    visibilityTimeoutSeconds: 1800,
    maxReceiveCount: 8,
    retentionDays: 4,
    maxMessageAgeSeconds: 6 * 3600,
    subscribesTo: ['payment.received'],
  },
];

export const catalog: Catalog = {
  service: 'pagopa-layer',
  // the receipt processor counts ReceiptAnomaly here (platform().telemetry, shared/composition/receipts.ts; checked by test/infra)
  metricsNamespace: 'PagopaLayer',
  table: {
    id: 'main',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      // generic, by the key values items give it: the lists' entries of a whole tenant, one per
      // ordering (shared/adapters/dynamo/position-listing.ts); positions to reconcile
      // (ORG#<ofc>#UNLISTED); tenants; receipts and anomalies by time; webhook deliveries
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // the lists' entries of one status, per ordering; positions by status, then first due date
      // (the status clock, reminders, notice batches)
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      // a tenant's positions by debtor fiscal code, and (sparse, other partitions) the receipts of a
      // position: the citizen's dossier (shared/adapters/dynamo/position-receipts.ts)
      { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    ],
    ttlAttribute: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
  },
  queues,
  buckets: [
    // rendered notices (notices/<ofc>/<iupd>/v<version>.pdf) and the organizations' logos; no
    // expiry rule: it would take the logos too (stale notice versions are deleted by the renderer).
    // A batch's ZIP archives (archives/<ofc>/<batchId>/part-<n>.zip) expire with the batch (30 days)
    { id: 'notices', expirePrefixes: [{ prefix: 'archives/', days: 30 }] },
    // bulk upload files as received (uploads/<ofc>/<fileId>/file.zip|csv), kept for the report's support
    // presigned uploads (uploads/<ofc>/<fileId>) are processed when S3 reports the object stored
    { id: 'uploads', expireAfterDays: 30, objectCreated: { prefix: 'uploads/', queue: 'upload-split' } },
  ],
  functions: [
    eventDispatcher(queues),
    api('health', 'GET', '/health', 'Liveness probe', [], {
      authenticated: false,
      unauthenticatedReason: 'Liveness probe, public on purpose: it answers a constant and reads no tenant data.',
      memoryMb: 256,
    }),
    api('openapi', 'GET', '/openapi.json', 'The OpenAPI 3.1 document of the back-office API', [], {
      authenticated: false,
      unauthenticatedReason: 'The OpenAPI document of the API, public on purpose: a static description with no tenant data.',
      memoryMb: 256,
    }),
    // the browsable reference of /openapi.json: the page, and the Redoc script it runs (served here: no CDN)
    (() => {
      const docs = api('api-docs', 'GET', '/docs', 'The browsable API reference (Redoc) of the OpenAPI document', [], {
        authenticated: false,
        unauthenticatedReason: 'The API reference page, public on purpose: the static OpenAPI document rendered by Redoc, with no tenant data.',
        memoryMb: 256,
      });
      const [page] = docs.triggers;
      return { ...docs, triggers: [page!, { ...page!, path: '/docs/redoc.standalone.js' } as TriggerDef] };
    })(),
    // ---- debt positions (GPD v1 at the root and under GPD's base paths: a client configured
    // with GPD's base URL needs only the host changed; v2 is the bulk API, under its own base) ----
    ...underGpdV1(
      api('create-debt-position', 'POST', `${ORG}/debtpositions`, 'Create a debt position (GPD)', [tableReadWrite]),
      api('list-debt-positions', 'GET', `${ORG}/debtpositions`, 'List debt positions (GPD)', [tableRead]),
      api('get-debt-position', 'GET', `${ORG}/debtpositions/{iupd}`, 'Get a debt position (GPD)', [tableRead]),
      api('update-debt-position', 'PUT', `${ORG}/debtpositions/{iupd}`, 'Update a debt position (GPD)', [tableReadWrite]),
      api('delete-debt-position', 'DELETE', `${ORG}/debtpositions/{iupd}`, 'Delete a debt position (GPD)', [tableReadWrite]),
      api('publish-debt-position', 'POST', `${ORG}/debtpositions/{iupd}/publish`, 'Publish a debt position (GPD)', [tableReadWrite]),
      api('invalidate-debt-position', 'POST', `${ORG}/debtpositions/{iupd}/invalidate`, 'Invalidate a debt position (GPD)', [tableReadWrite]),
      api('get-payment-option', 'GET', `${ORG}/paymentoptions/{nav}`, 'A payment option and its position by notice number (GPD)', [tableRead]),
      // up to 1000 transfers per call, each touched position its own transaction (8 at a time)
      {
        ...api('replace-transfer-iban', 'PATCH', `${ORG}/debtpositions/transfers`, 'Replace an IBAN on the open transfers (GPD)', [tableReadWrite], {
          timeoutSeconds: 29,
        }),
        throttle: { rateLimit: 1, burstLimit: 2 },
      },
    ),
    // documented by GPD v1 and v2 both
    ...underGpd([GPD_BASE_V1, GPD_BASE_V2], [
      // any tenant's key (the function checks it; GPD's APIM asks a subscription key on /info too)
      api('gpd-info', 'GET', '/info', 'GPD healthCheck: name, version and environment', [tableRead], { memoryMb: 256 }),
      // a payment made outside pagoPA (like a receipt: position, paid guard, audit and event in one transaction)
      api('mark-payment-option-paid', 'POST', `${ORG}/paymentoptions/paids/{nav}`, 'Mark a payment option paid outside pagoPA (GPD)', [tableReadWrite]),
    ]),
    // GPD v2 bulk calls, all or nothing over several transactions (shared/use-cases/debt-positions/bulk.ts);
    // 29 s: an HTTP API integration answers within 30 s
    // (one call writes up to 200 transactions: throttled harder than single writes)
    {
      ...api('create-debt-positions-bulk', 'POST', `${GPD_BASE_V2}${ORG}/debtpositions`, 'Create up to 100 debt positions, all or none (GPD v2)', [tableReadWrite], {
        timeoutSeconds: 29,
        memoryMb: 1024,
      }),
      throttle: { rateLimit: 2, burstLimit: 5 },
    },
    {
      ...api('update-debt-positions-bulk', 'PUT', `${GPD_BASE_V2}${ORG}/debtpositions`, 'Update up to 100 debt positions, all or none (GPD v2)', [tableReadWrite], {
        timeoutSeconds: 29,
        memoryMb: 1024,
      }),
      throttle: { rateLimit: 2, burstLimit: 5 },
    },
    {
      ...api('delete-debt-positions-bulk', 'DELETE', `${GPD_BASE_V2}${ORG}/debtpositions`, 'Delete up to 20 debt positions, all or none (GPD v2)', [tableReadWrite], {
        timeoutSeconds: 29,
      }),
      throttle: { rateLimit: 5, burstLimit: 10 },
    },
    {
      id: 'repair-bulk-operations',
      description: 'Finishes v2 bulk calls a crash interrupted: rolled back before their decision, forward after it',
      entry: 'functions/repair-bulk-operations/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 300,
      triggers: [{ kind: 'schedule', expression: 'rate(5 minutes)', localEverySeconds: 60 }],
      grants: [tableReadWrite],
    },
    // ---- bulk uploads: GPD's massive upload API (pagopa/pagopa-gpd-upload), at the root and under its
    // base paths /upload/gpd/debt-positions-service/v1 and /v2 (shared/use-cases/bulk-upload) ----
    ...underUpload(
      {
        ...api('upload-debt-positions-file', 'POST', `${UPLOAD_FILES}/file`, 'Upload a file of debt positions to create, update or delete (GPD massive upload)', [
          tableReadWrite,
          { resource: 'bucket', id: 'uploads', access: 'write' },
          { resource: 'queue', id: 'upload-split', access: 'send' },
        ], { timeoutSeconds: 29, memoryMb: 1024 }),
        triggers: (['POST', 'PUT', 'DELETE'] as const).map((method): TriggerDef => ({ kind: 'http', method, path: `${UPLOAD_FILES}/file`, authenticated: true })),
        throttle: { rateLimit: 2, burstLimit: 5 },
      },
      api('upload-file-status', 'GET', `${UPLOAD_FILES}/file/{fileId}/status`, 'Status of an upload (GPD UploadStatusDTO)', [tableRead]),
      // a GovPay result CSV above 4 MiB (what fits a Lambda response) is written once under results/ and
      // answered as a presigned GET: read+write on those keys only, never on the uploaded files
      api('upload-file-report', 'GET', `${UPLOAD_FILES}/file/{fileId}/report`, 'Report of an upload (GPD UploadReportDTO, or GovPay result CSV)', [
        tableRead,
        { resource: 'bucket', id: 'uploads', access: 'readWrite', keys: 'results/*' },
      ], { memoryMb: 1024, timeoutSeconds: 29 }),
      api('upload-files-list', 'GET', `${UPLOAD_FILES}/files`, 'Uploads of the organization in a period (GPD FileIdListResponse)', [tableRead]),
      api('upload-file-cancel', 'DELETE', `${UPLOAD_FILES}/file/{fileId}`, 'Cancel an upload in progress', [tableReadWrite]),
    ).map((fn) =>
      // this layer's own route (GPD has none), at the root only: a presigned S3 upload of a large
      // file, processed when S3 reports it stored (the uploads bucket's objectCreated)
      fn.id === 'upload-debt-positions-file'
        ? { ...fn, triggers: [...fn.triggers, { kind: 'http', method: 'POST', path: `${UPLOAD_FILES}/file/uploads`, authenticated: true } satisfies TriggerDef] }
        : fn,
    ),
    {
      id: 'upload-splitter',
      description: 'Streams a stored upload twice: refuses a broken file whole, or checks every row and queues the valid ones in chunks',
      entry: 'functions/upload-splitter/handler.ts',
      memoryMb: 1024,
      timeoutSeconds: 900,
      triggers: [{ kind: 'queue', queue: 'upload-split', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 2 }],
      grants: [
        tableReadWrite,
        { resource: 'bucket', id: 'uploads', access: 'read' },
        { resource: 'queue', id: 'upload-split', access: 'consume' },
        { resource: 'queue', id: 'upload-chunks', access: 'send' },
        // the notice batch of an upload it completes (an upload of refused rows only, or cancelled chunks)
        { resource: 'queue', id: 'notice-batch', access: 'send' },
      ],
    },
    {
      id: 'upload-chunk-worker',
      description: 'Applies one chunk of an upload once: one notice-number allocation, batched transactions, outcomes and counters recorded',
      entry: 'functions/upload-chunk-worker/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 120,
      triggers: [{ kind: 'queue', queue: 'upload-chunks', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 4 }],
      grants: [tableReadWrite, { resource: 'queue', id: 'upload-chunks', access: 'consume' }, { resource: 'queue', id: 'notice-batch', access: 'send' }],
    },
    {
      id: 'upload-follow-up',
      description: 'Every minute: ends presigned uploads whose file never arrived; releases the App IO messages of uploaded positions at a paced rate from ioSendAt',
      entry: 'functions/upload-follow-up/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 120,
      // the release fills each tenant's timeline UPLOAD_IO_HORIZON_SECONDS (120 s) ahead: any period below it keeps the same pace
      triggers: [{ kind: 'schedule', expression: 'rate(1 minute)', localEverySeconds: 5 }],
      // the upload records, their outcomes and the outbox (upload.completed of an expired upload); the io.upload-notice requests
      grants: [tableReadWrite, { resource: 'queue', id: 'io-messages', access: 'send' }],
    },
    // ---- pagoPA creditor station and receipts ----
    api('pagopa-node-station', 'POST', '/pagopa/paForNode', 'pagoPA node to creditor station (SOAP paForNode: verify, get payment, send receipt, demand a spontaneous payment notice)', [
      // readWrite: paDemandPaymentNotice creates the position (IUV counter, position, outbox event)
      tableReadWrite,
      { resource: 'queue', id: 'receipts', access: 'send' },
    ], {
      authenticated: false,
      audience: 'pagopa-node',
      unauthenticatedReason:
        // the network control (mutual TLS, or what a stage without it has) is added by infra/aws
        'SOAP interface of the pagoPA node, which holds no tenant API key; the function checks the caller ids (idPA/idBrokerPA/idStation) of every request against the tenant (identifiers, not secrets).',
    }),
    api('receipt-webhook', 'POST', '/receipts', 'Signed JSON receipt webhook (HMAC-SHA256, X-Receipt-Signature)', [
      tableRead,
      { resource: 'queue', id: 'receipts', access: 'send' },
    ], {
      authenticated: false,
      unauthenticatedReason:
        'Receipt webhook authenticated by its body: the function verifies the HMAC-SHA256 X-Receipt-Signature with the tenant secret (constant-time) before anything is enqueued; unsigned or badly signed calls are refused.',
    }),
    {
      id: 'receipt-processor',
      description: 'Applies receipts exactly once: option paid, position PAID/PARTIALLY_PAID, audit and payment.received in one transaction',
      entry: 'functions/receipt-processor/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 30,
      triggers: [{ kind: 'queue', queue: 'receipts', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 5 }],
      grants: [tableReadWrite, { resource: 'queue', id: 'receipts', access: 'consume' }],
      alarms: [
        {
          metric: 'ReceiptAnomaly',
          namespace: 'PagopaLayer',
          threshold: 1,
          description:
            'A receipt could not be applied to its position, but the citizen has ALREADY PAID: the money has moved. Look at GET /organizations/{ofc}/receipts/anomalies and reconcile the position by hand (refund or manual booking).',
        },
      ],
    },
    api('list-receipts', 'GET', `${ORG}/receipts`, 'Receipts recorded in a time window (cursor pagination)', [tableRead]),
    api('list-receipt-anomalies', 'GET', `${ORG}/receipts/anomalies`, 'Receipts that moved money but could not be applied', [tableRead]),
    api('get-receipts-of-notice', 'GET', `${ORG}/receipts/{iuv}`, 'The receipts of one notice (IUV)', [tableRead]),
    // ---- outgoing webhooks (back offices told what was paid) ----
    api('create-webhook-subscriber', 'POST', `${ORG}/webhooks`, 'Register a webhook subscriber (the signing secret is shown once)', [
      tableReadWrite,
    ]),
    api('list-webhook-subscribers', 'GET', `${ORG}/webhooks`, 'List webhook subscribers (no secrets)', [tableRead]),
    api('delete-webhook-subscriber', 'DELETE', `${ORG}/webhooks/{webhookId}`, 'Remove a webhook subscriber', [tableReadWrite]),
    api('list-webhook-deliveries', 'GET', `${ORG}/webhooks/{webhookId}/deliveries`, 'Deliveries to a webhook subscriber, newest first', [
      tableRead,
    ]),
    {
      id: 'webhook-fanout',
      description: 'One webhook delivery message per active subscriber of a domain event',
      entry: 'functions/webhook-fanout/handler.ts',
      memoryMb: 256,
      timeoutSeconds: 30,
      triggers: [{ kind: 'queue', queue: 'webhook-fanout', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 2 }],
      grants: [
        tableRead,
        { resource: 'queue', id: 'webhook-fanout', access: 'consume' },
        { resource: 'queue', id: 'webhook-delivery', access: 'send' },
      ],
    },
    {
      id: 'webhook-deliverer',
      description: 'POSTs signed webhooks; retries with exponential backoff and full jitter, then parks in the DLQ',
      entry: 'functions/webhook-deliverer/handler.ts',
      memoryMb: 256,
      // a batch of 10 POSTs runs concurrently, each ≤ 5 s
      timeoutSeconds: 30,
      triggers: [{ kind: 'queue', queue: 'webhook-delivery', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 }],
      grants: [tableReadWrite, { resource: 'queue', id: 'webhook-delivery', access: 'consume' }],
    },
    // ---- payment notices (avvisi di pagamento) ----
    {
      ...api(
        'get-debt-position-notice',
        'GET',
        `${ORG}/debtpositions/{iupd}/notice`,
        'The payment notice (PDF) of a payable debt position',
        [tableRead, { resource: 'bucket', id: 'notices', access: 'readWrite' }],
        { memoryMb: 1024 },
      ),
      // renders a PDF (1 GB function) when not rendered yet: bulk goes through notices/batches
      throttle: { rateLimit: 10, burstLimit: 20 },
    },
    {
      id: 'notice-renderer',
      description: 'Renders the notice of a position that became payable or changed; removes it when no longer payable',
      entry: 'functions/notice-renderer/handler.ts',
      memoryMb: 1024,
      timeoutSeconds: 30,
      triggers: [{ kind: 'queue', queue: 'notice-render', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 5 }],
      grants: [tableRead, { resource: 'bucket', id: 'notices', access: 'readWrite' }, { resource: 'queue', id: 'notice-render', access: 'consume' }],
    },
    {
      ...api('create-notice-batch', 'POST', `${ORG}/notices/batches`, 'Render the notices of many positions (up to 5000) asynchronously', [
        tableReadWrite,
        { resource: 'queue', id: 'notice-batch', access: 'send' },
      ]),
      // one call starts up to 5000 renders
      throttle: { rateLimit: 2, burstLimit: 5 },
    },
    // a batch's progress, and a finished batch's notices as ZIP archives of 5,000 (shared/http/notice-batch-edge.ts
    // dispatches on the route): reads the rendered notices, writes an archive once under archives/ (expired after
    // 30 days) and answers a presigned GET of it. One function for both: the stateless stack is near
    // CloudFormation's 500 resources, and a function costs six (role, policy, log group, integration, permission)
    (() => {
      const reads = api(
        'get-notice-batch',
        'GET',
        `${ORG}/notices/batches/{batchId}`,
        "Progress and results of a notice batch; a finished batch's notices as ZIP archives of up to 5000",
        [tableRead, { resource: 'bucket', id: 'notices', access: 'read', keys: 'notices/*' }, { resource: 'bucket', id: 'notices', access: 'readWrite', keys: 'archives/*' }],
        { memoryMb: 1024, timeoutSeconds: 29 },
      );
      const [progress] = reads.triggers;
      return { ...reads, triggers: [progress!, { ...(progress as TriggerDef & { kind: 'http' }), path: `${ORG}/notices/batches/{batchId}/archive` }] };
    })(),
    {
      id: 'notice-batch-worker',
      description: 'Renders one chunk (up to 50 positions) of a notice batch into the bucket and records its progress',
      entry: 'functions/notice-batch-worker/handler.ts',
      memoryMb: 1024,
      timeoutSeconds: 120,
      triggers: [{ kind: 'queue', queue: 'notice-batch', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 4 }],
      grants: [tableReadWrite, { resource: 'bucket', id: 'notices', access: 'readWrite' }, { resource: 'queue', id: 'notice-batch', access: 'consume' }],
    },
    // ---- App IO messages to citizens (and the e-mail fallback) ----
    {
      id: 'io-sender',
      description: 'Sends App IO messages (new notice, payment received, cancellation, reminders) exactly once per option and kind; e-mail fallback',
      entry: 'functions/io-sender/handler.ts',
      memoryMb: 1024,
      // per record: profile + message calls (≤ 10 s each) and a wait for the service's rate budget
      timeoutSeconds: 60,
      // maxConcurrency × batchSize bounds the calls in flight towards App IO
      triggers: [{ kind: 'queue', queue: 'io-messages', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 2 }],
      grants: [
        tableReadWrite,
        { resource: 'queue', id: 'io-messages', access: 'consume' },
        { resource: 'bucket', id: 'notices', access: 'readWrite' },
        // App IO subscription keys: <prefix><organization>/<serviceId> (IO_SECRET_PREFIX)
        { resource: 'secret', id: 'io', prefix: 'pagopa-layer/io/' },
        // the e-mail fallback; off (EMAIL_TRANSPORT=none) unless the stage names an SES identity
        { resource: 'email' },
      ],
    },
    {
      id: 'io-reminders',
      description: 'Daily: enqueues reminders for unpaid options whose due date is within the tenant reminder days',
      entry: 'functions/io-reminders/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 300,
      triggers: [{ kind: 'schedule', expression: 'cron(0 7 * * ? *)', localEverySeconds: 60 }],
      grants: [tableRead, { resource: 'queue', id: 'io-messages', access: 'send' }],
    },
    {
      id: 'advance-position-statuses',
      description: 'Persists what time does to positions: PUBLISHED to VALID at the validity date, VALID to EXPIRED after the due date',
      entry: 'functions/advance-position-statuses/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 300,
      triggers: [{ kind: 'schedule', expression: 'rate(15 minutes)', localEverySeconds: 30 }],
      grants: [tableReadWrite],
    },
    api('put-io-template', 'PUT', `${ORG}/io/templates/{kind}`, 'Save the tenant App IO message template of a kind (validated against IO limits)', [
      tableReadWrite,
    ]),
    api('get-debtor-dossier', 'GET', `${ORG}/debtors/{fiscalCode}/dossier`, "A debtor's positions, notices, receipts and messages", [tableRead]),
    // ---- reconciliation: reporting flows (FdR) ↔ receipts ↔ treasury (shared/composition/reconciliation.ts) ----
    {
      id: 'reporting-flow-scheduler',
      description: 'Every 2 hours: one FdR acquisition request per active tenant; receipts not reported after N working days flagged',
      entry: 'functions/reporting-flow-scheduler/handler.ts',
      memoryMb: 512,
      timeoutSeconds: 300,
      triggers: [{ kind: 'schedule', expression: 'rate(2 hours)', localEverySeconds: 600 }],
      grants: [tableReadWrite, { resource: 'queue', id: 'reporting-flows', access: 'send' }],
      // RECEIPT_NOT_REPORTED anomalies, counted here
      alarms: [
        {
          metric: 'ReconciliationAnomaly',
          namespace: 'PagopaLayer',
          threshold: 1,
          description:
            'Receipts that no reporting flow reported within the configured working days (RECONCILIATION_NOT_REPORTED_WORKING_DAYS): the PSP has not reported or credited money it took. Look at GET /organizations/{ofc}/reconciliation/anomalies?kind=RECEIPT_NOT_REPORTED.',
        },
      ],
    },
    {
      id: 'reporting-flow-acquirer',
      description: "Acquires a tenant's reporting flows from pagoPA FdR (revisions, idempotent) and matches their lines to receipts",
      entry: 'functions/reporting-flow-acquirer/handler.ts',
      memoryMb: 1024,
      timeoutSeconds: 300,
      triggers: [{ kind: 'queue', queue: 'reporting-flows', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 2 }],
      grants: [
        tableReadWrite,
        { resource: 'queue', id: 'reporting-flows', access: 'consume' },
        // the tenants' FdR subscription keys: <prefix><organization fiscal code> (FDR_SECRET_PREFIX)
        { resource: 'secret', id: 'fdr', prefix: 'pagopa-layer/fdr/' },
      ],
      alarms: [
        {
          metric: 'ReconciliationAnomaly',
          namespace: 'PagopaLayer',
          threshold: 1,
          description:
            'A reporting flow or a treasury credit does not reconcile (a line without receipt, an amount off, totals that do not add up, a line of another intermediary, a credit naming no known flow). Look at GET /organizations/{ofc}/reconciliation/anomalies.',
        },
      ],
    },
    {
      ...api('reporting-flow-sync', 'POST', `${ORG}/reportingflows/sync`, "Acquire the tenant's reporting flows from pagoPA now (202)", [
        tableRead,
        { resource: 'queue', id: 'reporting-flows', access: 'send' },
      ]),
      throttle: { rateLimit: 1, burstLimit: 2 },
    },
    // the back-office reads, one function (shared/http/reconciliation-edge.ts dispatches on the route)
    (() => {
      const reads = api('reconciliation-queries', 'GET', `${ORG}/reportingflows`, 'Reconciliation reads: reporting flows, a flow and its lines, the summary, anomalies, the ragioneria CSV, treasury movements', [tableRead], {
        memoryMb: 1024,
        timeoutSeconds: 29,
      });
      const [first] = reads.triggers;
      const paths = ['/reportingflows', '/reportingflows/{flowId}', '/reconciliation', '/reconciliation/anomalies', '/reconciliation/export', '/treasury/movements'];
      return { ...reads, triggers: paths.map((p): TriggerDef => ({ ...(first as TriggerDef & { kind: 'http' }), path: `${ORG}${p}` })) };
    })(),
    // the operator console's API, one function (shared/http/console-edge.ts dispatches on the route)
    (() => {
      const base = '/console-api';
      const org = `${base}/organizations/{organizationFiscalCode}`;
      const reason =
        'no tenant API key on purpose: the caller is an operator of the console, whose OpenID Connect bearer token (JWT: signature against the issuer JWKS, issuer, audience, expiry) the function verifies on every request, with the role and organizations it carries (shared/http/operator-auth.ts)';
      const routes: Array<[HttpMethod, string]> = [
        ['GET', `${base}/me`],
        ['GET', `${org}/dashboard`],
        ['GET', `${org}/debtpositions`],
        ['POST', `${org}/debtpositions`],
        ['GET', `${org}/debtpositions/{iupd}`],
        ['PUT', `${org}/debtpositions/{iupd}`],
        ['POST', `${org}/debtpositions/{iupd}/publish`],
        ['POST', `${org}/debtpositions/{iupd}/invalidate`],
        ['GET', `${org}/debtpositions/{iupd}/notice`],
        ['POST', `${org}/paymentoptions/{nav}/paid`],
        ['GET', `${org}/uploads`],
        ['POST', `${org}/uploads`],
        ['POST', `${org}/uploads/presigned`],
        ['GET', `${org}/uploads/{fileId}`],
        ['GET', `${org}/uploads/{fileId}/result`],
        ['POST', `${org}/uploads/{fileId}/cancel`],
        ['GET', `${org}/notices/batches/{batchId}/archive`],
        ['GET', `${org}/receipts`],
        ['GET', `${org}/receipts/export`],
        ['GET', `${org}/anomalies`],
        ['GET', `${org}/anomalies/export`],
        ['GET', `${org}/anomalies/{anomalyId}`],
        ['POST', `${org}/anomalies/{anomalyId}/notes`],
        ['GET', `${org}/reportingflows`],
        ['GET', `${org}/reportingflows/{flowId}`],
        ['GET', `${org}/reconciliation`],
        ['GET', `${org}/reconciliation/anomalies`],
        ['GET', `${org}/reconciliation/export`],
        ['GET', `${org}/treasury/movements`],
        ['GET', `${org}/io/templates`],
        ['POST', `${org}/io/templates/{kind}/preview`],
        ['PUT', `${org}/io/templates/{kind}`],
        ['GET', `${org}/webhooks`],
        ['POST', `${org}/webhooks`],
        ['DELETE', `${org}/webhooks/{webhookId}`],
        ['GET', `${org}/webhooks/{webhookId}/deliveries`],
        ['POST', `${org}/webhooks/{webhookId}/deliveries/{eventId}/redeliver`],
        ['GET', `${org}/deadletters`],
        ['POST', `${org}/deadletters/{queue}/{messageId}/redrive`],
        ['GET', `${org}/apikeys`],
        ['POST', `${org}/apikeys`],
        ['POST', `${org}/apikeys/{keyId}/revoke`],
      ];
      const fn = api('console-api', 'GET', `${base}/me`, "The operator console's API: dashboard; debt positions (search, detail, create, publish, invalidate, PDF); tax-list uploads; receipts and anomalies; reconciliation; App IO templates; webhooks; dead letters; API keys", [
        tableReadWrite,
        { resource: 'bucket', id: 'notices', access: 'readWrite' },
        // as upload-debt-positions-file (the file, the split) and upload-file-report (large result files under results/)
        { resource: 'bucket', id: 'uploads', access: 'readWrite' },
        { resource: 'queue', id: 'upload-split', access: 'send' },
        // a failed webhook delivery queued again (redeliver)
        { resource: 'queue', id: 'webhook-delivery', access: 'send' },
        // the admin's dead-letter screen: every DLQ's depth, the organization's messages, one redriven at a time
        ...queues.map((q): GrantDef => ({ resource: 'queue', id: q.id, access: 'redrive' })),
      ], {
        authenticated: false,
        unauthenticatedReason: reason,
        memoryMb: 1024,
        timeoutSeconds: 29,
      });
      const [first] = fn.triggers;
      return { ...fn, triggers: routes.map(([method, path]): TriggerDef => ({ ...(first as TriggerDef & { kind: 'http' }), method, path })) };
    })(),
    // the citizen's counter, one function (shared/http/citizen-edge.ts dispatches on the route)
    (() => {
      const base = '/cittadino';
      const reason =
        "no tenant API key on purpose: the callers are citizens' browsers. Pages need a session opened by a SPID/CIE SAML assertion the function verifies (IdP signature, audience, destination, InResponseTo, validity, each assertion once); the sign-in routes and the SP metadata are public by the SAML protocol; every POST carries the session's form token (shared/http/citizen-edge.ts)";
      const routes: Array<[HttpMethod, string]> = [
        ['GET', base],
        ['GET', `${base}/accedi`],
        ['POST', `${base}/spid/acs`],
        ['GET', `${base}/spid/metadata`],
        ['GET', `${base}/spid/slo`],
        ['GET', `${base}/cie/metadata`],
        ['POST', `${base}/esci`],
        ['GET', `${base}/posizioni/{organizationFiscalCode}/{iupd}`],
        ['GET', `${base}/posizioni/{organizationFiscalCode}/{iupd}/avviso`],
        ['GET', `${base}/posizioni/{organizationFiscalCode}/{iupd}/ricevute/{receiptId}`],
        ['POST', `${base}/pagamenti`],
        ['GET', `${base}/pagamenti/esito`],
        ['GET', `${base}/servizi`],
        ['GET', `${base}/servizi/{organizationFiscalCode}/{serviceId}`],
        ['POST', `${base}/servizi/{organizationFiscalCode}/{serviceId}`],
      ];
      const fn = api('citizen-counter', 'GET', base, "The citizen's counter: sign-in with SPID/CIE, what the citizen owes and paid to each municipality, PDF notices and receipts, payment through pagoPA Checkout, spontaneous payments", [
        // sessions, pending sign-ins and carts; positions created by spontaneous payments
        tableReadWrite,
        // a notice rendered on request is stored, as the back office's GET …/notice does
        { resource: 'bucket', id: 'notices', access: 'readWrite' },
        // the tenants' Checkout subscription keys
        { resource: 'secret', id: 'checkout', prefix: 'pagopa-layer/checkout/' },
        // the SAML service provider's private key and certificate
        { resource: 'secret', id: 'citizen-sp', prefix: 'pagopa-layer/citizen-sp/' },
      ], {
        authenticated: false,
        unauthenticatedReason: reason,
        memoryMb: 1024,
        timeoutSeconds: 29,
      });
      const [first] = fn.triggers;
      return { ...fn, triggers: routes.map(([method, path]): TriggerDef => ({ ...(first as TriggerDef & { kind: 'http' }), method, path })) };
    })(),
    {
      ...api('treasury-import-statement', 'POST', `${ORG}/treasury/statements`, 'Import a treasury statement (CSV or camt.053): credits matched to reporting flows', [tableReadWrite], {
        timeoutSeconds: 29,
      }),
      throttle: { rateLimit: 1, burstLimit: 2 },
    },
  ],
};

/** The queues that receive a domain event type from the dispatcher. */
export function subscribersOf(eventType: string, source: Catalog = catalog): QueueDef[] {
  return source.queues.filter((q) => q.subscribesTo?.includes(eventType));
}

export function functionById(id: string): FunctionDef {
  const fn = catalog.functions.find((f) => f.id === id);
  if (!fn) throw new Error(`no function '${id}' in the catalog`);
  return fn;
}
