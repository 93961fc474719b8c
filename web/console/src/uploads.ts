/**
 * Bulk uploads of tax lists: the list of the last 30 days with the upload form, and one upload's
 * screen (a progress bar while it runs, then the refused rows, the result file, the notice batch
 * and the App IO release that follow it).
 */
import { ApiError, SignedOut, TransferError, getBlob, getJson, postForm, postJson, putFile, type NoticeBatchSummary, type PresignedUpload, type UploadReport, type UploadStatus } from './api';
import { announce, h } from './dom';
import { formatDateTime } from './format';
import { actionButton, alertBox, field, link, orgPath, problemText, saveDownload, type ScreenContext } from './ui';

export const UPLOAD_STATES: Record<UploadStatus['operationStatus'], string> = {
  IN_PROGRESS: 'In corso',
  COMPLETED: 'Completato',
  COMPLETED_WITH_WARNINGS: 'Completato con righe scartate',
  COMPLETED_UNSUCCESSFULLY: 'Non riuscito',
};
const OPERATIONS: Record<UploadStatus['operation'], string> = { CREATE: 'Creazione', UPDATE: 'Aggiornamento', DELETE: 'Cancellazione' };

/**
 * The largest file posted to the console API itself (multipart): the API's MAX_INLINE_FILE_BYTES
 * (shared/http/gpd-upload-edge.ts, what a Lambda event carries base64-encoded). A larger file is
 * announced (POST …/uploads/presigned) and PUT by the browser straight to the storage.
 */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;
/** The largest file announced: the API's MAX_PRESIGNED_BYTES (shared/use-cases/bulk-upload/uploads.ts). */
export const PRESIGNED_MAX_BYTES = 200 * 1024 * 1024;

/** A size as the form says it: "4 MB", "5,2 MB" (MB of 1024 × 1024 bytes, as the limits are) */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`;
}

/** What the progress text says: "Invio del file: 35 %", in steps of 5 % (a screen reader hears at most 20 updates) */
export function transferText(sent: number, total: number): string {
  const share = total > 0 ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
  return `Invio del file: ${share === 100 ? 100 : share - (share % 5)} %`;
}

/** Why a large file did not go, in the operator's words: the announcement refused, the storage refusing the PUT, or no answer. */
export function presignedUploadProblem(error: unknown, expiresAt?: string, now = Date.now()): string {
  if (error instanceof ApiError) {
    const fields = new Set(error.errors.map((e) => e.field.replace(/^body\./, '')));
    if (fields.has('fileName')) return 'Il file non è stato accettato: deve essere un CSV nel tracciato GovPay (.csv) o uno ZIP con il JSON di GPD (.zip).';
    if (fields.has('size')) return `Il file non è stato accettato: supera il limite di ${formatMegabytes(PRESIGNED_MAX_BYTES)}.`;
    if (error.status === 403) return `Il file non è stato accettato: il tuo ruolo non consente di caricare liste (${error.detail}).`;
    return `Il file non è stato accettato: Errore ${error.status}: ${error.detail}`;
  }
  if (error instanceof TransferError) {
    const expired = (error.code === 'AccessDenied' && /expired/i.test(error.detail)) || (expiresAt !== undefined && now > Date.parse(expiresAt));
    if (expired) return 'Invio del file non riuscito: il collegamento per l’invio è scaduto prima della fine del trasferimento. Nessuna riga è stata caricata: carica di nuovo il file.';
    if (error.status === 0) return 'Invio del file non riuscito: la connessione con l’archivio dei file si è interrotta. Nessuna riga è stata caricata: controlla la connessione e carica di nuovo il file.';
    return `Invio del file non riuscito: l’archivio dei file ha rifiutato il trasferimento (errore ${error.status}${error.code ? ` ${error.code}` : ''}). Nessuna riga è stata caricata: carica di nuovo il file.`;
  }
  return `Invio del file non riuscito: ${error instanceof Error ? error.message : String(error)}`;
}

export async function uploadsScreen(ctx: ScreenContext, ofc: string): Promise<void> {
  const { items } = await getJson<{ items: UploadStatus[] }>(`${orgPath(ofc)}/uploads`);
  const errorsBox = h('div', { id: 'errori-caricamento', tabindex: -1 });
  const form = ctx.canWrite
    ? h(
        'form',
        { class: 'row g-3 mb-4', id: 'carica', 'aria-label': 'Carica una lista', novalidate: true },
        field(
          'file-lista',
          `File della lista (CSV nel tracciato GovPay, o ZIP con il JSON di GPD; fino a ${formatMegabytes(PRESIGNED_MAX_BYTES)})`,
          h('input', { class: 'form-control', type: 'file', id: 'file-lista', name: 'file', accept: '.csv,.zip,text/csv,application/zip', required: true }),
          'col-md-8',
          `Oltre ${formatMegabytes(INLINE_MAX_BYTES)} il file è inviato direttamente all’archivio dei file, con l’avanzamento dell’invio.`,
        ),
        field(
          'operazione',
          'Operazione',
          h('select', { class: 'form-select', id: 'operazione', name: 'operation' }, ...(['CREATE', 'UPDATE', 'DELETE'] as const).map((o) => h('option', { value: o }, OPERATIONS[o]))),
          'col-md-4',
        ),
        h('div', { class: 'col-12' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'invia-lista' }, 'Carica il file')),
      )
    : null;
  form?.addEventListener('submit', (e) => {
    e.preventDefault();
    void submitUpload(ctx, ofc, form, errorsBox);
  });
  const table = h(
    'table',
    { class: 'table table-sm', id: 'caricamenti' },
    h('caption', {}, 'Caricamenti degli ultimi 30 giorni'),
    h('thead', {}, h('tr', {}, ...['File', 'Operazione', 'Iniziato il', 'Stato', 'Righe elaborate', 'Accettate'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...items.map((u) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: link(ofc, 'caricamenti', u.fileId) }, u.fileName)),
          h('td', {}, OPERATIONS[u.operation] ?? u.operation),
          h('td', {}, formatDateTime(u.startTime)),
          h('td', {}, UPLOAD_STATES[u.operationStatus] ?? u.operationStatus),
          h('td', {}, `${u.processedItem} di ${u.submittedItem}`),
          h('td', {}, u.acceptedItem),
        ),
      ),
    ),
  );
  ctx.render('Caricamento di liste', errorsBox, form, items.length === 0 ? h('p', { id: 'caricamenti' }, 'Nessun caricamento negli ultimi 30 giorni.') : table);
}

async function submitUpload(ctx: ScreenContext, ofc: string, form: HTMLFormElement, errorsBox: HTMLElement): Promise<void> {
  errorsBox.replaceChildren();
  const input = form.querySelector<HTMLInputElement>('#file-lista')!;
  const file = input.files?.[0];
  if (!file) {
    errorsBox.replaceChildren(alertBox('danger', 'Scegli il file della lista da caricare.'));
    input.setAttribute('aria-invalid', 'true');
    return input.focus();
  }
  if (file.size > PRESIGNED_MAX_BYTES) {
    errorsBox.replaceChildren(alertBox('danger', `Il file non è stato accettato: supera il limite di ${formatMegabytes(PRESIGNED_MAX_BYTES)}.`));
    input.setAttribute('aria-invalid', 'true');
    return input.focus();
  }
  input.removeAttribute('aria-invalid');
  if (file.size > INLINE_MAX_BYTES) return submitLargeUpload(ctx, ofc, form, file, errorsBox);
  const button = form.querySelector<HTMLButtonElement>('#invia-lista')!;
  button.disabled = true;
  try {
    const data = new FormData();
    data.append('operation', form.querySelector<HTMLSelectElement>('#operazione')!.value);
    data.append('file', file, file.name);
    const upload = await postForm<UploadStatus>(`${orgPath(ofc)}/uploads`, data);
    location.hash = link(ofc, 'caricamenti', upload.fileId);
  } catch (error) {
    if (error instanceof SignedOut) return ctx.signedOut();
    errorsBox.replaceChildren(alertBox('danger', `Il file non è stato accettato: ${problemText(error)}`));
    errorsBox.focus();
  } finally {
    button.disabled = false;
  }
}

/**
 * A file over INLINE_MAX_BYTES: announced (POST …/uploads/presigned), then PUT by the browser
 * straight to the presigned URL with its progress shown (bar and a polite live text), then the
 * upload's screen, which follows its processing. A failed PUT cancels the announced upload (it
 * would otherwise wait for its file until the URL expired) and says why.
 */
async function submitLargeUpload(ctx: ScreenContext, ofc: string, form: HTMLFormElement, file: File, errorsBox: HTMLElement): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>('#invia-lista')!;
  const input = form.querySelector<HTMLInputElement>('#file-lista')!;
  const bar = h('div', { class: 'progress-bar', role: 'progressbar', id: 'invio-avanzamento', 'aria-labelledby': 'invio-etichetta', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 });
  bar.style.width = '0%'; // CSSOM, not a style attribute (CSP style-src 'self')
  const text = h('p', { id: 'invio-testo', role: 'status', 'aria-live': 'polite', class: 'mt-1' }, 'Invio del file: 0 %');
  const box = h(
    'div',
    { id: 'invio-file', class: 'mb-4', tabindex: -1 },
    h('p', { id: 'invio-etichetta', class: 'mb-1 fw-semibold' }, `Invio del file ${file.name} (${formatMegabytes(file.size)})`),
    h('div', { class: 'progress' }, bar),
    text,
  );
  form.after(box);
  button.disabled = true;
  input.disabled = true;
  box.focus();
  // leaving the console while the file goes would drop the transfer
  const stay = (e: BeforeUnloadEvent) => e.preventDefault();
  window.addEventListener('beforeunload', stay);
  let announced: PresignedUpload | undefined;
  try {
    announced = await postJson<PresignedUpload>(`${orgPath(ofc)}/uploads/presigned`, { fileName: file.name, size: file.size, operation: form.querySelector<HTMLSelectElement>('#operazione')!.value });
    await putFile(announced.uploadUrl, announced.headers, file, (sent, total) => {
      const share = total > 0 ? Math.min(100, Math.round((sent / total) * 100)) : 0;
      bar.style.width = `${share}%`;
      bar.setAttribute('aria-valuenow', String(share));
      bar.setAttribute('aria-valuetext', `${share} %`);
      const next = transferText(sent, total);
      if (text.textContent !== next) text.textContent = next;
    });
    window.removeEventListener('beforeunload', stay);
    if (!ctx.current()) return announce(`File ${file.name} inviato: il caricamento prosegue.`);
    location.hash = link(ofc, 'caricamenti', announced.fileId);
  } catch (error) {
    window.removeEventListener('beforeunload', stay);
    if (error instanceof SignedOut) return ctx.signedOut();
    // the announced upload would wait for its file until its URL expired: ended now (best effort)
    if (announced) await postJson(`${orgPath(ofc)}/uploads/${encodeURIComponent(announced.fileId)}/cancel`).catch(() => undefined);
    box.remove();
    if (!ctx.current()) return;
    errorsBox.replaceChildren(alertBox('danger', presignedUploadProblem(error, announced?.expiresAt)));
    errorsBox.focus();
  } finally {
    button.disabled = false;
    input.disabled = false;
  }
}

/** An upload: a progress bar while it runs (polled every second), then the refused rows and the result file. */
export async function uploadScreen(ctx: ScreenContext, ofc: string, fileId: string): Promise<void> {
  const path = `${orgPath(ofc)}/uploads/${encodeURIComponent(fileId)}`;
  let data = await getJson<{ status: UploadStatus; report?: UploadReport; noticeBatch?: NoticeBatchSummary }>(path);
  const title = `Caricamento ${data.status.fileName}`;
  const back = h('p', {}, h('a', { href: link(ofc, 'caricamenti') }, 'Torna ai caricamenti'));
  const bar = h('div', { class: 'progress-bar', role: 'progressbar', id: 'avanzamento', 'aria-label': 'Righe elaborate', 'aria-valuemin': 0 });
  const progressText = h('p', { id: 'avanzamento-testo' });
  const progress = h('div', { class: 'mb-4' }, h('div', { class: 'progress' }, bar), progressText);
  const paint = (s: UploadStatus) => {
    const total = Math.max(s.submittedItem, s.processedItem);
    const share = total > 0 ? Math.round((s.processedItem / total) * 100) : s.operationStatus === 'IN_PROGRESS' ? 0 : 100;
    bar.style.width = `${share}%`;
    bar.setAttribute('aria-valuenow', String(s.processedItem));
    bar.setAttribute('aria-valuemax', String(total));
    // a presigned upload whose file the storage has not reported yet (on AWS: S3's event, a few seconds)
    const state = s.state === 'AWAITING_FILE' ? 'In attesa del file' : (UPLOAD_STATES[s.operationStatus] ?? s.operationStatus);
    progressText.textContent = `${state}: ${s.processedItem} di ${s.submittedItem} righe elaborate.`;
  };
  paint(data.status);
  const cancel =
    ctx.canWrite && data.status.operationStatus === 'IN_PROGRESS'
      ? actionButton('Annulla il caricamento', 'annulla-caricamento', async () => {
          if (!confirm('Annullare il caricamento? Le righe non ancora elaborate non saranno applicate.')) return;
          try {
            await postJson(`${path}/cancel`);
          } catch (error) {
            if (error instanceof SignedOut) throw error;
            announce(problemText(error));
          }
        }, 'btn-outline-danger')
      : null;
  ctx.render(title, back, progress, cancel, h('div', { id: 'esito-caricamento' }));
  announce(progressText.textContent ?? '');
  while (data.status.operationStatus === 'IN_PROGRESS') {
    await new Promise((r) => setTimeout(r, 1000));
    if (!ctx.current()) return; // the operator moved on
    data = await getJson(path);
    if (!ctx.current()) return;
    paint(data.status);
  }
  cancel?.remove();
  announce(progressText.textContent ?? '');
  const s = data.status;
  const report = data.report;
  const refused = report?.rows ?? [];
  const outcome = document.getElementById('esito-caricamento');
  if (!outcome) return;
  if (s.refusal) {
    // the file itself was refused: no row was read, so there is no row to count or list
    progress.remove();
    outcome.append(alertBox('danger', `File rifiutato (${s.refusal.status}), nessuna riga è stata applicata: ${s.refusal.reason}`));
    return;
  }
  outcome.append(
    h(
      'dl',
      { class: 'row', id: 'riepilogo-caricamento' },
      h('dt', { class: 'col-sm-3' }, 'Righe accettate'),
      h('dd', { class: 'col-sm-9' }, s.acceptedItem),
      h('dt', { class: 'col-sm-3' }, 'Righe scartate'),
      h('dd', { class: 'col-sm-9' }, refused.length + (report?.rowsOmitted ?? 0)),
    ),
    refused.length === 0
      ? h('p', {}, 'Nessuna riga scartata.')
      : h(
          'table',
          { class: 'table table-sm', id: 'righe-scartate' },
          h('caption', {}, 'Righe scartate, con i motivi'),
          h('thead', {}, h('tr', {}, ...['Riga', 'IUPD', 'Esito', 'Motivi'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...refused.map((row) => h('tr', {}, h('th', { scope: 'row' }, (row.lines ?? [row.line]).join(', ')), h('td', {}, row.iupd), h('td', {}, row.statusCode), h('td', {}, h('ul', { class: 'mb-0' }, ...row.reasons.map((reason) => h('li', {}, reason)))))),
          ),
        ),
    report?.rowsOmitted ? h('p', {}, `Altre ${report.rowsOmitted} righe scartate sono nel file di esito.`) : '',
    actionButton('Scarica il file di esito (CSV)', 'scarica-esito', () => downloadResult(ctx, ofc, fileId, outcome), 'btn-outline-primary'),
  );
  if (!s.noticeBatchId && !s.ioMessages) return;
  // what follows a published CREATE upload: its notices rendered in a batch, its App IO messages released at a paced rate
  const batchBox = h('div', { id: 'avvisi-caricamento' });
  const ioBox = h('div', { id: 'messaggi-io-caricamento' });
  outcome.append(
    s.noticeBatchId ? h('section', { 'aria-labelledby': 'titolo-avvisi', class: 'mt-4' }, h('h2', { class: 'h4', id: 'titolo-avvisi' }, 'Avvisi di pagamento'), batchBox) : '',
    s.ioMessages ? h('section', { 'aria-labelledby': 'titolo-messaggi-io', class: 'mt-4' }, h('h2', { class: 'h4', id: 'titolo-messaggi-io' }, 'Messaggi App IO'), ioBox) : '',
  );
  // read again every 2 s while either is under way, for two minutes at most (then the page shows where they were)
  for (let reads = 0; ; reads++) {
    paintFollowUp(ctx, ofc, data.status, data.noticeBatch, batchBox, ioBox);
    const batchRunning = data.status.noticeBatchId !== undefined && (data.noticeBatch === undefined || data.noticeBatch.state === 'PREPARING' || data.noticeBatch.state === 'RUNNING');
    const ioRunning = data.status.ioMessages !== undefined && data.status.ioMessages.state !== 'RELEASED';
    if ((!batchRunning && !ioRunning) || reads >= 60) return;
    await new Promise((r) => setTimeout(r, 2000));
    if (!ctx.current()) return;
    data = await getJson(path);
    if (!ctx.current()) return;
  }
}

const BATCH_STATES: Record<NoticeBatchSummary['state'], string> = {
  PREPARING: 'In preparazione',
  RUNNING: 'In corso',
  DONE: 'Completato',
  DONE_WITH_ERRORS: 'Completato con avvisi non generati',
};
const IO_RELEASE_STATES: Record<NonNullable<UploadStatus['ioMessages']>['state'], string> = {
  WAITING: 'In attesa',
  RELEASING: 'In invio, a ritmo controllato',
  RELEASED: 'Tutti accodati per l’invio',
};

/** The upload's notice batch (rendered, failed, of how many) and its App IO release (paced: when, how many queued). */
function paintFollowUp(ctx: ScreenContext, ofc: string, s: UploadStatus, batch: NoticeBatchSummary | undefined, batchBox: HTMLElement, ioBox: HTMLElement): void {
  const row = (dl: HTMLElement, k: string, v: Node | string | number, id?: string) => dl.append(h('dt', { class: 'col-sm-4' }, k), h('dd', { class: 'col-sm-8', ...(id ? { id } : {}) }, v));
  if (s.noticeBatchId) {
    const dl = h('dl', { class: 'row mb-2', id: 'lotto-avvisi' });
    row(dl, 'Stato', BATCH_STATES[batch?.state ?? 'PREPARING'], 'lotto-stato');
    if (batch?.total !== undefined) {
      row(dl, 'Avvisi generati', `${batch.done ?? 0} di ${batch.total}`, 'lotto-generati');
      row(dl, 'Avvisi non generati', batch.failed ?? 0, 'lotto-non-generati');
    }
    const failures = batch?.failures ?? [];
    batchBox.replaceChildren(
      dl,
      failures.length === 0
        ? ''
        : h(
            'table',
            { class: 'table table-sm', id: 'avvisi-non-generati' },
            h('caption', {}, 'Avvisi non generati, con il motivo'),
            h('thead', {}, h('tr', {}, ...['IUPD', 'Motivo'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...failures.map((f) => h('tr', {}, h('th', { scope: 'row' }, h('a', { href: link(ofc, 'posizioni', f.iupd) }, f.iupd)), h('td', {}, f.reason ?? '—')))),
          ),
      batch?.failuresOmitted ? h('p', {}, `Altri ${batch.failuresOmitted} avvisi non generati.`) : '',
      archiveDownloads(ctx, ofc, batch),
      h('p', { class: 'small' }, 'Ogni avviso si scarica anche in PDF dal dettaglio della sua posizione; il gestionale trova l’elenco completo nel lotto ', h('code', {}, s.noticeBatchId), ' dell’API (notices/batches).'),
    );
  }
  const io = s.ioMessages;
  if (io) {
    const dl = h('dl', { class: 'row mb-2', id: 'rilascio-io' });
    row(dl, 'Stato', IO_RELEASE_STATES[io.state] ?? io.state, 'rilascio-stato');
    row(dl, 'Invio a partire da', s.ioSendAt ? formatDateTime(s.ioSendAt) : 'alla fine del caricamento', 'rilascio-da');
    row(dl, 'Posizioni con messaggi accodati', `${io.released} di ${s.acceptedItem}`, 'rilascio-accodati');
    if (io.releasedUntil) row(dl, 'Ultimo invio previsto entro', formatDateTime(io.releasedUntil), 'rilascio-entro');
    if (io.releasedAt) row(dl, 'Tutti accodati il', formatDateTime(io.releasedAt));
    ioBox.replaceChildren(
      dl,
      h('p', { class: 'small' }, 'I messaggi di un caricamento usano solo una parte della capacità App IO del Comune, perché quelli dei singoli pagamenti passino sempre; l’esito di ciascuno è nel dettaglio della posizione.'),
    );
  }
}

/** The batch's notices as ZIP archives, one button per part of 5,000 (most uploads: one); none while it runs. */
function archiveDownloads(ctx: ScreenContext, ofc: string, batch: NoticeBatchSummary | undefined): Node | string {
  const archives = batch?.archives ?? [];
  if (!batch || archives.length === 0) return '';
  const outcome = h('div', { id: 'esito-archivio' });
  const many = archives.length > 1;
  const buttons = archives.map((a) =>
    actionButton(
      many ? `Scarica gli avvisi ${a.firstPosition}–${a.lastPosition} (ZIP, parte ${a.part} di ${archives.length})` : 'Scarica tutti gli avvisi (ZIP)',
      `scarica-avvisi-${a.part}`,
      async () => {
        outcome.replaceChildren();
        try {
          const name = many ? `avvisi-${batch.batchId}-parte-${a.part}-di-${archives.length}.zip` : `avvisi-${batch.batchId}.zip`;
          saveDownload(await getBlob(`${orgPath(ofc)}/notices/batches/${encodeURIComponent(batch.batchId)}/archive?part=${a.part}`), name);
          announce('Archivio degli avvisi scaricato.');
        } catch (error) {
          if (error instanceof SignedOut) return ctx.signedOut();
          outcome.append(alertBox('danger', problemText(error)));
        }
      },
      'btn-outline-primary me-2 mb-2',
    ),
  );
  return h(
    'div',
    { class: 'mb-2', id: 'archivi-avvisi' },
    h('p', { class: 'mb-2' }, many ? 'Gli avvisi in PDF, in archivi ZIP di 5.000 posizioni nell’ordine del file:' : 'Gli avvisi in PDF in un archivio ZIP, nell’ordine del file:'),
    ...buttons,
    outcome,
  );
}

async function downloadResult(ctx: ScreenContext, ofc: string, fileId: string, outcome: HTMLElement): Promise<void> {
  try {
    saveDownload(await getBlob(`${orgPath(ofc)}/uploads/${encodeURIComponent(fileId)}/result`), `esito-${fileId}.csv`);
    announce('File di esito scaricato.');
  } catch (error) {
    if (error instanceof SignedOut) return ctx.signedOut();
    outcome.append(alertBox('danger', problemText(error)));
  }
}
