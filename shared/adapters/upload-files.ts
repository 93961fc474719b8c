/**
 * The files of bulk uploads: stored in S3 as received, read back as a stream of rows.
 *
 * ZIP with fflate (small, no dependencies, maintained; it reads a ZIP as a stream, entry by entry,
 * so a file read from S3 is inflated chunk by chunk, never whole in memory; and it lists a
 * ZIP's central directory without inflating anything, which is how an upload is checked at once).
 * GPD's file is a ZIP of exactly one `.json` (pagopa/pagopa-gpd-upload application.properties
 * `zip.entries=1`, BlobService ALLOWABLE_EXTENSIONS); this layer also takes one `.csv` (GovPay's
 * layout), zipped or bare.
 *
 * JSON: `{"paymentPositions":[…]}` (or `{"paymentPositionIUPDs":[…]}` for a delete) is scanned
 * by hand, one array element at a time: each element's text is cut out at depth 0 and parsed
 * alone, with the line where it starts (the report names rows by line). CSV: csv-parse, streaming,
 * header by name.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parse as parseCsv } from 'csv-parse';
import { Unzip, UnzipInflate, unzipSync } from 'fflate';
import { Readable } from 'node:stream';
import { FileRefused, type RawRow, type Upload, type UploadFileInspector, type UploadFileReader, type UploadFormat, type UploadObjects, type UploadOperation } from '../use-cases/bulk-upload/ports';
import { presignedGet } from './object-store';

const rootKeyOf = (operation: UploadOperation): string => (operation === 'DELETE' ? 'paymentPositionIUPDs' : 'paymentPositions');

// ---- store ----

export class S3UploadObjects implements UploadObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.length }));
  }

  /** SigV4 query-signed PUT: content-length and content-type are signed headers, so S3 refuses any other length (403 SignatureDoesNotMatch) */
  presignPut(key: string, options: { contentLength: number; contentType: string; expiresInSeconds: number }): Promise<string> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: options.contentLength, ContentType: options.contentType });
    return getSignedUrl(this.s3, command, { expiresIn: options.expiresInSeconds, signableHeaders: new Set(['content-length', 'content-type']) });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      // HEAD has no body: S3 answers a missing key 404 NotFound (NoSuchKey with a GET)
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  /** SigV4 query-signed GET (UNSIGNED-PAYLOAD); the response-content-* parameters are signed, so the holder cannot change them */
  presignGet(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    return presignedGet(this.s3, this.bucket, key, options);
  }
}

// ---- inspect at upload ----

const HEAD_BYTES = 64 * 1024;

/**
 * What can be told of a file at once: a ZIP (its central directory: exactly one entry, .json or
 * .csv) or a bare CSV, and its head (the JSON's root field, the CSV's header).
 */
export const uploadFileInspector: UploadFileInspector = {
  inspectHead: (...args) => inspectHead(...args),
  inspect(bytes, fileName, operation) {
    if (bytes.length === 0) throw new FileRefused(400, 'the file is empty');
    const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
    if (!isZip) {
      if (fileName.toLowerCase().endsWith('.csv')) {
        return { format: 'csv', csvHeader: firstLine(new TextDecoder().decode(bytes.subarray(0, HEAD_BYTES))) };
      }
      throw new FileRefused(400, 'the file is not a ZIP archive (a ZIP holding one JSON file, or a CSV file, is expected)');
    }
    const entries: Array<{ name: string }> = [];
    try {
      unzipSync(bytes, {
        filter: (file) => {
          entries.push({ name: file.name });
          return false;
        },
      });
    } catch (error) {
      throw new FileRefused(400, `the ZIP archive is corrupt (${(error as Error).message})`);
    }
    if (entries.length !== 1) throw new FileRefused(400, `the ZIP archive must hold exactly one file; it holds ${entries.length}`);
    const name = entries[0]!.name.toLowerCase();
    const format: UploadFormat | undefined = name.endsWith('.json') ? 'json' : name.endsWith('.csv') ? 'csv' : undefined;
    if (!format) throw new FileRefused(400, `the file in the ZIP must be .json or .csv, not ${entries[0]!.name}`);
    const head = new TextDecoder().decode(inflateHead(bytes));
    if (format === 'csv') return { format, csvHeader: firstLine(head) };
    new JsonElements(rootKeyOf(operation)).feed(head);
    return { format };
  },
};

/** The first bytes of a stored ZIP or CSV: the same checks as `inspect`, from its local file header and head. */
function inspectHead(head: Uint8Array, size: number, fileName: string, operation: UploadOperation): { format: UploadFormat; zipped: boolean; csvHeader?: string } {
  if (size === 0 || head.length === 0) throw new FileRefused(400, 'the file is empty');
  const isZip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b;
  if (!isZip) {
    if (fileName.toLowerCase().endsWith('.csv')) return { format: 'csv', zipped: false, csvHeader: firstLine(new TextDecoder().decode(head.subarray(0, HEAD_BYTES))) };
    throw new FileRefused(400, 'the file is not a ZIP archive (a ZIP holding one JSON file, or a CSV file, is expected)');
  }
  // local file header: signature PK\x03\x04, name length at 26, extra length at 28, name at 30
  if (head.length < 30 || head[2] !== 0x03 || head[3] !== 0x04) throw new FileRefused(400, 'the ZIP archive is corrupt (no local file header)');
  const nameLength = head[26]! | (head[27]! << 8);
  const name = new TextDecoder().decode(head.subarray(30, 30 + nameLength));
  const lower = name.toLowerCase();
  const format: UploadFormat | undefined = lower.endsWith('.json') ? 'json' : lower.endsWith('.csv') ? 'csv' : undefined;
  if (!format) throw new FileRefused(400, `the file in the ZIP must be .json or .csv, not ${name}`);
  const text = new TextDecoder().decode(inflateHead(head, head.length >= size));
  if (format === 'csv') return { format, zipped: true, csvHeader: firstLine(text) };
  new JsonElements(rootKeyOf(operation)).feed(text);
  return { format, zipped: true };
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
}

/** The first HEAD_BYTES of the ZIP's entry; `complete` false: `zip` is only the start of the archive (a presigned upload's head). */
function inflateHead(zip: Uint8Array, complete = true): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const unzip = new Unzip((file) => {
    file.ondata = (error, data) => {
      if (error) throw new FileRefused(400, `the ZIP archive is corrupt (${error.message})`);
      if (size < HEAD_BYTES) {
        parts.push(data);
        size += data.length;
      }
      if (size >= HEAD_BYTES) file.terminate();
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let i = 0; i < zip.length && size < HEAD_BYTES; i += 65_536) unzip.push(zip.subarray(i, i + 65_536), complete && i + 65_536 >= zip.length);
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    throw new FileRefused(400, `the ZIP archive is corrupt (${(error as Error).message})`);
  }
  const out = new Uint8Array(Math.min(size, HEAD_BYTES));
  let at = 0;
  for (const p of parts) {
    const take = p.subarray(0, out.length - at);
    out.set(take, at);
    at += take.length;
    if (at >= out.length) break;
  }
  return out;
}

// ---- read back, streaming ----

export class S3UploadFileReader implements UploadFileReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async *rows(upload: Pick<Upload, 'objectKey' | 'format' | 'operation' | 'zipped'>): AsyncIterable<RawRow> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: upload.objectKey }));
    const body = object.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) throw new FileRefused(400, 'the file is empty');
    const content = (upload.zipped ?? upload.objectKey.toLowerCase().endsWith('.zip')) ? inflateStream(body) : body;
    yield* upload.format === 'json' ? jsonRows(content, rootKeyOf(upload.operation)) : csvRows(content);
  }
  async head(objectKey: string, bytes: number): Promise<Uint8Array> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: `bytes=0-${bytes - 1}` }));
    const head = object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
    // an emulator that ignores Range answers the whole object
    return head.subarray(0, bytes);
  }
}

/** The one entry of a ZIP, inflated chunk by chunk as the archive streams in. */
async function* inflateStream(zip: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  let entries = 0;
  const unzip = new Unzip((file) => {
    entries++;
    if (entries > 1) throw new FileRefused(400, 'the ZIP archive must hold exactly one file');
    file.ondata = (error, data) => {
      if (error) throw new FileRefused(400, `the ZIP archive is corrupt (${error.message})`);
      if (data.length > 0) ready.push(data);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      if (error instanceof FileRefused) throw error;
      throw new FileRefused(400, `the ZIP archive is corrupt (${(error as Error).message})`);
    }
  };
  for await (const chunk of zip) {
    push(chunk, false);
    while (ready.length > 0) yield ready.shift()!;
  }
  push(new Uint8Array(0), true);
  while (ready.length > 0) yield ready.shift()!;
  if (entries === 0) throw new FileRefused(400, 'the ZIP archive holds no file');
}

async function* jsonRows(content: AsyncIterable<Uint8Array>, rootKey: string): AsyncGenerator<RawRow> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const scanner = new JsonElements(rootKey);
  const parse = (e: { line: number; text: string }): RawRow => {
    try {
      return { line: e.line, value: JSON.parse(e.text) as unknown };
    } catch (error) {
      throw new FileRefused(400, `line ${e.line}: not valid JSON (${(error as Error).message})`);
    }
  };
  try {
    for await (const chunk of content) {
      for (const element of scanner.feed(decoder.decode(chunk, { stream: true }))) yield parse(element);
    }
    for (const element of scanner.feed(decoder.decode())) yield parse(element);
  } catch (error) {
    if (error instanceof TypeError) throw new FileRefused(400, 'the file is not valid UTF-8');
    throw error;
  }
  scanner.end();
}

/**
 * `{"<rootKey>": [ e1, e2, … ]}`, fed in pieces: yields each element's text and starting line.
 * Anything else (another root field, no array, text after the end) is refused with its line.
 */
export class JsonElements {
  private phase: 'start' | 'key' | 'colon' | 'array' | 'element' | 'after-element' | 'close' | 'done' = 'start';
  private line = 1;
  private key = '';
  private inKey = false;
  private keyEscape = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private text = '';
  private elementLine = 0;
  private primitive = false;

  constructor(private readonly rootKey: string) {}

  private refuse(message: string): never {
    throw new FileRefused(422, `line ${this.line}: ${message}; the file must be {"${this.rootKey}": [ … ]}`);
  }

  feed(chunk: string): Array<{ line: number; text: string }> {
    const out: Array<{ line: number; text: string }> = [];
    // an element cut by the previous chunk goes on from the start of this one
    let start = this.phase === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.phase === 'element') {
        if (c === 10) this.line++;
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 92) this.escape = true;
          else if (c === 34) {
            this.inString = false;
            if (this.primitive && this.depth === 0) {
              out.push({ line: this.elementLine, text: this.text + chunk.slice(start, i + 1) });
              this.text = '';
              start = -1;
              this.phase = 'after-element';
            }
          }
          continue;
        }
        if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) {
          if (this.primitive && this.depth === 0) {
            // a number / literal element ended by the array's ]
            out.push({ line: this.elementLine, text: this.text + chunk.slice(start, i) });
            this.text = '';
            start = -1;
            this.phase = 'close';
            continue;
          }
          this.depth--;
          if (this.depth === 0) {
            out.push({ line: this.elementLine, text: this.text + chunk.slice(start, i + 1) });
            this.text = '';
            start = -1;
            this.phase = 'after-element';
          }
        } else if (c === 44 && this.primitive && this.depth === 0) {
          out.push({ line: this.elementLine, text: this.text + chunk.slice(start, i) });
          this.text = '';
          start = -1;
          this.phase = 'array';
        }
        continue;
      }
      if (c === 10) {
        this.line++;
        if (!this.inKey) continue;
      }
      if (this.inKey) {
        if (this.keyEscape) this.keyEscape = false;
        else if (c === 92) this.keyEscape = true;
        else if (c === 34) {
          this.inKey = false;
          if (this.key !== this.rootKey) this.refuse(`unexpected field "${this.key}"`);
          this.phase = 'colon';
          continue;
        }
        this.key += chunk[i];
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 0xfeff) continue;
      switch (this.phase) {
        case 'start':
          if (c !== 123) this.refuse('not a JSON object');
          this.phase = 'key';
          break;
        case 'key':
          if (c === 125) this.refuse(`no field "${this.rootKey}"`);
          if (c !== 34) this.refuse('a field name is expected');
          this.inKey = true;
          break;
        case 'colon':
          if (c === 58) break;
          if (c !== 91) this.refuse(`"${this.rootKey}" must be an array`);
          this.phase = 'array';
          break;
        case 'array':
        case 'after-element':
          if (c === 44 && this.phase === 'after-element') {
            this.phase = 'array';
            break;
          }
          if (c === 93) {
            this.phase = 'close';
            break;
          }
          if (this.phase === 'after-element') this.refuse('"," or "]" expected after an element');
          this.phase = 'element';
          this.elementLine = this.line;
          this.primitive = c !== 123 && c !== 91;
          this.depth = this.primitive ? 0 : 1;
          this.inString = c === 34;
          start = i;
          break;
        case 'close':
          if (c === 44) this.refuse(`only the field "${this.rootKey}" is expected`);
          if (c !== 125) this.refuse('"}" expected');
          this.phase = 'done';
          break;
        case 'done':
          this.refuse('text after the end of the JSON document');
      }
    }
    if (this.phase === 'element' && start >= 0) this.text += chunk.slice(start);
    if (this.text.length > 2_000_000) this.refuse('an element larger than 2 MB');
    return out;
  }

  end(): void {
    if (this.phase !== 'done') this.refuse('the JSON document ends too early');
  }
}

async function* csvRows(content: AsyncIterable<Uint8Array>): AsyncGenerator<RawRow> {
  const parser = Readable.from(content).pipe(
    parseCsv({ bom: true, info: true, relax_column_count: false, skip_empty_lines: true, trim: false, max_record_size: 1_000_000 }),
  );
  let header: string[] | undefined;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = item.record.map((h) => h.trim());
        yield { line: 0, value: { header } };
        continue;
      }
      yield { line: item.info.lines, value: Object.fromEntries(header.map((h, i) => [h, item.record[i] ?? ''])) };
    }
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    throw new FileRefused(422, `the CSV cannot be read: ${(error as Error).message}`);
  }
  if (!header) throw new FileRefused(422, 'the CSV file is empty');
}
