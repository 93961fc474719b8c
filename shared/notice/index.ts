export { renderNotice, formatDueDate, installmentColumns, type RenderOptions } from './render';
export { qrPayload, posteDataMatrixPayload, posteText, type PosteCodelineInput } from './barcodes';
export {
  noticeDocumentSchema,
  parseNoticeDocument,
  NoticeValidationError,
  MAX_PRINTABLE_AMOUNT_CENTS,
  type NoticeDocument,
  type ValidNoticeDocument,
} from '../domain/notice/document';
export { LogoError } from './logo';
export {
  renderReceiptPdf,
  receiptDocumentOf,
  receiptDocumentSchema,
  formatRomeDateTime,
  ReceiptDocumentError,
  type ReceiptDocument,
  type ReceiptDocumentTransfer,
  type ReceiptParty,
  type ReceiptRenderOptions,
} from './receipt-pdf';
