/**
 * The local cloud over the real wire: fetch to its gateway, SDK clients to DynamoDB Local and
 * fauxqs, fixture handlers (test/fixtures/local-cloud) run by it exactly as it runs the real ones.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { JAVA_MISSING_MESSAGE, startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { matchRoute, routesFrom } from '../../infra/local/http-gateway';
import { failedMessageIds } from '../../infra/local/queue-worker';
import { firstFailedIndex } from '../../infra/local/stream-worker';
import { fixtureCatalog } from '../fixtures/local-cloud/catalog';
import { recorded } from '../fixtures/local-cloud/recorder';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local cloud', () => {
  let cloud: LocalCloud;
  let documents: DynamoDBDocumentClient;
  let sqs: SQSClient;
  let s3: S3Client;
  const logs: string[] = [];
  let startupMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    cloud = await startLocalCloud({
      port: 0,
      catalog: fixtureCatalog,
      log: (line) => logs.push(line),
      mounts: [
        {
          prefix: '/_sim/io',
          listener: (req, res) => {
            res.writeHead(200, { 'content-type': 'text/plain' }).end(`sim saw ${req.url}`);
          },
        },
      ],
    });
    startupMs = Date.now() - started;
    // clients built the way a test or script would, from what the cloud reports
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: cloud.region, endpoint: cloud.endpoints.dynamodb, credentials }));
    sqs = new SQSClient({ region: cloud.region, endpoint: cloud.endpoints.sqs, credentials });
    s3 = new S3Client({ region: cloud.region, endpoint: cloud.endpoints.s3, credentials, forcePathStyle: true });
  });

  afterAll(async () => {
    await cloud?.stop();
    console.info(`local cloud startup: ${startupMs} ms`);
  });

  it('exposes the environment handlers see', () => {
    expect(cloud.env).toMatchObject({
      AWS_REGION: 'eu-south-1',
      TABLE_NAME_MAIN: 'lc-fixture-local-main',
      BUCKET_NAME_FILES: 'lc-fixture-local-files',
      AWS_ENDPOINT_URL_DYNAMODB: cloud.endpoints.dynamodb,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: cloud.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: cloud.endpoints.sqs,
      AWS_ENDPOINT_URL_S3: cloud.endpoints.s3,
      S3_FORCE_PATH_STYLE: 'true',
      LOCAL_CLOUD: 'true',
      POWERTOOLS_SERVICE_NAME: 'lc-fixture',
      ECHO_GREETING: 'ciao',
    });
    expect(cloud.env.QUEUE_URL_WORK).toMatch(/\/lc-fixture-local-work$/);
    expect(cloud.env.QUEUE_URL_WORK_DLQ).toMatch(/\/lc-fixture-local-work-dlq$/);
    expect(process.env.TABLE_NAME_MAIN).toBe('lc-fixture-local-main');
    expect(cloud.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('builds the API Gateway v2 event and translates the structured result back', async () => {
    const res = await fetch(`${cloud.url}/things/caf%C3%A8%201?tag=a&tag=b&empty=&q=x%20y`, {
      headers: [
        ['x-multi', 'one'],
        ['x-multi', 'two'],
        ['Cookie', 'sid=abc; theme=dark'],
        ['User-Agent', 'vitest'],
      ],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-function')).toBe('echo');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const { event, context, greeting } = (await res.json()) as {
      event: APIGatewayProxyEventV2;
      context: { functionName: string; awsRequestId: string; remainingMs: number };
      greeting: string;
    };
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /things/{thingId}');
    expect(event.rawPath).toBe('/things/caf%C3%A8%201');
    expect(event.rawQueryString).toBe('tag=a&tag=b&empty=&q=x%20y');
    expect(event.queryStringParameters).toEqual({ tag: 'a,b', empty: '', q: 'x y' });
    expect(event.pathParameters).toEqual({ thingId: 'cafè 1' });
    expect(event.cookies).toEqual(['sid=abc', 'theme=dark']);
    expect(event.headers['x-multi']).toBe('one, two'); // fetch itself joins repeated headers
    expect(event.headers.cookie).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBeUndefined();
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      routeKey: 'GET /things/{thingId}',
      stage: '$default',
      http: { method: 'GET', path: '/things/caf%C3%A8%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    });
    expect(event.requestContext.requestId).toBe(res.headers.get('apigw-requestid'));
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(context.functionName).toBe('echo');
    expect(context.remainingMs).toBeGreaterThan(1_000);
    expect(context.remainingMs).toBeLessThanOrEqual(2_000);
    expect(greeting).toBe('ciao');
  });

  it('joins repeated headers with a comma, as API Gateway does', async () => {
    const body = await new Promise<string>((resolveBody, reject) => {
      const req = request(`${cloud.url}/things/1`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolveBody(text));
      });
      req.setHeader('x-multi', ['one', 'two']); // two header lines on the wire
      req.on('error', reject);
      req.end();
    });
    const { event } = JSON.parse(body) as { event: APIGatewayProxyEventV2 };
    expect(event.headers['x-multi']).toBe('one,two');
  });

  it('prefers literal routes, handles greedy paths, and encodes non-text bodies as base64', async () => {
    const special = (await (await fetch(`${cloud.url}/things/special`)).json()) as { event: APIGatewayProxyEventV2 };
    expect(special.event.routeKey).toBe('GET /things/special');
    expect(special.event.pathParameters).toBeUndefined();

    const greedy = (await (await fetch(`${cloud.url}/files/a/b%20c/d.pdf`)).json()) as { event: APIGatewayProxyEventV2 };
    expect(greedy.event.routeKey).toBe('GET /files/{proxy+}');
    expect(greedy.event.pathParameters).toEqual({ proxy: 'a/b c/d.pdf' });

    const json = (await (
      await fetch(`${cloud.url}/things/7/parts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' })
    ).json()) as { event: APIGatewayProxyEventV2 };
    expect(json.event).toMatchObject({ body: '{"n":1}', isBase64Encoded: false, routeKey: 'POST /things/{thingId}/parts' });

    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
    const binary = (await (
      await fetch(`${cloud.url}/things/7/parts`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes })
    ).json()) as { event: APIGatewayProxyEventV2 };
    expect(binary.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.event.body!, 'base64')).toEqual(bytes);
  });

  it('answers like API Gateway when there is no route, the handler crashes or times out, or the body is too large', async () => {
    const missing = await fetch(`${cloud.url}/nowhere?secret=1`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ title: 'Not Found', status: 404, type: expect.any(String), detail: expect.any(String) });
    // same path, wrong method
    expect((await fetch(`${cloud.url}/things/1`, { method: 'DELETE' })).status).toBe(404);

    const crash = await fetch(`${cloud.url}/misbehave/crash`);
    expect(crash.status).toBe(500);
    expect(await crash.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.some((l) => l.includes('boom (fixture crash)'))).toBe(true);

    const slow = await fetch(`${cloud.url}/misbehave/slow`);
    expect(slow.status).toBe(500);
    expect(logs.some((l) => l.includes('Task timed out after 1.00 seconds'))).toBe(true);

    const plain = await fetch(`${cloud.url}/misbehave/string`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.text()).toBe('plain string');
    expect(await (await fetch(`${cloud.url}/misbehave/object`)).json()).toEqual({ hello: 'world' });
    const binary = await fetch(`${cloud.url}/misbehave/binary`);
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));

    const tooLarge = await fetch(`${cloud.url}/things/1/parts`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);

    // one line per request, without the query string
    expect(logs).toContain(logs.find((l) => /^GET \/nowhere 404 \d+ms$/.test(l)));
    expect(logs.some((l) => l.includes('secret=1'))).toBe(false);
  });

  it('matches mounts before routes and strips their prefix', async () => {
    const res = await fetch(`${cloud.url}/_sim/io/api/v1/messages?x=1`);
    expect(await res.text()).toBe('sim saw /api/v1/messages?x=1');
  });

  it('lets handlers reach DynamoDB, S3 and SQS through the environment alone', async () => {
    recorded.reset();
    const res = await fetch(`${cloud.url}/write/w1`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    const item = await documents.send(new GetCommand({ TableName: cloud.env.TABLE_NAME_MAIN, Key: { pk: 'THING#w1', sk: 'THING' } }));
    expect(item.Item).toMatchObject({ type: 'THING' });
    const byIndex = await documents.send(
      new QueryCommand({ TableName: cloud.env.TABLE_NAME_MAIN, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'THINGS' } }),
    );
    expect(byIndex.Items?.map((i) => i.gsi1sk)).toContain('w1');
    const object = await s3.send(new GetObjectCommand({ Bucket: cloud.env.BUCKET_NAME_FILES, Key: 'w1.txt' }));
    expect(await object.Body!.transformToString()).toBe('thing w1');
  });

  it('delivers stream records through the itemType filter, in Lambda shape, retrying from a failed record', async () => {
    recorded.reset();
    await fetch(`${cloud.url}/write/s1`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await documents.send(
      new PutCommand({ TableName: cloud.env.TABLE_NAME_MAIN, Item: { pk: 'THING#s1', sk: 'OUTBOX#2', type: 'OUTBOX', failOnce: true } }),
    );
    await documents.send(new PutCommand({ TableName: cloud.env.TABLE_NAME_MAIN, Item: { pk: 'THING#s1', sk: 'OTHER', type: 'NOT_OUTBOX' } }));
    await documents.send(new PutCommand({ TableName: cloud.env.TABLE_NAME_MAIN, Item: { pk: 'THING#s1', sk: 'OUTBOX#3', type: 'OUTBOX' } }));
    await cloud.drain({ timeoutMs: 15_000 });

    const records = (recorded.streamEvents as DynamoDBStreamEvent[]).flatMap((e) => e.Records);
    const forS1 = records.filter((r) => r.dynamodb?.Keys?.pk?.S === 'THING#s1');
    // only OUTBOX items pass the filter
    expect(new Set(forS1.map((r) => r.dynamodb?.NewImage?.type?.S))).toEqual(new Set(['OUTBOX']));
    const first = forS1.find((r) => r.dynamodb?.Keys?.sk?.S === 'OUTBOX#1')!;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-south-1',
      eventSourceARN: expect.stringContaining('lc-fixture-local-main/stream/'),
      dynamodb: {
        Keys: { pk: { S: 'THING#s1' }, sk: { S: 'OUTBOX#1' } },
        NewImage: { type: { S: 'OUTBOX' }, event: { S: 'ThingWritten' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(first.eventID).toEqual(expect.any(String));
    // the failed record and the ones after it were delivered again, the ones before it were not
    const sks = forS1.map((r) => r.dynamodb!.Keys!.sk!.S);
    expect(sks.filter((sk) => sk === 'OUTBOX#1')).toHaveLength(1);
    expect(sks.filter((sk) => sk === 'OUTBOX#2')).toHaveLength(2);
    expect(sks.filter((sk) => sk === 'OUTBOX#3').length).toBeGreaterThanOrEqual(1);
    expect(sks.lastIndexOf('OUTBOX#3')).toBeGreaterThan(sks.lastIndexOf('OUTBOX#2'));
  });

  it('deletes only the successful messages of a batch and parks the failing one in the DLQ after maxReceiveCount', async () => {
    recorded.reset();
    const res = await fetch(`${cloud.url}/write/q1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: ['ok-1', 'fail-1', 'ok-2'] }),
    });
    expect(res.status, logs.filter((l) => l.startsWith('ERROR')).join('\n')).toBe(204);
    await cloud.drain({ timeoutMs: 15_000 });

    const deliveries = (recorded.queueEvents as SQSEvent[]).flatMap((e) => e.Records);
    const okDeliveries = deliveries.filter((r) => r.body.startsWith('ok-'));
    expect(okDeliveries.map((r) => r.body).sort()).toEqual(['ok-1', 'ok-2']); // each once: deleted after success
    const failDeliveries = deliveries.filter((r) => r.body === 'fail-1');
    expect(failDeliveries.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    const record = okDeliveries[0]!;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      awsRegion: 'eu-south-1',
      eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:lc-fixture-local-work',
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      messageAttributes: { origin: { stringValue: 'writer', dataType: 'String', stringListValues: [], binaryListValues: [] } },
      attributes: { SentTimestamp: expect.stringMatching(/^\d+$/), ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/) },
    });

    const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: cloud.env.QUEUE_URL_WORK_DLQ, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(parked.Messages?.map((m) => m.Body)).toEqual(['fail-1']);
  });

  it('stops and restarts the workers (chaos)', async () => {
    recorded.reset();
    await cloud.stopWorkers();
    await sqs.send(new SendMessageCommand({ QueueUrl: cloud.env.QUEUE_URL_WORK, MessageBody: 'ok-while-stopped' }));
    await new Promise((r) => setTimeout(r, 700));
    expect(recorded.queueEvents).toHaveLength(0);
    await expect(cloud.drain({ timeoutMs: 300 })).rejects.toThrow(/not idle/);
    cloud.startWorkers();
    await cloud.drain({ timeoutMs: 10_000 });
    expect((recorded.queueEvents as SQSEvent[]).flatMap((e) => e.Records.map((r) => r.body))).toEqual(['ok-while-stopped']);
  });

  it('fires schedules every localEverySeconds with an EventBridge scheduled event', async () => {
    recorded.reset();
    const event = await eventually(async () => recorded.scheduledEvents[0] as ScheduledEvent | undefined, 5_000);
    expect(event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      region: 'eu-south-1',
      detail: {},
      resources: [expect.stringMatching(/^arn:aws:events:eu-south-1:000000000000:rule\//)],
    });
    expect(new Date(event.time).getTime()).not.toBeNaN();
  });

  it('invokes a function directly', async () => {
    const result = (await cloud.invoke('misbehave', { pathParameters: { how: 'object' } })) as unknown;
    expect(result).toEqual({ hello: 'world' });
    await expect(cloud.invoke('nope', {})).rejects.toThrow(/no function 'nope'/);
  });

  it('runs DynamoDB Local with the throughput collector, or the one asked for, and leaves this process environment alone', async () => {
    const javaOptionsOf = (pid: number) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('JAVA_TOOL_OPTIONS='));
    const before = process.env.JAVA_TOOL_OPTIONS;
    expect(javaOptionsOf(cloud.dynamoDbPid)).toMatch(/-XX:\+UseParallelGC/);
    const g1 = await startDynamoDbLocal({ region: 'eu-south-1', credentials, collector: 'G1' });
    try {
      expect(javaOptionsOf(g1.pid)).toMatch(/-XX:\+UseG1GC/);
      expect(javaOptionsOf(g1.pid)).not.toMatch(/ParallelGC/);
    } finally {
      await g1.stop();
    }
    expect(process.env.JAVA_TOOL_OPTIONS).toBe(before);
  });

  it('stop() leaves no java process behind and can be called twice', async () => {
    const pid = cloud.dynamoDbPid;
    expect(isAlive(pid)).toBe(true);
    await cloud.stop();
    await cloud.stop();
    expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${cloud.url}/things/1`)).rejects.toThrow();
  });
});

describe('local cloud pieces', () => {
  it('says which package to install when java is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(
        startDynamoDbLocal({ region: 'eu-south-1', credentials, startTimeoutMs: 5_000 }),
      ).rejects.toThrow(JAVA_MISSING_MESSAGE);
    } finally {
      process.env.PATH = path;
    }
    expect(JAVA_MISSING_MESSAGE).toContain('openjdk-17-jre-headless');
  });

  it('applies API Gateway route precedence', () => {
    const routes = routesFrom(fixtureCatalog.functions);
    expect(matchRoute(routes, 'GET', '/things/special')?.route.functionId).toBe('echo-special');
    expect(matchRoute(routes, 'GET', '/things/other')?.route.functionId).toBe('echo');
    expect(matchRoute(routes, 'GET', '/things')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/things/a/b')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/files')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/things/x/parts')?.pathParameters).toEqual({ thingId: 'x' });
  });

  it('reads batch item failures the way Lambda does', () => {
    const sqsRecords = ['a', 'b', 'c'].map((messageId) => ({ messageId })) as never[];
    expect(failedMessageIds({ batchItemFailures: [] }, sqsRecords)).toEqual(new Set());
    expect(failedMessageIds(undefined, sqsRecords)).toEqual(new Set());
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, sqsRecords)).toEqual(new Set(['b']));
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, sqsRecords)).toEqual(new Set(['a', 'b', 'c']));

    const streamRecords = ['10', '20', '30'].map((SequenceNumber) => ({ dynamodb: { SequenceNumber } })) as never[];
    expect(firstFailedIndex({ batchItemFailures: [] }, streamRecords)).toBe(-1);
    expect(firstFailedIndex({ batchItemFailures: [{ itemIdentifier: '30' }, { itemIdentifier: '20' }] }, streamRecords)).toBe(1);
    expect(firstFailedIndex({ batchItemFailures: [{ itemIdentifier: '99' }] }, streamRecords)).toBe(0);
  });
});
