/**
 * What the citizen's counter keeps, all short-lived and expired by the table's TTL (`expiresAt`,
 * epoch seconds; reads check the time too, since TTL deletes lazily):
 *
 *   item                 pk                              sk
 *   pending sign-in      SIGNIN#<sha256(RelayState)>     SIGNIN           (10 minutes)
 *   assertion seen       ASSERTION#<sha256(idp, id)>     ASSERTION        (until the assertion expires)
 *   citizen session      CITIZEN_SESSION#<token digest>  SESSION          (30 minutes)
 *   session by NameID    CITIZEN_NAMEID#<sha256(idp,id)> SESSION#<token digest>   (as long; an IdP-initiated logout finds them)
 *   pending logout       LOGOUT#<sha256(RelayState)>     LOGOUT           (10 minutes)
 *   Checkout cart        CART#<idCart>                   CART             (1 day: the citizen comes back to it)
 *
 * A session item holds no token (only its digest is the key); a cart holds a digest of its
 * owner's fiscal code, not the code.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AssertionLedger,
  CitizenCart,
  CitizenCarts,
  CitizenSession,
  CitizenSessions,
  PendingLogout,
  PendingLogouts,
  PendingSignIn,
  SignInRequests,
} from '../../use-cases/citizens/ports';
import { isConditionFailure } from './client';

const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const epochSeconds = (d: Date): number => Math.ceil(d.getTime() / 1000);
const alive = (item: Record<string, unknown> | undefined, now: Date): item is Record<string, unknown> =>
  item !== undefined && typeof item['expiresAt'] === 'number' && item['expiresAt'] * 1000 > now.getTime();

/** base of the four stores: one table, one clock */
abstract class CitizenItems {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
    protected readonly clock: () => Date = () => new Date(),
  ) {}
}

export class DynamoSignInRequests extends CitizenItems implements SignInRequests {
  async save(relayState: string, request: PendingSignIn, expiresAt: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `SIGNIN#${digest(relayState)}`, sk: 'SIGNIN', type: 'citizen-sign-in', ...request, expiresAt: epochSeconds(expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consume(relayState: string): Promise<PendingSignIn | undefined> {
    try {
      const r = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `SIGNIN#${digest(relayState)}`, sk: 'SIGNIN' },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item = r.Attributes;
      if (!alive(item, this.clock())) return undefined;
      return {
        requestId: String(item['requestId']),
        identityProvider: String(item['identityProvider']),
        issuedAt: String(item['issuedAt']),
        returnTo: String(item['returnTo']),
      };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

export class DynamoAssertionLedger extends CitizenItems implements AssertionLedger {
  async firstUse(identityProvider: string, assertionId: string, until: Date): Promise<boolean> {
    const seen = digest(`${identityProvider}\n${assertionId}`);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `ASSERTION#${seen}`, sk: 'ASSERTION', type: 'saml-assertion-seen', expiresAt: epochSeconds(until) },
          // an expired mark the TTL has not deleted yet does not count
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': epochSeconds(this.clock()) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

export class DynamoCitizenSessions extends CitizenItems implements CitizenSessions {
  async create(key: string, session: CitizenSession): Promise<void> {
    const expiresAt = epochSeconds(new Date(session.expiresAt));
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: `CITIZEN_SESSION#${key}`, sk: 'SESSION', type: 'citizen-session', ...session, sessionExpiresAt: session.expiresAt, expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: this.tableName, Item: { pk: nameIdPk(session.identityProvider, session.nameId), sk: `SESSION#${key}`, type: 'citizen-session-by-nameid', expiresAt } } },
        ],
      }),
    );
  }

  async get(key: string): Promise<CitizenSession | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `CITIZEN_SESSION#${key}`, sk: 'SESSION' }, ConsistentRead: true }));
    const item = r.Item;
    if (!alive(item, this.clock())) return undefined;
    return {
      fiscalNumber: String(item['fiscalNumber']),
      name: String(item['name']),
      familyName: String(item['familyName']),
      ...(typeof item['email'] === 'string' ? { email: item['email'] } : {}),
      spidLevel: item['spidLevel'] as CitizenSession['spidLevel'],
      identityProvider: String(item['identityProvider']),
      scheme: item['scheme'] as CitizenSession['scheme'],
      nameId: String(item['nameId']),
      ...(typeof item['sessionIndex'] === 'string' ? { sessionIndex: item['sessionIndex'] } : {}),
      formToken: String(item['formToken']),
      createdAt: String(item['createdAt']),
      expiresAt: String(item['sessionExpiresAt']),
    };
  }

  async delete(key: string): Promise<void> {
    const r = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `CITIZEN_SESSION#${key}`, sk: 'SESSION' }, ReturnValues: 'ALL_OLD' }));
    const old = r.Attributes;
    if (old && typeof old['nameId'] === 'string') {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: nameIdPk(String(old['identityProvider']), old['nameId']), sk: `SESSION#${key}` } }));
    }
  }

  async deleteByNameId(identityProvider: string, nameId: string): Promise<number> {
    const pk = nameIdPk(identityProvider, nameId);
    const r = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
    let ended = 0;
    for (const item of r.Items ?? []) {
      const key = String(item['sk']).slice('SESSION#'.length);
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `CITIZEN_SESSION#${key}`, sk: 'SESSION' } }));
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: String(item['sk']) } }));
      ended++;
    }
    return ended;
  }
}

const nameIdPk = (identityProvider: string, nameId: string): string => `CITIZEN_NAMEID#${digest(`${identityProvider}\n${nameId}`)}`;

export class DynamoPendingLogouts extends CitizenItems implements PendingLogouts {
  async save(relayState: string, logout: PendingLogout, expiresAt: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `LOGOUT#${digest(relayState)}`, sk: 'LOGOUT', type: 'citizen-logout', ...logout, expiresAt: epochSeconds(expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consume(relayState: string): Promise<PendingLogout | undefined> {
    try {
      const r = await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: `LOGOUT#${digest(relayState)}`, sk: 'LOGOUT' }, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' }),
      );
      const item = r.Attributes;
      if (!alive(item, this.clock())) return undefined;
      return { requestId: String(item['requestId']), identityProvider: String(item['identityProvider']), issuedAt: String(item['issuedAt']) };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

export class DynamoCitizenCarts extends CitizenItems implements CitizenCarts {
  async save(cart: CitizenCart, expiresAt: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `CART#${cart.idCart}`, sk: 'CART', type: 'citizen-cart', ...cart, expiresAt: epochSeconds(expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(idCart: string): Promise<CitizenCart | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `CART#${idCart}`, sk: 'CART' } }));
    const item = r.Item;
    if (!alive(item, this.clock())) return undefined;
    return {
      idCart: String(item['idCart']),
      owner: String(item['owner']),
      organizationFiscalCode: String(item['organizationFiscalCode']),
      notices: (item['notices'] as CitizenCart['notices']) ?? [],
      createdAt: String(item['createdAt']),
    };
  }
}
