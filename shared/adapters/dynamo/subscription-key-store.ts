/**
 * A tenant's pagoPA subscription key (APIM `Ocp-Apim-Subscription-Key`) for one pagoPA product —
 * FdR (reporting flows) or Checkout (the EC cart API) — kept in the table: the local cloud's
 * stand-in for Secrets Manager, written by the seed from the organization's `fdr: {"apiKey"}` /
 * `checkout: {"apiKey"}`. On AWS the key lives in Secrets Manager
 * (`<FDR_SECRET_PREFIX|CHECKOUT_SECRET_PREFIX><organization fiscal code>`, shared/adapters/secrets.ts)
 * and these items are absent (shared/composition/subscription-keys.ts chooses).
 *
 *   item                  pk          sk
 *   FdR key (local)       ORG#<ofc>   FDR#KEY        (reporting-flow-keys.ts)
 *   Checkout key (local)  ORG#<ofc>   CHECKOUT#KEY
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orgPk } from './keys';
import { FDR_SK } from './reporting-flow-keys';

/** The pagoPA products whose per-tenant subscription key the layer holds. */
export type PagopaSubscriptionProduct = 'fdr' | 'checkout';

const SORT_KEYS: Readonly<Record<PagopaSubscriptionProduct, string>> = { fdr: FDR_SK.key, checkout: 'CHECKOUT#KEY' };

export class DynamoSubscriptionKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly product: PagopaSubscriptionProduct,
  ) {}

  async get(organizationFiscalCode: string): Promise<string | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: orgPk(organizationFiscalCode), sk: SORT_KEYS[this.product] } }));
    const key = r.Item?.['apiKey'];
    return typeof key === 'string' && key !== '' ? key : undefined;
  }

  async put(organizationFiscalCode: string, apiKey: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: orgPk(organizationFiscalCode), sk: SORT_KEYS[this.product], type: `${this.product}-key`, apiKey },
      }),
    );
  }
}
