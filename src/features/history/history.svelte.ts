// Reactive history: every analysis saved as it finishes, listed newest first with search and
// filters, opened without running a model, deleted with undo, exported and imported. Views read
// getters and call intent methods; every action ends in a result or one clear sentence (never a
// rejected promise). A failed write keeps the record on screen and says so; other tabs are told.
import { isEmotion, type Emotion } from '../../shared/emotions';
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
  type TagFilter,
} from './records';
import { countTags, identicalTags, tagKey, uniqueTags, type TagCount } from './tags';
import { blobToDataUrl, dataUrlToBlob } from '../../shared/data-url';
import type { HistoryStore } from './history-store';
import { errorMessage } from '../../shared/errors';

/** Records shown per page of the list. */
export const PAGE_SIZE = 50;

/** The channel filters, in the order the view offers them. */
export const CHANNEL_FILTERS: ReadonlyArray<HistoryQuery['channels']> = ['any', 'text', 'vision', 'both'];

/** Result of an import, for the message shown. */
export interface ImportReport {
  readonly added: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly error: string | null;
}

/** What a successful Undo did: records brought back, or the records an import had added removed again. */
export interface UndoResult {
  readonly restored: readonly string[];
  readonly removed: readonly string[];
}

/** The browser's promise not to evict this site's data (`navigator.storage` in the app). */
export interface StoragePersistence {
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

/** How a HistoryState talks to the rest of the browser. */
export interface HistoryOptions {
  /** BroadcastChannel shared by the app's tabs; null for none (tests). */
  readonly channelName?: string | null;
  /** Defaults to `navigator.storage`; null where there is none. */
  readonly persistence?: StoragePersistence | null;
}

/** What Undo would take back; it belongs to the message of the action that made it. */
type UndoOffer =
  | { readonly kind: 'restore'; readonly records: readonly HistoryRecord[] }
  | { readonly kind: 'unimport'; readonly ids: readonly string[] };

/** The one message the history shows: the outcome of the latest action, with its Undo if any. */
interface Notice {
  readonly text: string;
  readonly isError: boolean;
  readonly undo: UndoOffer | null;
}

/** The history's state. */
export class HistoryState {
  readonly #openStore: () => Promise<HistoryStore>;
  readonly #channel: BroadcastChannel | null;
  readonly #persistence: StoragePersistence | null;
  #store: HistoryStore | null = null;
  /** The store being opened, so an action started meanwhile waits for it; dropped on failure. */
  #opening: Promise<HistoryStore> | null = null;
  /** Store-changing actions run one after another, so each sees the previous one's outcome. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Ids being written by `save`, kept by a reload that reads the store before the write lands. */
  readonly #writing = new Set<string>();
  /** Reloads can overlap (broadcasts); only the newest one's list is applied. */
  #reloads = 0;
  #askedPersist = false;

  #records = $state.raw<readonly HistoryRecord[]>([]);
  #unsaved = $state.raw<ReadonlySet<string>>(new Set());
  #loaded = $state(false);
  #persistent = $state(true);
  #persisted = $state<boolean | null>(null);
  #unreadable = $state(0);
  #query = $state.raw<HistoryQuery>(EMPTY_QUERY);
  #shown = $state(PAGE_SIZE);
  #selected = $state.raw<ReadonlySet<string>>(new Set());
  #notice = $state.raw<Notice | null>(null);

  readonly #visible = $derived(filterRecords(this.#records, this.#query));
  readonly #page = $derived(this.#visible.slice(0, this.#shown));
  readonly #tagCounts = $derived(countTags(this.#records.map((r) => r.tags)));
  readonly #approxBytes = $derived(
    this.#records.reduce((n, r) => n + JSON.stringify({ ...r, thumbnail: null }).length + (r.thumbnail?.size ?? 0), 0),
  );

  constructor(openStore: () => Promise<HistoryStore>, options: HistoryOptions = {}) {
    this.#openStore = openStore;
    const channelName = options.channelName === undefined ? 'moodlens-history' : options.channelName;
    this.#channel = channelName && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(channelName) : null;
    this.#channel?.addEventListener('message', () => void this.reload());
    this.#persistence = options.persistence === undefined ? browserPersistence() : options.persistence;
  }

  // ---------------------------------------------------------------- what the views read

  /** Every record in memory (saved, and unsaved ones marked in `unsaved`), in no set order. */
  get records(): readonly HistoryRecord[] {
    return this.#records;
  }
  /** Records matching the query, newest first. */
  get visible(): readonly HistoryRecord[] {
    return this.#visible;
  }
  /** The part of `visible` on screen (`PAGE_SIZE` more per `showMore()`). */
  get page(): readonly HistoryRecord[] {
    return this.#page;
  }
  /** How many matching records are not on screen yet. */
  get remaining(): number {
    return this.#visible.length - this.#page.length;
  }
  /** How many records of `visible` are on screen at most. */
  get shown(): number {
    return this.#shown;
  }
  get query(): HistoryQuery {
    return this.#query;
  }
  get selected(): ReadonlySet<string> {
    return this.#selected;
  }
  /**
   * The saved analysis with this id, or null (not loaded yet, deleted here or in another tab).
   * Which one is open is the page's address (the router), so Back and Forward follow it.
   */
  recordById(id: string): HistoryRecord | null {
    return this.#records.find((r) => r.id === id) ?? null;
  }
  /** Ids shown but not written to storage (a write failed). */
  get unsaved(): ReadonlySet<string> {
    return this.#unsaved;
  }
  /** True once the stored records have been read. */
  get loaded(): boolean {
    return this.#loaded;
  }
  /** False when the store is the in-memory stand-in. */
  get persistent(): boolean {
    return this.#persistent;
  }
  /** Whether the browser promised not to evict this site's data; null until known. */
  get persisted(): boolean | null {
    return this.#persisted;
  }
  /** Stored entries this version cannot read (left untouched). */
  get unreadable(): number {
    return this.#unreadable;
  }
  /** Every tag in the history, with how many entries carry it, most used first. */
  get tagCounts(): readonly TagCount[] {
    return this.#tagCounts;
  }
  /** Rough size of the history: texts and scores as JSON, plus thumbnails. */
  get approxBytes(): number {
    return this.#approxBytes;
  }
  /** The outcome of the latest action, when it went well. */
  get message(): string | null {
    return this.#notice && !this.#notice.isError ? this.#notice.text : null;
  }
  /** The outcome of the latest action, when it failed: what happened and what to do. */
  get error(): string | null {
    return this.#notice?.isError ? this.#notice.text : null;
  }
  /** Whether the message on screen comes with an Undo. */
  get canUndo(): boolean {
    return this.#notice?.undo != null;
  }

  // ---------------------------------------------------------------- loading

  /** Opens the store and reads every record. Never rejects: a failure is shown as `error`. */
  async load(): Promise<void> {
    let store: HistoryStore;
    try {
      store = await this.#ready();
    } catch (err) {
      this.#fail(`Saved analyses could not be opened (${errorMessage(err)}). Reload the page to try again.`);
      return;
    }
    if (!(await this.#read(store))) return;
    this.#loaded = true;
    this.#persisted = (await this.#persistence?.persisted().catch(() => null)) ?? null;
  }

  /** Re-reads the store (after another tab changed it), keeping unsaved records. Never rejects. */
  async reload(): Promise<void> {
    if (this.#store) await this.#read(this.#store);
  }

  async #read(store: HistoryStore): Promise<boolean> {
    const turn = ++this.#reloads;
    let listed: Awaited<ReturnType<HistoryStore['list']>>;
    try {
      listed = await store.list();
    } catch (err) {
      if (turn === this.#reloads) this.#fail(`Saved analyses could not be read (${errorMessage(err)}). What is shown may be out of date; reload the page to try again.`);
      return false;
    }
    if (turn !== this.#reloads) return true;
    const stored = new Set(listed.records.map((r) => r.id));
    const kept = this.#records.filter((r) => !stored.has(r.id) && (this.#unsaved.has(r.id) || this.#writing.has(r.id)));
    this.#records = [...listed.records, ...kept];
    this.#unreadable = listed.unreadable;
    this.#unsaved = new Set(kept.filter((r) => this.#unsaved.has(r.id)).map((r) => r.id));
    this.#forgetMissing();
    return true;
  }

  /** The store, opening it once; a failed open is not kept, so the next call tries again. */
  #ready(): Promise<HistoryStore> {
    if (this.#store) return Promise.resolve(this.#store);
    this.#opening ??= this.#openStore().then(
      (store) => {
        this.#store = store;
        this.#persistent = store.persistent;
        return store;
      },
      (err: unknown) => {
        this.#opening = null;
        throw err;
      },
    );
    return this.#opening;
  }

  /**
   * Asks the browser to keep this site's data (history, model) from eviction, once, after the
   * first saved analysis: real use, not a first visit.
   */
  async #askPersistence(): Promise<void> {
    if (this.#askedPersist || this.#persisted || !this.#persistence) return;
    this.#askedPersist = true;
    this.#persisted = (await this.#persistence.persist().catch(() => null)) ?? null;
  }

  // ---------------------------------------------------------------- list intents

  /** Shows records whose text or picture description has all these words; back to the first page. */
  setSearch(text: string): void {
    this.#setQuery({ ...this.#query, search: text });
  }

  /** Shows records whose fused top emotion is `emotion` ('any' for all). */
  setEmotionFilter(emotion: Emotion | 'any'): void {
    if (emotion !== 'any' && !isEmotion(emotion)) throw new Error(`Unknown emotion filter: ${String(emotion)}`);
    this.#setQuery({ ...this.#query, emotion });
  }

  /** Shows records that used these channels ('any' for all). */
  setChannelFilter(channels: HistoryQuery['channels']): void {
    if (!CHANNEL_FILTERS.includes(channels)) throw new Error(`Unknown channel filter: ${String(channels)}`);
    this.#setQuery({ ...this.#query, channels });
  }

  /** Shows records with this tag (any case), records without tags, or all ('any'). */
  setTagFilter(tag: TagFilter): void {
    this.#setQuery({ ...this.#query, tag: typeof tag === 'string' ? tag : { tag: tag.tag } });
  }

  #setQuery(next: HistoryQuery): void {
    const q = this.#query;
    if (next.search === q.search && next.emotion === q.emotion && next.channels === q.channels && sameFilter(next.tag, q.tag)) return;
    this.#query = next;
    this.#shown = PAGE_SIZE;
  }

  /** Puts the next page of matching records on screen. */
  showMore(): void {
    if (this.remaining > 0) this.#shown += PAGE_SIZE;
  }

  /** Selects or unselects a record (for Remove selected and the export). Throws on an unknown id. */
  toggleSelected(id: string): void {
    this.#requireRecord(id);
    const next = new Set(this.#selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.#selected = next;
  }

  /** Hides the message (and the Undo that came with it). */
  dismissMessage(): void {
    this.#notice = null;
  }

  #requireRecord(id: string): void {
    if (!this.#records.some((r) => r.id === id)) throw new Error(`No saved analysis has the id ${id}.`);
  }

  // ---------------------------------------------------------------- store intents

  /**
   * Saves a finished analysis, in turn with the other store actions (a Clear all pressed during a
   * save then clears it too, on disk and on screen alike); on failure it stays listed, marked
   * unsaved, and the error is shown.
   */
  save(record: HistoryRecord): Promise<void> {
    return this.#serial(async () => {
      this.#records = [...this.#records.filter((r) => r.id !== record.id), record];
      this.#writing.add(record.id);
      try {
        const store = await this.#ready();
        await store.put(record);
        if (this.#unsaved.has(record.id)) this.#unsaved = withoutIds(this.#unsaved, [record.id]);
        this.#announce();
        if (store.persistent) void this.#askPersistence();
      } catch (err) {
        this.#unsaved = new Set([...this.#unsaved, record.id]);
        this.#fail(`This analysis could not be saved (${errorMessage(err)}). It stays on screen until you close the page; export the history or free some space.`);
      } finally {
        this.#writing.delete(record.id);
      }
    });
  }

  /**
   * Gives a saved analysis these tags (cleaned, repeats dropped). Resolves false, with `error`
   * set and the old tags kept, when the store refused; true otherwise (also when nothing changed).
   */
  setTags(id: string, tags: readonly string[]): Promise<boolean> {
    return this.#serial(async () => {
      const record = this.recordById(id);
      if (!record) {
        this.#fail('This analysis is no longer in the history (it was deleted here or in another tab), so its tags were not saved.');
        return false;
      }
      const clean = uniqueTags(tags);
      if (identicalTags(clean, record.tags)) return true;
      const next: HistoryRecord = { ...record, tags: clean };
      try {
        await (await this.#ready()).put(next);
      } catch (err) {
        this.#fail(`The tags were not saved (${errorMessage(err)}). The analysis keeps its earlier tags; try again.`);
        return false;
      }
      this.#records = this.#records.map((r) => (r.id === id ? next : r));
      this.#unsaved = withoutIds(this.#unsaved, [id]);
      this.#announce();
      return true;
    });
  }

  /** Deletes records and offers Undo; resolves false (with `error` set) when nothing was deleted. */
  remove(ids: readonly string[]): Promise<boolean> {
    return this.#serial(async () => {
      const wanted = new Set(ids);
      const doomed = this.#records.filter((r) => wanted.has(r.id));
      if (doomed.length === 0) return false;
      const doomedIds = doomed.map((r) => r.id);
      try {
        await (await this.#ready()).remove(doomedIds);
      } catch (err) {
        this.#fail(`Could not delete ${count(doomed.length)} (${errorMessage(err)}). Nothing was deleted; try again.`);
        return false;
      }
      this.#drop(doomedIds);
      this.#notice = { text: `Deleted ${count(doomed.length)}.`, isError: false, undo: { kind: 'restore', records: doomed } };
      this.#announce();
      return true;
    });
  }

  /**
   * Takes back the action whose message is on screen: restores what a delete removed, or removes
   * what an import added. On failure the offer stays (press Undo again) and `error` says why;
   * resolves null then, and when there is nothing to undo.
   */
  undo(): Promise<UndoResult | null> {
    return this.#serial(async () => {
      const offer = this.#notice?.undo;
      if (!offer) return null;
      if (offer.kind === 'restore') {
        const back = offer.records;
        try {
          await (await this.#ready()).putMany(back);
        } catch (err) {
          this.#notice = {
            text: `${the(back.length, 'deleted')} could not be restored (${errorMessage(err)}). Press Undo to try again; export the history first if storage is full.`,
            isError: true,
            undo: offer,
          };
          return null;
        }
        const ids = back.map((r) => r.id);
        const returning = new Set(ids);
        this.#records = [...this.#records.filter((r) => !returning.has(r.id)), ...back];
        this.#unsaved = withoutIds(this.#unsaved, ids);
        this.#notice = { text: `Restored ${count(back.length)}.`, isError: false, undo: null };
        this.#announce();
        return { restored: ids, removed: [] };
      }
      try {
        await (await this.#ready()).remove(offer.ids);
      } catch (err) {
        this.#notice = {
          text: `${the(offer.ids.length, 'imported')} could not be removed (${errorMessage(err)}). Press Undo to try again.`,
          isError: true,
          undo: offer,
        };
        return null;
      }
      this.#drop(offer.ids);
      this.#notice = { text: `Removed ${count(offer.ids.length)} just imported.`, isError: false, undo: null };
      this.#announce();
      return { restored: [], removed: offer.ids };
    });
  }

  /** Deletes everything (the view asks for confirmation first); resolves false when the store refused. */
  clearAll(): Promise<boolean> {
    return this.#serial(async () => {
      try {
        await (await this.#ready()).clear();
      } catch (err) {
        this.#fail(`The history was not cleared (${errorMessage(err)}). Your ${count(this.#records.length)} are still here; try again.`);
        return false;
      }
      this.#records = [];
      this.#unsaved = new Set();
      this.#unreadable = 0;
      this.#forgetMissing();
      this.#notice = { text: 'History cleared.', isError: false, undo: null };
      this.#announce();
      return true;
    });
  }

  /** The records an export covers: the selection, or all; newest first. */
  #exportSet(): HistoryRecord[] {
    const chosen = this.#selected.size > 0 ? this.#records.filter((r) => this.#selected.has(r.id)) : [...this.#records];
    return chosen.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The JSON export file (thumbnails as data URLs), or null with `error` set. Never rejects. */
  exportJson(): Promise<Blob | null> {
    return this.#serial(async () => {
      const chosen = this.#exportSet();
      let records: ExportFile['records'];
      try {
        records = await Promise.all(chosen.map(async (r) => ({ ...r, thumbnail: r.thumbnail ? await blobToDataUrl(r.thumbnail) : null })));
      } catch {
        this.#fail('The export was not made: a picture thumbnail could not be read. Nothing was downloaded; try again, or use Download CSV, which has no pictures.');
        return null;
      }
      try {
        const file: ExportFile = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), records };
        const blob = new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' });
        this.#notice = { text: `Exported ${count(chosen.length)} (JSON).`, isError: false, undo: null };
        return blob;
      } catch (err) {
        this.#fail(`The export was not made (${errorMessage(err)}). Nothing was downloaded; select fewer analyses and try again.`);
        return null;
      }
    });
  }

  /** The CSV export, one row per analysis, or null with `error` set. */
  exportCsv(): Blob | null {
    const chosen = this.#exportSet();
    try {
      const blob = new Blob([toCsv(chosen)], { type: 'text/csv' });
      this.#notice = { text: `Exported ${count(chosen.length)} (CSV).`, isError: false, undo: null };
      return blob;
    } catch (err) {
      this.#fail(`The CSV was not made (${errorMessage(err)}). Nothing was downloaded; select fewer analyses and try again.`);
      return null;
    }
  }

  /**
   * Merges an export file by id: records already here (or repeated in the file) are skipped,
   * invalid ones (or with an unreadable thumbnail) rejected; a bad file changes nothing. Undo
   * is offered when something was added. Never rejects.
   */
  importFile(file: Blob): Promise<ImportReport> {
    return this.#serial(async () => {
      let text: string;
      try {
        text = await file.text();
      } catch (err) {
        return this.#reported({ added: 0, skipped: 0, rejected: 0, error: `The file could not be read (${errorMessage(err)}). Nothing was imported; pick it again.` }, []);
      }
      const plan = readExportFile(text);
      if (plan.error) return this.#reported({ added: 0, skipped: 0, rejected: plan.rejected, error: plan.error }, []);
      const known = new Set(this.#records.map((r) => r.id));
      const fresh: HistoryRecord[] = [];
      let skipped = 0;
      let rejected = plan.rejected;
      for (const { record, thumbnail } of plan.records) {
        if (known.has(record.id)) {
          skipped += 1;
          continue;
        }
        let thumb: Blob | null;
        try {
          thumb = thumbnail ? dataUrlToBlob(thumbnail) : null;
        } catch {
          rejected += 1;
          continue;
        }
        known.add(record.id);
        fresh.push({ ...record, thumbnail: thumb });
      }
      if (fresh.length > 0) {
        try {
          await (await this.#ready()).putMany(fresh);
        } catch (err) {
          return this.#reported({ added: 0, skipped, rejected, error: `Nothing was imported (${errorMessage(err)}). Free some space or import a smaller file, then try again.` }, []);
        }
        this.#records = [...this.#records, ...fresh];
        this.#announce();
      }
      return this.#reported({ added: fresh.length, skipped, rejected, error: null }, fresh.map((r) => r.id));
    });
  }

  #reported(report: ImportReport, added: readonly string[]): ImportReport {
    this.#notice = report.error
      ? { text: report.error, isError: true, undo: null }
      : {
          text: `Imported ${count(report.added)}; ${report.skipped} already here, ${report.rejected} rejected.`,
          isError: false,
          undo: added.length > 0 ? { kind: 'unimport', ids: added } : null,
        };
    return report;
  }

  /** Stops listening to other tabs. */
  dispose(): void {
    this.#channel?.close();
  }

  // ---------------------------------------------------------------- helpers

  /** Runs `task` after every store action started before it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Forgets records the store no longer has. */
  #drop(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.#records = this.#records.filter((r) => !gone.has(r.id));
    this.#unsaved = withoutIds(this.#unsaved, ids);
    this.#forgetMissing();
  }

  /** The selection follows the records (deletes, other tabs). */
  #forgetMissing(): void {
    const present = new Set(this.#records.map((r) => r.id));
    if ([...this.#selected].some((id) => !present.has(id))) this.#selected = new Set([...this.#selected].filter((id) => present.has(id)));
  }

  /** Shows a failure; it replaces the previous message and its Undo. */
  #fail(text: string): void {
    this.#notice = { text, isError: true, undo: null };
  }

  #announce(): void {
    this.#channel?.postMessage({ type: 'changed' });
  }
}

/** `navigator.storage` where the browser has it (secure contexts). */
function browserPersistence(): StoragePersistence | null {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  return storage && typeof storage.persist === 'function' && typeof storage.persisted === 'function' ? storage : null;
}

function sameFilter(a: TagFilter, b: TagFilter): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : tagKey(a.tag) === tagKey(b.tag);
}

function withoutIds(set: ReadonlySet<string>, ids: readonly string[]): ReadonlySet<string> {
  const gone = new Set(ids);
  return new Set([...set].filter((id) => !gone.has(id)));
}

function count(n: number): string {
  return `${n} ${n === 1 ? 'analysis' : 'analyses'}`;
}

/** "The deleted analysis", "The 3 deleted analyses". */
function the(n: number, what: string): string {
  return n === 1 ? `The ${what} analysis` : `The ${n} ${what} analyses`;
}

