/**
 * Tenants (creditor institutions), their API keys (stored only as SHA-256 hashes) and their
 * webhook secrets (needed in clear to verify HMACs; the table is encrypted with a KMS key).
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Organization } from '../../domain/organization';
import type { Actor, ApiKeyRecord, OrganizationStore } from '../../use-cases/ports';
import { isConditionFailure, queryItems } from './client';
import { SK, apiKeyPk, orgPk } from './keys';

export class DynamoOrganizationStore implements OrganizationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(fiscalCode: string): Promise<Organization | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: orgPk(fiscalCode), sk: SK.profile } }));
    return result.Item?.['organization'] as Organization | undefined;
  }

  async create(organization: Organization): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(organization),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async put(organization: Organization): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.item(organization) }));
  }

  async list(): Promise<Organization[]> {
    // Few tenants per deployment: a query on the sparse "organizations" GSI1 partition.
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'ORGANIZATIONS' },
    });
    return items.map((i) => i['organization'] as Organization);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: apiKeyPk(hash), sk: SK.apiKey } }));
    return result.Item?.['record'] as ApiKeyRecord | undefined;
  }

  async addApiKey(record: ApiKeyRecord, hash: string): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: apiKeyPk(hash), sk: SK.apiKey, type: 'api-key', record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: orgPk(record.organizationFiscalCode), sk: SK.apiKeyOfOrg(record.keyId), type: 'api-key-ref', hash, record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async revokeApiKey(organizationFiscalCode: string, keyId: string, at: string, by?: Actor): Promise<ApiKeyRecord | undefined> {
    const ref = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: orgPk(organizationFiscalCode), sk: SK.apiKeyOfOrg(keyId) }, ConsistentRead: true }),
    );
    const hash = ref.Item?.['hash'];
    if (typeof hash !== 'string') return undefined;
    const current = ref.Item?.['record'] as ApiKeyRecord;
    if (current.revokedAt !== undefined) return current;
    const record: ApiKeyRecord = { ...current, revokedAt: at, ...(by ? { revokedBy: by } : {}) };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { pk: apiKeyPk(hash), sk: SK.apiKey, type: 'api-key', record } } },
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: orgPk(organizationFiscalCode), sk: SK.apiKeyOfOrg(keyId), type: 'api-key-ref', hash, record },
            },
          },
        ],
      }),
    );
    return record;
  }

  async listApiKeys(organizationFiscalCode: string): Promise<ApiKeyRecord[]> {
    return (await this.queryOrg(organizationFiscalCode, 'APIKEY#')).map((i) => i['record'] as ApiKeyRecord);
  }

  async addWebhookSecret(organizationFiscalCode: string, secretId: string, secret: string, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: orgPk(organizationFiscalCode), sk: SK.secret(secretId), type: 'webhook-secret', secretId, secret, createdAt: at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async revokeWebhookSecret(organizationFiscalCode: string, secretId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orgPk(organizationFiscalCode), sk: SK.secret(secretId) },
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async activeWebhookSecrets(organizationFiscalCode: string): Promise<Array<{ secretId: string; secret: string }>> {
    return (await this.queryOrg(organizationFiscalCode, 'SECRET#'))
      .filter((i) => i['revokedAt'] === undefined)
      .map((i) => ({ secretId: String(i['secretId']), secret: String(i['secret']) }));
  }

  private item(organization: Organization): Record<string, unknown> {
    return {
      pk: orgPk(organization.fiscalCode),
      sk: SK.profile,
      type: 'organization',
      gsi1pk: 'ORGANIZATIONS',
      gsi1sk: organization.fiscalCode,
      organization,
    };
  }

  private async queryOrg(organizationFiscalCode: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': orgPk(organizationFiscalCode), ':prefix': prefix },
      ConsistentRead: true,
    });
  }
}
