/**
 * A tenant's FdR subscription key kept in the table: the local cloud's stand-in for Secrets
 * Manager (written by the seed from `fdr: {"apiKey"}`). On AWS the key lives in Secrets Manager
 * (`<FDR_SECRET_PREFIX><organization fiscal code>`, shared/adapters/secrets.ts) and this item is absent.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orgPk } from './keys';
import { FDR_SK } from './reporting-flow-keys';

export class DynamoFdrKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(organizationFiscalCode: string): Promise<string | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: orgPk(organizationFiscalCode), sk: FDR_SK.key } }));
    const key = r.Item?.['apiKey'];
    return typeof key === 'string' && key !== '' ? key : undefined;
  }

  async put(organizationFiscalCode: string, apiKey: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: orgPk(organizationFiscalCode), sk: FDR_SK.key, type: 'fdr-key', apiKey } }));
  }
}
