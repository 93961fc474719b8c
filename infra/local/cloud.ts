/**
 * The embedded local cloud: the SAME Lambda handlers the catalog describes, on one machine, with
 * no AWS account. DynamoDB Local (Java child process) stands in for DynamoDB and its stream,
 * fauxqs (in process) for SQS and S3, a node:http server for API Gateway, and small pollers for
 * Lambda's event source mappings and EventBridge schedules. See README.md for the mapping and limits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { catalog as realCatalog, type Catalog } from '../catalog';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startLocalFauxqs, type LocalFauxqs } from './fauxqs';
import { createGatewayListener, problem, routesFrom, type Mount } from './http-gateway';
import { LambdaRuntime } from './lambda-runtime';
import { QueueWorker } from './queue-worker';
import { createBuckets, createQueues, createTable, resourceEnvironment, resourceNames, type CreatedResources } from './resources';
import { ScheduleWorker } from './schedule-worker';
import { StreamWorker } from './stream-worker';

export interface LocalCloudOptions {
  /** HTTP gateway port; 0 = random (tests); main.ts uses PORT env, default 3000 */
  port?: number;
  /** default: the real catalog from infra/catalog.ts; tests pass a fixture catalog */
  catalog?: Catalog;
  /** default: a random free port */
  dynamoDbPort?: number;
  /** DynamoDB Local data directory; default in memory */
  persistDir?: string;
  /** default console.log; tests pass a no-op */
  log?: (line: string) => void;
  /** matched before the routes, e.g. simulators at '/_sim/io'; req.url has the prefix stripped */
  mounts?: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  /**
   * When true the gateway answers 503 to every request until `markReady()` is called (main.ts
   * holds requests until the seed is in, so /health turns 200 only when everything is ready).
   */
  holdRequests?: boolean;
}

export interface LocalCloud {
  /** http://127.0.0.1:<port> */
  url: string;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  /** the env vars handlers see */
  env: Record<string, string>;
  region: string;
  /** the java process of DynamoDB Local (tests check it is gone after stop()) */
  dynamoDbPid: number;
  /** direct invocation (tests, scripts) */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** stop queue/stream/schedule pollers (chaos: "kill the workers") */
  stopWorkers(): Promise<void>;
  /** start them again */
  startWorkers(): void;
  /** resolves when every consumed queue is empty, no invocation is in flight and the stream is caught up */
  drain(opts?: { timeoutMs?: number }): Promise<void>;
  /** lets requests through when started with holdRequests */
  markReady(): void;
  /** stops everything it started; idempotent */
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'eu-south-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Handlers run in this process and read process.env at import: one cloud at a time. */
let activeCloud: LocalCloud | undefined;

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  if (activeCloud) throw new Error('a local cloud is already running in this process: stop() it first');
  const catalog = options.catalog ?? realCatalog;
  const log = options.log ?? ((line: string) => console.log(line));
  const region = LOCAL_REGION;
  const cleanups: Array<() => Promise<void> | void> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log(`ERROR while stopping the local cloud: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    // 1. the emulators, side by side (DynamoDB Local's JVM is the slow one)
    const [dynamo, fauxqs] = await Promise.all([
      startDynamoDbLocal({ port: options.dynamoDbPort, persistDir: options.persistDir, region, credentials: LOCAL_CREDENTIALS }).then(
        (d: DynamoDbLocal) => {
          cleanups.push(() => d.stop());
          return d;
        },
      ),
      startLocalFauxqs(region, { credentials: LOCAL_CREDENTIALS }).then((f: LocalFauxqs) => {
        cleanups.push(() => f.stop());
        return f;
      }),
    ]);
    const endpoints = { dynamodb: dynamo.endpoint, sqs: fauxqs.sqsEndpoint, s3: fauxqs.s3Endpoint };

    const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    const sqs = new SQSClient({ ...clientConfig, endpoint: endpoints.sqs });
    const s3 = new S3Client({ ...clientConfig, endpoint: endpoints.s3, forcePathStyle: true });
    cleanups.push(() => [dynamodb, streams, sqs, s3].forEach((c) => c.destroy()));

    // 2. the resources the catalog declares
    const names = resourceNames(catalog);
    const [tableStreamArn, queues, buckets] = await Promise.all([
      createTable(dynamodb, catalog, names.table),
      createQueues(sqs, catalog, names),
      createBuckets(s3, catalog, names),
    ]);
    const resources: CreatedResources = { tableName: names.table, tableStreamArn, queues, buckets };

    // S3 "Object Created" → the catalog's queue (AWS: EventBridge and a rule), in EventBridge's shape
    const notified = new Map(
      catalog.buckets.flatMap((b) => {
        const target = b.objectCreated && queues.get(b.objectCreated.queue);
        return b.objectCreated && target ? [[buckets.get(b.id)!, { prefix: b.objectCreated.prefix, queueUrl: target.url }] as const] : [];
      }),
    );
    fauxqs.onObjectCreated(async (object) => {
      const route = notified.get(object.bucket);
      if (!route || !object.key.startsWith(route.prefix)) return;
      const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const event = {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: '000000000000',
        time,
        region,
        resources: [`arn:aws:s3:::${object.bucket}`],
        detail: {
          version: '0',
          bucket: { name: object.bucket },
          object: { key: object.key, size: object.size, ...(object.etag ? { etag: object.etag } : {}), sequencer: Date.now().toString(16).toUpperCase() },
          'request-id': crypto.randomUUID(),
          requester: '000000000000',
          reason: 'PutObject',
        },
      };
      await sqs.send(new SendMessageCommand({ QueueUrl: route.queueUrl, MessageBody: JSON.stringify(event) }));
    });
    cleanups.push(() => fauxqs.onObjectCreated(undefined));

    // 3. the environment, before any handler module is imported
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      S3_FORCE_PATH_STYLE: 'true',
      LOCAL_CLOUD: 'true',
      POWERTOOLS_SERVICE_NAME: catalog.service,
      // no CloudWatch here: EMF metric lines would only clutter the console (set it to 'false' to see them)
      POWERTOOLS_METRICS_DISABLED: process.env['POWERTOOLS_METRICS_DISABLED'] ?? 'true',
      ...resourceEnvironment(catalog, resources),
    };
    for (const fn of catalog.functions) {
      for (const [key, value] of Object.entries(fn.environment ?? {})) {
        if (key in env && env[key] !== value) {
          log(`WARN ${fn.id} sets ${key}=${value} but another function set ${env[key]}: all handlers share one process, the first value wins`);
          continue;
        }
        env[key] = value;
      }
    }
    const previousEnv = new Map<string, string | undefined>();
    for (const key of [...Object.keys(env), 'AWS_SESSION_TOKEN']) previousEnv.set(key, process.env[key]);
    delete process.env.AWS_SESSION_TOKEN; // a real session token next to fake keys would confuse signing
    Object.assign(process.env, env);
    cleanups.push(() => {
      for (const [key, value] of previousEnv) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    // 4. the functions and what triggers them
    const runtime = new LambdaRuntime(catalog.functions, region);
    const invoke = (functionId: string, event: unknown) => runtime.invoke(functionId, event);
    const queueWorkers: QueueWorker[] = [];
    const streamWorkers: StreamWorker[] = [];
    const scheduleWorkers: ScheduleWorker[] = [];
    const consumedQueueUrls: string[] = [];
    for (const fn of catalog.functions) {
      fn.triggers.forEach((trigger, index) => {
        if (trigger.kind === 'queue') {
          const queue = queues.get(trigger.queue);
          if (!queue) throw new Error(`function '${fn.id}' consumes queue '${trigger.queue}', which the catalog does not declare`);
          consumedQueueUrls.push(queue.url);
          queueWorkers.push(
            new QueueWorker({
              functionId: fn.id,
              queueUrl: queue.url,
              queueArn: queue.arn,
              region,
              batchSize: trigger.batchSize,
              maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
              maxConcurrency: trigger.maxConcurrency ?? 2,
              sqs,
              invoke,
              log,
            }),
          );
        } else if (trigger.kind === 'stream') {
          streamWorkers.push(
            new StreamWorker({
              functionId: fn.id,
              streamArn: tableStreamArn,
              region,
              batchSize: trigger.batchSize,
              itemType: trigger.itemType,
              streamViewType: catalog.table.stream,
              streams,
              invoke,
              log,
            }),
          );
        } else if (trigger.kind === 'schedule') {
          scheduleWorkers.push(
            new ScheduleWorker({ functionId: fn.id, ruleName: `${names.table}-${fn.id}-${index}`, everySeconds: trigger.localEverySeconds, region, invoke, log }),
          );
        }
      });
    }
    const allWorkers = [...queueWorkers, ...streamWorkers, ...scheduleWorkers];
    const startWorkers = () => allWorkers.forEach((w) => w.start());
    const stopWorkers = async () => {
      await Promise.all(allWorkers.map((w) => w.stop()));
    };
    startWorkers();
    cleanups.push(stopWorkers);

    // 5. the HTTP gateway
    let ready = !options.holdRequests;
    const gateway = createGatewayListener({ routes: routesFrom(catalog.functions), mounts: (options.mounts ?? []) as Mount[], invoke, log });
    const server: Server = createServer((req, res) => {
      if (!ready) {
        req.resume();
        const notYet = problem(503, 'Service Unavailable', 'The local cloud is still starting');
        res.writeHead(notYet.statusCode, { ...notYet.headers, 'retry-after': '1' }).end(notYet.body);
        return;
      }
      gateway(req, res);
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const queuesEmpty = async (): Promise<boolean> => {
      for (const queueUrl of consumedQueueUrls) {
        const { Attributes: a = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
          }),
        );
        const total =
          Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
        if (total > 0) return false;
      }
      return true;
    };

    let stopping: Promise<void> | undefined;
    const cloud: LocalCloud = {
      url,
      endpoints,
      env,
      region,
      dynamoDbPid: dynamo.pid,
      invoke,
      stopWorkers,
      startWorkers,
      markReady: () => {
        ready = true;
      },
      async drain({ timeoutMs = 30_000 } = {}) {
        const deadline = Date.now() + timeoutMs;
        let quietSince: number | undefined;
        for (;;) {
          const checkedAt = Date.now();
          const quiet = runtime.invocationsInFlight === 0 && (await queuesEmpty()) && runtime.invocationsInFlight === 0;
          if (!quiet) quietSince = undefined;
          else if (quietSince === undefined) quietSince = checkedAt;
          // the stream is caught up once a full idle pass began after everything went quiet
          if (quietSince !== undefined && streamWorkers.every((w) => w.caughtUpSince(quietSince!))) {
            if (runtime.invocationsInFlight === 0 && (await queuesEmpty())) return;
            quietSince = undefined;
          }
          if (Date.now() > deadline) {
            throw new Error(
              `drain: not idle after ${timeoutMs} ms (invocations in flight: ${runtime.invocationsInFlight}; are the workers stopped or a message failing?)`,
            );
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      stop() {
        stopping ??= runCleanups().finally(() => {
          if (activeCloud === cloud) activeCloud = undefined;
        });
        return stopping;
      },
    };
    activeCloud = cloud;
    return cloud;
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
