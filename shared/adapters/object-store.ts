/**
 * Objects in S3 (rendered notices, logos), implementing the ObjectStore port of the notice use
 * cases. On AWS the bucket is SSE-KMS with the layer's key (bucket default encryption from the
 * CDK stack), so no encryption header is sent here. Locally the endpoint comes from
 * AWS_ENDPOINT_URL_S3 and path-style addressing is forced (the composition root passes
 * `forcePathStyle` from S3_FORCE_PATH_STYLE=true), as the emulator has no virtual-host buckets.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ArchiveObjects, ObjectStore, StoredObject } from '../use-cases/notices/ports';

export interface S3Settings {
  /** path-style addressing (bucket in the path, not the host name): the local emulator needs it */
  readonly forcePathStyle: boolean;
}

export function createS3Client(settings: S3Settings, config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...config, forcePathStyle: settings.forcePathStyle || config.forcePathStyle === true });
}

export class S3ObjectStore implements ObjectStore, ArchiveObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!result.Body) return undefined;
      const bytes = await result.Body.transformToByteArray();
      return { bytes, contentType: result.ContentType, metadata: result.Metadata ?? {} };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async putIfAbsent(
    key: string,
    bytes: Uint8Array,
    options: { contentType: string; metadata?: Readonly<Record<string, string>> },
  ): Promise<'stored' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: options.contentType,
          ContentLength: bytes.length,
          Metadata: options.metadata ? { ...options.metadata } : undefined,
          IfNoneMatch: '*',
        }),
      );
      return 'stored';
    } catch (error) {
      // 412: the key exists; 409: a concurrent conditional write on the same key is in flight
      const status = httpStatusOf(error);
      if (status === 412 || status === 409 || nameOf(error) === 'PreconditionFailed') return 'exists';
      throw error;
    }
  }

  presignGet(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    return presignedGet(this.s3, this.bucket, key, options);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const result = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const errors = result.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0];
        throw new Error(`S3 refused to delete ${errors.length} object(s), first: ${first?.Code ?? 'unknown'} ${first?.Message ?? ''}`.trim());
      }
    }
  }
}

/** A SigV4 query-signed GET (UNSIGNED-PAYLOAD); the response-content-* parameters are signed, so the holder cannot change them. */
export function presignedGet(s3: S3Client, bucket: string, key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ResponseContentType: options.contentType,
    ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/["\\\r\n]/g, '_')}"`,
  });
  return getSignedUrl(s3, command, { expiresIn: options.expiresInSeconds });
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return meta?.httpStatusCode;
}

/**
 * NoSuchKey (GetObject) / NotFound (HeadObject) / a bare 404. A 403 is NOT treated as absent:
 * on AWS a missing key answers 403 unless the role may s3:ListBucket, and hiding that would
 * turn a permissions bug into endless re-rendering.
 */
function isNotFound(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404;
}
