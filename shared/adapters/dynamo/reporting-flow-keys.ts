/**
 * Reconciliation items in the single table (the rest of the key design: keys.ts):
 *
 *   item                pk                                    sk                                        GSIs
 *   FdR acquisition     ORG#<ofc>                             FDR#STATE                                 (publishedGt watermark, failures)
 *   FdR key (local)     ORG#<ofc>                             FDR#KEY                                   (the seed's key; on AWS: Secrets Manager)
 *   flow revision       FDR#<ofc>#<flowId>                    PSP#<pspId>#REV#<revision 8>              gsi1 ORG#<ofc>#FDRS, <flowDate>#<flowId>#<pspId> (latest revision only)
 *   open credit ptr     FDR#<ofc>#<flowId>                    TREASURY#<movementId>                     (a credit naming a flow not known yet)
 *   flow line           FDRL#<ofc>#<flowId>#<pspId>#<rev>     L#<index 9>
 *   claim               RCPT#<ofc>#<iuv>                      FDRCLAIM#<iur>#<idTransfer>#<flow>#<psp>#<rev>#<index>
 *                                                                                                       (a line waiting for its receipt: found when the receipt is applied)
 *   reported marker     RCPT#<ofc>#<iuv>                      FDRREP#<receiptId>#<idTransfer>           gsi1 ORG#<ofc>#FDRREPORTED, <receipt recordedAt>#<iuv>#<receiptId>#<idTransfer>
 *                                                                                                       (which flow reported a receipt transfer: the reconciliation summary)
 *   audit batch         AUDITS#<ofc>#fdr:<flowId>:<pspId>:<rev>  B#<first iupd>#<its version 8>         (TTL 30 days; the audit lines of one report transaction: audit-batches.ts)
 *   anomaly             RECON#<ofc>                           ANOM#<kind>#<ref>
 *   treasury movement   TRES#<ofc>                            MOV#<valueDate>#<movementId>
 */
export const FDR_SK = { state: 'FDR#STATE', key: 'FDR#KEY' } as const;

export const flowPk = (ofc: string, flowId: string): string => `FDR#${ofc}#${flowId}`;
export const flowSk = (pspId: string, revision: number): string => `PSP#${pspId}#REV#${String(revision).padStart(8, '0')}`;
export const flowListPk = (ofc: string): string => `ORG#${ofc}#FDRS`;
export const flowListSk = (flowDate: string, flowId: string, pspId: string): string => `${flowDate}#${flowId}#${pspId}`;
export const linePk = (ofc: string, flowId: string, pspId: string, revision: number): string => `FDRL#${ofc}#${flowId}#${pspId}#${revision}`;
export const lineSk = (index: number): string => `L#${String(index).padStart(9, '0')}`;
export const claimPrefix = (iur: string): string => `FDRCLAIM#${iur}#`;
export const claimSk = (iur: string, idTransfer: number, flowId: string, pspId: string, revision: number, index: number): string =>
  `FDRCLAIM#${iur}#${idTransfer}#${flowId}#${pspId}#${revision}#${index}`;
export const reportedSk = (receiptId: string, idTransfer: number): string => `FDRREP#${receiptId}#${idTransfer}`;
export const reportedGsi = (ofc: string): string => `ORG#${ofc}#FDRREPORTED`;
export const anomalyPk = (ofc: string): string => `RECON#${ofc}`;
export const anomalySk = (kind: string, ref: string): string => `ANOM#${kind}#${ref}`;
export const treasuryPk = (ofc: string): string => `TRES#${ofc}`;
export const movementSk = (valueDate: string, movementId: string): string => `MOV#${valueDate}#${movementId}`;
/** the pointer from a movement id to its movement (a movement is imported once, whatever its dates) */
export const movementIdSk = (movementId: string): string => `MOVID#${movementId}`;
export const openCreditSk = (movementId: string): string => `TREASURY#${movementId}`;
