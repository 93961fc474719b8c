/**
 * The key design of the single table (see README "Storage"). Every item has `type` so the stream
 * dispatcher and humans can tell them apart.
 *
 *   item              pk                              sk                      GSIs
 *   organization      ORG#<ofc>                       PROFILE                 gsi1 (ORGANIZATIONS)
 *   IUV counter       ORG#<ofc>                       COUNTER#IUV
 *   API key (by org)  ORG#<ofc>                       APIKEY#<keyId>
 *   API key (lookup)  APIKEY#<sha256 of key>          APIKEY
 *   webhook secret    ORG#<ofc>                       SECRET#<secretId>
 *   debt position     POS#<ofc>#<iupd>                POSITION                gsi2 (by status, due date)
 *                                                                             gsi3 (by debtor)
 *                                                                             gsi1 (ORG#<ofc>#UNLISTED) only when
 *                                                                             written by a store that does not keep
 *                                                                             the listing (see "Lists" below)
 *   listing entry     POS#<ofc>#<iupd>                LIST#<ordering>…        gsi1 (by ordering) · gsi2 (by status, ordering)
 *   staged update     POS#<ofc>#<iupd>                STAGED#<batchId>        (a bulk update not committed yet)
 *   audit entry       POS#<ofc>#<iupd>                AUDIT#<at>#<version>
 *   audit batch       AUDITS#<ofc>#<writer>           B#<iupd>#<version>      (a bulk write's audit lines, TTL 30 days: audit-batches.ts)
 *   notice number     IUV#<ofc>#<iuv>                 IUV                     (uniqueness + lookup by NAV)
 *   domain event      EVENT#<eventId>                 EVENT                   (outbox, TTL 7 days)
 *   position counters ORG#<ofc>                       POSCOUNT#<shard>        (positions per status, list generations)
 *   list bookmarks    ORG#<ofc>                       BOOKMARK#<list>         (keys every 1000 entries of a list)
 *   bulk operation    ORG#<ofc>                       BULK#<startedAt>#<id>   (a v2 bulk call until it is done)
 */
export const orgPk = (ofc: string): string => `ORG#${ofc}`;
export const positionPk = (ofc: string, iupd: string): string => `POS#${ofc}#${iupd}`;
export const iuvPk = (ofc: string, iuv: string): string => `IUV#${ofc}#${iuv}`;
export const apiKeyPk = (hash: string): string => `APIKEY#${hash}`;
export const eventPk = (eventId: string): string => `EVENT#${eventId}`;

export const SK = {
  profile: 'PROFILE',
  iuvCounter: 'COUNTER#IUV',
  position: 'POSITION',
  iuv: 'IUV',
  apiKey: 'APIKEY',
  event: 'EVENT',
  apiKeyOfOrg: (keyId: string): string => `APIKEY#${keyId}`,
  secret: (secretId: string): string => `SECRET#${secretId}`,
  audit: (at: string, version: number): string => `AUDIT#${at}#${String(version).padStart(8, '0')}`,
  positionCounter: (shard: number): string => `POSCOUNT#${String(shard).padStart(2, '0')}`,
  positionCounterPrefix: 'POSCOUNT#',
  bookmark: (list: string): string => `BOOKMARK#${list}`,
  bulk: (startedAt: string, batchId: string): string => `BULK#${startedAt}#${batchId}`,
  bulkPrefix: 'BULK#',
  staged: (batchId: string): string => `STAGED#${batchId}`,
} as const;

export const gsi = {
  byStatus: (ofc: string, status: string): string => `ORG#${ofc}#STATUS#${status}`,
  byDebtor: (ofc: string, fiscalCode: string): string => `ORG#${ofc}#DEBTOR#${fiscalCode}`,
} as const;

/**
 * Lists (GET …/debtpositions): small listing entries beside each position, written in the same
 * transaction as the position by the positions store (shared/adapters/dynamo/position-listing.ts):
 *   entry             sk                     gsi1pk (whole tenant)          gsi2pk (one status)             sort key
 *   by inserted date  LIST#INS               ORG#<ofc>#L#INS                ORG#<ofc>#L#INS#<status>        <insertedDate>#<iupd>
 *   by iupd           LIST#IUPD              ORG#<ofc>#L#IUPD               ORG#<ofc>#L#IUPD#<status>       <iupd>
 *   by company name   LIST#COMPANY           ORG#<ofc>#L#COMPANY            ORG#<ofc>#L#COMPANY#<status>    <companyName>#<iupd>
 *   by due date       LIST#DUE               ORG#<ofc>#L#DUE                ORG#<ofc>#L#DUE#<status>        <first due date>#<iupd>
 *   per due day       LIST#DAY#<day>         ORG#<ofc>#L#DAY                ORG#<ofc>#L#DAY#<status>        <Rome day>#<iupd>
 *   paid              LIST#PAY               ORG#<ofc>#L#PAY                ORG#<ofc>#L#PAY#<status>        <paymentDate>#<iupd>
 *   by IBAN           LIST#IBAN#<iban>       ORG#<ofc>#L#IBAN#<iban>        —                               <iupd>
 * LIST#INS also holds the state the counters count the position in (its status, dates, IBANs, debtor name).
 * The debtor-name search: LIST#INS, LIST#IUPD, LIST#COMPANY and LIST#DUE each carry one rotation of
 * the debtor's normalized name (shared/domain/debtor-name.ts) in gsi3:
 *   gsi3pk ORG#<ofc>#L#NAME   gsi3sk <rotation>#<iupd>   nm <normalized name>   nr <rotation number>
 */
export type ListOrdering = 'INS' | 'IUPD' | 'COMPANY' | 'DUE' | 'DAY' | 'PAY';
export const LIST_SK = {
  prefix: 'LIST#',
  ordered: (ordering: Exclude<ListOrdering, 'DAY'>): string => `LIST#${ordering}`,
  day: (day: string): string => `LIST#DAY#${day}`,
  iban: (iban: string): string => `LIST#IBAN#${iban}`,
} as const;
export const listGsi = {
  ordered: (ofc: string, ordering: ListOrdering): string => `ORG#${ofc}#L#${ordering}`,
  orderedInStatus: (ofc: string, ordering: ListOrdering, status: string): string => `ORG#${ofc}#L#${ordering}#${status}`,
  iban: (ofc: string, iban: string): string => `ORG#${ofc}#L#IBAN#${iban}`,
  /** gsi3: the debtors' names, one rotation per entry (shared/domain/debtor-name.ts) */
  name: (ofc: string): string => `ORG#${ofc}#L#NAME`,
  /** positions written by a store that does not keep the listing (the receipt store): reconciled by the next list */
  unlisted: (ofc: string): string => `ORG#${ofc}#UNLISTED`,
} as const;

/**
 * Receipts (ricevute), one partition per notice:
 *   item              pk                              sk                      GSIs
 *   receipt           RCPT#<ofc>#<iuv>                RECEIPT#<receiptId>     gsi1 (ORG#<ofc>#RECEIPTS, by recordedAt)
 *   (outcome KO)                                      RECEIPT#<receiptId>#KO  (never blocks an OK receipt with the same id)
 *   paid guard        RCPT#<ofc>#<iuv>                PAID                    (one per option: the receipt that paid it)
 *   anomaly           RCPT#<ofc>#<iuv>                ANOMALY#<receiptId>     gsi1 (ORG#<ofc>#RECEIPT_ANOMALIES, by recordedAt)
 */
export const receiptPk = (ofc: string, iuv: string): string => `RCPT#${ofc}#${iuv}`;
export const RECEIPT_SK = {
  receipt: (receiptId: string, outcome: 'OK' | 'KO' = 'OK'): string =>
    outcome === 'OK' ? `RECEIPT#${receiptId}` : `RECEIPT#${receiptId}#KO`,
  paid: 'PAID',
  anomaly: (receiptId: string): string => `ANOMALY#${receiptId}`,
} as const;
export const receiptGsi = {
  receipts: (ofc: string): string => `ORG#${ofc}#RECEIPTS`,
  anomalies: (ofc: string): string => `ORG#${ofc}#RECEIPT_ANOMALIES`,
} as const;

/**
 * Outgoing webhooks (back offices told what was paid):
 *   item              pk                              sk                      GSIs
 *   subscriber        ORG#<ofc>                       WEBHOOK#<id>
 *   delivery          WHDLV#<ofc>#<id>                DELIVERY#<eventId>      gsi1 (ORG#<ofc>#WEBHOOK#<id>#DELIVERIES, by first attempt)
 *                                                                             gsi3 (ORG#<ofc>#POS#<iupd>#WEBHOOK_DELIVERIES, an event about a position: subscriber-store.ts)
 *                                                                             TTL 30 days
 */
export const webhookDeliveryPk = (ofc: string, subscriberId: string): string => `WHDLV#${ofc}#${subscriberId}`;
export const WEBHOOK_SK = {
  subscriberPrefix: 'WEBHOOK#',
  subscriber: (subscriberId: string): string => `WEBHOOK#${subscriberId}`,
  delivery: (eventId: string): string => `DELIVERY#${eventId}`,
} as const;
export const webhookGsi = {
  deliveries: (ofc: string, subscriberId: string): string => `ORG#${ofc}#WEBHOOK#${subscriberId}#DELIVERIES`,
} as const;

/**
 * App IO messages (citizen messages), one partition per position:
 *   item              pk                              sk                      notes
 *   message record    IOMSG#<ofc>#<iupd>              MSG#<nav>#<kind>        claim → sent | failed | skipped (the dedup key);
 *                                                                             gsi1 (ORG#<ofc>#IO_MESSAGES, by createdAt): the console's day
 *   template          ORG#<ofc>                       IOTEMPLATE#<kind>       saved over the API
 *   rate window       IORATE#<ofc>#<serviceId>        W#<epoch second>        calls made in that second, TTL 2 minutes
 */
export const ioMessagePk = (ofc: string, iupd: string): string => `IOMSG#${ofc}#${iupd}`;
export const ioMessageGsi = (ofc: string): string => `ORG#${ofc}#IO_MESSAGES`;
export const ioRatePk = (ofc: string, serviceId: string): string => `IORATE#${ofc}#${serviceId}`;
export const IO_SK = {
  message: (nav: string, kind: string): string => `MSG#${nav}#${kind}`,
  messagePrefix: 'MSG#',
  templatePrefix: 'IOTEMPLATE#',
  template: (kind: string): string => `IOTEMPLATE#${kind}`,
  rateWindow: (epochSecond: number): string => `W#${epochSecond}`,
} as const;
