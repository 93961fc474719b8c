/**
 * The tenants' App IO message templates saved over the API (the TemplateStore port), one item
 * per (organization, kind) beside the organization's profile.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MESSAGE_KINDS, type MessageKind, type TenantMessageTemplates } from '../../domain/app-io/templates';
import type { TemplateStore } from '../../use-cases/app-io/ports';
import type { Actor } from '../../use-cases/ports';
import { IO_SK, orgPk } from './keys';

export class DynamoTemplateStore implements TemplateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async items(organizationFiscalCode: string): Promise<Record<string, unknown>[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orgPk(organizationFiscalCode), ':prefix': IO_SK.templatePrefix },
      }),
    );
    return page.Items ?? [];
  }

  async changes(organizationFiscalCode: string): Promise<Partial<Record<MessageKind, { at: string; by?: Actor }>>> {
    const out: Partial<Record<MessageKind, { at: string; by?: Actor }>> = {};
    for (const item of await this.items(organizationFiscalCode)) {
      const kind = item['kind'];
      if ((MESSAGE_KINDS as readonly unknown[]).includes(kind) && typeof item['updatedAt'] === 'string') {
        out[kind as MessageKind] = { at: item['updatedAt'], ...(item['updatedBy'] ? { by: item['updatedBy'] as Actor } : {}) };
      }
    }
    return out;
  }

  async get(organizationFiscalCode: string): Promise<TenantMessageTemplates> {
    const out: Partial<Record<MessageKind, { subject: string; markdown: string }>> = {};
    for (const item of await this.items(organizationFiscalCode)) {
      const kind = item['kind'];
      const template = item['template'] as { subject?: unknown; markdown?: unknown } | undefined;
      if ((MESSAGE_KINDS as readonly unknown[]).includes(kind) && typeof template?.subject === 'string' && typeof template.markdown === 'string') {
        out[kind as MessageKind] = { subject: template.subject, markdown: template.markdown };
      }
    }
    return out;
  }

  async put(organizationFiscalCode: string, kind: MessageKind, template: { subject: string; markdown: string }, at: string, by?: Actor): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: orgPk(organizationFiscalCode),
          sk: IO_SK.template(kind),
          type: 'io-template',
          kind,
          template: { subject: template.subject, markdown: template.markdown },
          updatedAt: at,
          ...(by ? { updatedBy: by } : {}),
        },
      }),
    );
  }
}
