/**
 * Bulk uploads of tax lists: the list of the last 30 days with the upload form, and one upload's
 * screen (a progress bar while it runs, then the refused rows, the result file, the notice batch
 * and the App IO release that follow it).
 */
import { SignedOut, getBlob, getJson, postForm, postJson, type NoticeBatchSummary, type UploadReport, type UploadStatus } from './api';
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

export async function uploadsScreen(ctx: ScreenContext, ofc: string): Promise<void> {
  const { items } = await getJson<{ items: UploadStatus[] }>(`${orgPath(ofc)}/uploads`);
  const errorsBox = h('div', { id: 'errori-caricamento', tabindex: -1 });
  const form = ctx.canWrite
    ? h(
        'form',
        { class: 'row g-3 mb-4', id: 'carica', 'aria-label': 'Carica una lista', novalidate: true },
        field('file-lista', 'File della lista (CSV nel tracciato GovPay, o ZIP con il JSON di GPD; fino a 4 MB)', h('input', { class: 'form-control', type: 'file', id: 'file-lista', name: 'file', accept: '.csv,.zip,text/csv,application/zip', required: true }), 'col-md-8'),
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
    progressText.textContent = `${UPLOAD_STATES[s.operationStatus] ?? s.operationStatus}: ${s.processedItem} di ${s.submittedItem} righe elaborate.`;
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
    paintFollowUp(ofc, data.status, data.noticeBatch, batchBox, ioBox);
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
function paintFollowUp(ofc: string, s: UploadStatus, batch: NoticeBatchSummary | undefined, batchBox: HTMLElement, ioBox: HTMLElement): void {
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
      // there is no archive of the batch: each PDF is downloaded from its position (or GET …/notices/batches/{id} of the back-office API)
      h('p', { class: 'small' }, 'Ogni avviso si scarica in PDF dal dettaglio della sua posizione; il gestionale trova l’elenco completo nel lotto ', h('code', {}, s.noticeBatchId), ' dell’API (notices/batches).'),
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

async function downloadResult(ctx: ScreenContext, ofc: string, fileId: string, outcome: HTMLElement): Promise<void> {
  try {
    saveDownload(await getBlob(`${orgPath(ofc)}/uploads/${encodeURIComponent(fileId)}/result`), `esito-${fileId}.csv`);
    announce('File di esito scaricato.');
  } catch (error) {
    if (error instanceof SignedOut) return ctx.signedOut();
    outcome.append(alertBox('danger', problemText(error)));
  }
}
