// Reactive history: every analysis saved as it finishes, listed newest first with search and
// filters, opened without running a model, deleted with undo, exported and imported. A failed
// write keeps the record on screen and in memory and says so; other tabs are told of changes.
import {
  EMPTY_QUERY,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  filterRecords,
  readExportFile,
  toCsv,
  type ExportFile,
  type HistoryQuery,
  type HistoryRecord,
} from '../domain/history';
import { blobToDataUrl, dataUrlToBlob } from '../storage/data-url';
import type { HistoryStore } from '../storage/history-store';

/** Records shown per page of the list. */
export const PAGE_SIZE = 50;

/** Result of an import, for the message shown. */
export interface ImportReport {
  readonly added: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly error: string | null;
}

/** The history's state. */
export class HistoryState {
  #store: HistoryStore | null = null;
  readonly #openStore: () => Promise<HistoryStore>;
  readonly #channel: BroadcastChannel | null;

  records = $state.raw<readonly HistoryRecord[]>([]);
  /** Ids shown but not written to storage (a write failed). */
  unsaved = $state.raw<ReadonlySet<string>>(new Set());
  loaded = $state(false);
  persistent = $state(true);
  unreadable = $state(0);
  query = $state<HistoryQuery>({ ...EMPTY_QUERY });
  shown = $state(PAGE_SIZE);
  selected = $state.raw<ReadonlySet<string>>(new Set());
  openId = $state<string | null>(null);
  /** Records removed by the last delete, for Undo. */
  undoable = $state.raw<readonly HistoryRecord[]>([]);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Whether the browser promised not to evict this site's data; null until known. */
  persisted = $state<boolean | null>(null);
  #askedPersist = false;

  readonly visible = $derived(filterRecords(this.records, this.query));
  /** Rough size of the history: texts and scores as JSON, plus thumbnails. */
  readonly approxBytes = $derived(
    this.records.reduce((n, r) => n + JSON.stringify({ ...r, thumbnail: null }).length + (r.thumbnail?.size ?? 0), 0),
  );
  readonly open = $derived(this.records.find((r) => r.id === this.openId) ?? null);

  constructor(openStore: () => Promise<HistoryStore>, channelName: string | null = 'moodlens-history') {
    this.#openStore = openStore;
    this.#channel = channelName && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(channelName) : null;
    this.#channel?.addEventListener('message', () => void this.reload());
  }

  /** Opens the store and reads every record. */
  async load(): Promise<void> {
    this.#store = await this.#openStore();
    this.persistent = this.#store.persistent;
    await this.reload();
    this.loaded = true;
    this.persisted = (await navigator.storage?.persisted?.().catch(() => null)) ?? null;
  }

  /**
   * Asks the browser to keep this site's data (history, model) from eviction, once, after the
   * first saved analysis: real use, not a first visit.
   */
  async #askPersistence(): Promise<void> {
    if (this.#askedPersist || this.persisted) return;
    this.#askedPersist = true;
    this.persisted = (await navigator.storage?.persist?.().catch(() => null)) ?? null;
  }

  /** Re-reads the store (after another tab changed it), keeping unsaved records. */
  async reload(): Promise<void> {
    if (!this.#store) return;
    const { records, unreadable } = await this.#store.list();
    const kept = this.records.filter((r) => this.unsaved.has(r.id) && !records.some((x) => x.id === r.id));
    this.records = [...records, ...kept];
    this.unreadable = unreadable;
  }

  /** Saves a finished analysis; on failure it stays listed, marked unsaved, and the error is shown. */
  async save(record: HistoryRecord): Promise<void> {
    this.records = [...this.records.filter((r) => r.id !== record.id), record];
    try {
      await this.#requireStore().put(record);
      this.#announce();
      if (this.#store?.persistent) void this.#askPersistence();
    } catch (err) {
      this.unsaved = new Set([...this.unsaved, record.id]);
      this.error = `This analysis could not be saved (${describeWriteError(err)}). It stays on screen until you close the page; export the history or free some space.`;
    }
  }

  /** Deletes records; Undo brings them back. */
  async remove(ids: readonly string[]): Promise<void> {
    const doomed = this.records.filter((r) => ids.includes(r.id));
    if (doomed.length === 0) return;
    try {
      await this.#requireStore().remove(ids);
    } catch (err) {
      this.error = `Could not delete (${describeWriteError(err)}).`;
      return;
    }
    this.records = this.records.filter((r) => !ids.includes(r.id));
    this.selected = new Set([...this.selected].filter((id) => !ids.includes(id)));
    if (this.openId && ids.includes(this.openId)) this.openId = null;
    this.undoable = doomed;
    this.message = `Deleted ${doomed.length} ${doomed.length === 1 ? 'analysis' : 'analyses'}.`;
    this.#announce();
  }

  /** Restores what the last delete removed. */
  async undo(): Promise<void> {
    const back = this.undoable;
    if (back.length === 0) return;
    await this.#requireStore().putMany(back);
    this.records = [...this.records, ...back];
    this.undoable = [];
    this.message = `Restored ${back.length} ${back.length === 1 ? 'analysis' : 'analyses'}.`;
    this.#announce();
  }

  /** Deletes everything (the view asks for confirmation first). */
  async clearAll(): Promise<void> {
    await this.#requireStore().clear();
    this.records = [];
    this.selected = new Set();
    this.openId = null;
    this.undoable = [];
    this.message = 'History cleared.';
    this.#announce();
  }

  toggleSelected(id: string): void {
    const next = new Set(this.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.selected = next;
  }

  /** The records an export covers: the selection, or all. */
  #exportSet(): HistoryRecord[] {
    const chosen = this.selected.size > 0 ? this.records.filter((r) => this.selected.has(r.id)) : [...this.records];
    return chosen.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The JSON export file (thumbnails as data URLs). */
  async exportJson(): Promise<Blob> {
    const records = await Promise.all(
      this.#exportSet().map(async (r) => ({ ...r, thumbnail: r.thumbnail ? await blobToDataUrl(r.thumbnail) : null })),
    );
    const file: ExportFile = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), records };
    return new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' });
  }

  /** The CSV export, one row per analysis. */
  exportCsv(): Blob {
    return new Blob([toCsv(this.#exportSet())], { type: 'text/csv' });
  }

  /** Merges an export file by id; a bad file changes nothing. */
  async importFile(file: Blob): Promise<ImportReport> {
    const plan = readExportFile(await file.text());
    if (plan.error) return this.#reported({ added: 0, skipped: 0, rejected: plan.rejected, error: plan.error });
    const known = new Set(this.records.map((r) => r.id));
    const fresh = plan.records.filter(({ record }) => !known.has(record.id));
    const records = fresh.map(({ record, thumbnail }) => ({ ...record, thumbnail: thumbnail ? dataUrlToBlob(thumbnail) : null }));
    try {
      await this.#requireStore().putMany(records);
    } catch (err) {
      return this.#reported({ added: 0, skipped: 0, rejected: plan.rejected, error: `Nothing was imported (${describeWriteError(err)}).` });
    }
    this.records = [...this.records, ...records];
    this.#announce();
    return this.#reported({ added: records.length, skipped: plan.records.length - records.length, rejected: plan.rejected, error: null });
  }

  #reported(report: ImportReport): ImportReport {
    this.error = report.error;
    this.message = report.error
      ? null
      : `Imported ${report.added} ${report.added === 1 ? 'analysis' : 'analyses'}; ${report.skipped} already here, ${report.rejected} rejected.`;
    return report;
  }

  #requireStore(): HistoryStore {
    if (!this.#store) throw new Error('History is not loaded yet.');
    return this.#store;
  }

  #announce(): void {
    this.#channel?.postMessage({ type: 'changed' });
  }
}

function describeWriteError(err: unknown): string {
  if (err instanceof DOMException && err.name === 'QuotaExceededError') return 'the browser storage for this site is full';
  return err instanceof Error ? err.message : String(err);
}
