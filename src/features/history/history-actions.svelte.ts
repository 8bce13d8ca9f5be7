// History's store actions: loading (and reloading when another tab changed the store), saving a
// finished analysis, tags, delete with Undo, and Clear all. Each runs in the one queue, so writes
// land in order; each ends in a result or one sentence in the notice, never a rejected promise. A
// failed save keeps the record on screen, marked unsaved.
import { identicalTags, uniqueTags } from './tags';
import type { HistoryRecord } from './records';
import type { HistoryStore } from './history-store';
import type { HistoryList } from './history-list.svelte';
import type { HistoryQueue } from './history-queue.svelte';
import { analyses, type HistoryNotice } from './history-notice.svelte';
import { errorMessage } from '../../shared/errors';

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

/** The actions that change the stored history. */
export class HistoryActions {
  readonly #list: HistoryList;
  readonly #notice: HistoryNotice;
  readonly #queue: HistoryQueue;
  readonly #persistence: StoragePersistence | null;
  /** Ids being written by `save`, kept by a reload that reads the store before the write lands. */
  readonly #writing = new Set<string>();
  /** Reloads can overlap (broadcasts); only the newest one's list is applied. */
  #reloads = 0;
  #askedPersist = false;

  #loaded = $state(false);
  #persisted = $state<boolean | null>(null);

  constructor(list: HistoryList, notice: HistoryNotice, queue: HistoryQueue, persistence: StoragePersistence | null) {
    this.#list = list;
    this.#notice = notice;
    this.#queue = queue;
    this.#persistence = persistence;
  }

  /** True once the stored records have been read. */
  get loaded(): boolean {
    return this.#loaded;
  }
  /** Whether the browser promised not to evict this site's data; null until known. */
  get persisted(): boolean | null {
    return this.#persisted;
  }

  // ---------------------------------------------------------------- loading

  /** Opens the store and reads every record. Never rejects: a failure is shown as `error`. */
  async load(): Promise<void> {
    let store: HistoryStore;
    try {
      store = await this.#queue.store();
    } catch (err) {
      this.#notice.fail(`Saved analyses could not be opened (${errorMessage(err)}). Reload the page to try again.`);
      return;
    }
    if (!(await this.#read(store))) return;
    this.#loaded = true;
    this.#persisted = (await this.#persistence?.persisted().catch(() => null)) ?? null;
  }

  /** Re-reads the store (after another tab changed it), keeping unsaved records. Never rejects. */
  async reload(): Promise<void> {
    const store = this.#queue.opened;
    if (store) await this.#read(store);
  }

  async #read(store: HistoryStore): Promise<boolean> {
    const turn = ++this.#reloads;
    let listed: Awaited<ReturnType<HistoryStore['list']>>;
    try {
      listed = await store.list();
    } catch (err) {
      if (turn === this.#reloads) this.#notice.fail(`Saved analyses could not be read (${errorMessage(err)}). What is shown may be out of date; reload the page to try again.`);
      return false;
    }
    if (turn === this.#reloads) this.#list.replaceStored(listed, this.#writing);
    return true;
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

  // ---------------------------------------------------------------- store intents

  /**
   * Saves a finished analysis, in turn with the other store actions (a Clear all pressed during a
   * save then clears it too, on disk and on screen alike); on failure it stays listed, marked
   * unsaved, and the error is shown.
   */
  save(record: HistoryRecord): Promise<void> {
    return this.#queue.serial(async () => {
      this.#list.put([record]);
      this.#writing.add(record.id);
      try {
        const store = await this.#queue.store();
        await store.put(record);
        this.#list.markSaved([record.id]);
        this.#queue.announce();
        if (store.persistent) void this.#askPersistence();
      } catch (err) {
        this.#list.markUnsaved(record.id);
        this.#notice.fail(`This analysis could not be saved (${errorMessage(err)}). It stays on screen until you close the page; export the history or free some space.`);
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
    return this.#queue.serial(async () => {
      const record = this.#list.recordById(id);
      if (!record) {
        this.#notice.fail('This analysis is no longer in the history (it was deleted here or in another tab), so its tags were not saved.');
        return false;
      }
      const clean = uniqueTags(tags);
      if (identicalTags(clean, record.tags)) return true;
      const next: HistoryRecord = { ...record, tags: clean };
      try {
        await (await this.#queue.store()).put(next);
      } catch (err) {
        this.#notice.fail(`The tags were not saved (${errorMessage(err)}). The analysis keeps its earlier tags; try again.`);
        return false;
      }
      this.#list.replace(next);
      this.#queue.announce();
      return true;
    });
  }

  /** Deletes records and offers Undo; resolves false (with `error` set) when nothing was deleted. */
  remove(ids: readonly string[]): Promise<boolean> {
    return this.#queue.serial(async () => {
      const wanted = new Set(ids);
      const doomed = this.#list.records.filter((r) => wanted.has(r.id));
      if (doomed.length === 0) return false;
      const doomedIds = doomed.map((r) => r.id);
      try {
        await (await this.#queue.store()).remove(doomedIds);
      } catch (err) {
        this.#notice.fail(`Could not delete ${analyses(doomed.length)} (${errorMessage(err)}). Nothing was deleted; try again.`);
        return false;
      }
      this.#list.drop(doomedIds);
      this.#notice.done(`Deleted ${analyses(doomed.length)}.`, { kind: 'restore', records: doomed });
      this.#queue.announce();
      return true;
    });
  }

  /**
   * Takes back the action whose message is on screen: restores what a delete removed, or removes
   * what an import added. On failure the offer stays (press Undo again) and `error` says why;
   * resolves null then, and when there is nothing to undo.
   */
  undo(): Promise<UndoResult | null> {
    return this.#queue.serial(async () => {
      const offer = this.#notice.undo;
      if (!offer) return null;
      if (offer.kind === 'restore') {
        const back = offer.records;
        try {
          await (await this.#queue.store()).putMany(back);
        } catch (err) {
          this.#notice.fail(
            `${the(back.length, 'deleted')} could not be restored (${errorMessage(err)}). Press Undo to try again; export the history first if storage is full.`,
            offer,
          );
          return null;
        }
        const ids = back.map((r) => r.id);
        this.#list.put(back);
        this.#list.markSaved(ids);
        this.#notice.done(`Restored ${analyses(back.length)}.`);
        this.#queue.announce();
        return { restored: ids, removed: [] };
      }
      try {
        await (await this.#queue.store()).remove(offer.ids);
      } catch (err) {
        this.#notice.fail(`${the(offer.ids.length, 'imported')} could not be removed (${errorMessage(err)}). Press Undo to try again.`, offer);
        return null;
      }
      this.#list.drop(offer.ids);
      this.#notice.done(`Removed ${analyses(offer.ids.length)} just imported.`);
      this.#queue.announce();
      return { restored: [], removed: offer.ids };
    });
  }

  /** Deletes everything (the view asks for confirmation first); resolves false when the store refused. */
  clearAll(): Promise<boolean> {
    return this.#queue.serial(async () => {
      try {
        await (await this.#queue.store()).clear();
      } catch (err) {
        this.#notice.fail(`The history was not cleared (${errorMessage(err)}). Your ${analyses(this.#list.records.length)} are still here; try again.`);
        return false;
      }
      this.#list.clear();
      this.#notice.done('History cleared.');
      this.#queue.announce();
      return true;
    });
  }
}

/** "The deleted analysis", "The 3 deleted analyses". */
function the(n: number, what: string): string {
  return n === 1 ? `The ${what} analysis` : `The ${n} ${what} analyses`;
}
