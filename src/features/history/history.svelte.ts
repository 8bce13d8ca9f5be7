// History's state as the views see it: every analysis saved as it finishes, listed newest first
// with search and filters, opened without running a model, deleted with undo, exported and
// imported. A facade over four parts, each in its own file:
//   HistoryList      the records, search, filters, paging, selection (what the list, Timeline and Compare read)
//   HistoryActions   the store actions: load, save, tags, delete and Undo, Clear all
//   HistoryTransfer  export (JSON, CSV) and import
//   HistoryQueue     the store, opened once, and the ONE queue the actions and the import share
// with HistoryNotice, the one message line they all write. Views read getters and call intent
// methods; every action ends in a result or one clear sentence (never a rejected promise).
import type { Emotion } from '../../shared/emotions';
import type { HistoryQuery, HistoryRecord, TagFilter } from './records';
import type { TagCount } from './tags';
import type { HistoryStore } from './history-store';
import { HistoryList } from './history-list.svelte';
import { HistoryNotice } from './history-notice.svelte';
import { HistoryQueue } from './history-queue.svelte';
import { HistoryActions, type StoragePersistence, type UndoResult } from './history-actions.svelte';
import { HistoryTransfer, type ImportReport } from './history-transfer';

/** How a HistoryState talks to the rest of the browser. */
export interface HistoryOptions {
  /** BroadcastChannel shared by the app's tabs; null for none (tests). */
  readonly channelName?: string | null;
  /** Defaults to `navigator.storage`; null where there is none. */
  readonly persistence?: StoragePersistence | null;
}

/** The history's state. */
export class HistoryState {
  readonly #list = new HistoryList();
  readonly #notice = new HistoryNotice();
  readonly #queue: HistoryQueue;
  readonly #actions: HistoryActions;
  readonly #transfer: HistoryTransfer;

  constructor(openStore: () => Promise<HistoryStore>, options: HistoryOptions = {}) {
    const channelName = options.channelName === undefined ? 'moodlens-history' : options.channelName;
    const persistence = options.persistence === undefined ? browserPersistence() : options.persistence;
    this.#queue = new HistoryQueue(openStore, channelName, () => void this.#actions.reload());
    this.#actions = new HistoryActions(this.#list, this.#notice, this.#queue, persistence);
    this.#transfer = new HistoryTransfer(this.#list, this.#notice, this.#queue);
  }

  // ---------------------------------------------------------------- the list (HistoryList)

  get records(): readonly HistoryRecord[] {
    return this.#list.records;
  }
  get visible(): readonly HistoryRecord[] {
    return this.#list.visible;
  }
  get page(): readonly HistoryRecord[] {
    return this.#list.page;
  }
  get remaining(): number {
    return this.#list.remaining;
  }
  get shown(): number {
    return this.#list.shown;
  }
  get query(): HistoryQuery {
    return this.#list.query;
  }
  get selected(): ReadonlySet<string> {
    return this.#list.selected;
  }
  get unsaved(): ReadonlySet<string> {
    return this.#list.unsaved;
  }
  get unreadable(): number {
    return this.#list.unreadable;
  }
  get tagCounts(): readonly TagCount[] {
    return this.#list.tagCounts;
  }
  get approxBytes(): number {
    return this.#list.approxBytes;
  }
  recordById(id: string): HistoryRecord | null {
    return this.#list.recordById(id);
  }
  setSearch(text: string): void {
    this.#list.setSearch(text);
  }
  setEmotionFilter(emotion: Emotion | 'any'): void {
    this.#list.setEmotionFilter(emotion);
  }
  setChannelFilter(channels: HistoryQuery['channels']): void {
    this.#list.setChannelFilter(channels);
  }
  setTagFilter(tag: TagFilter): void {
    this.#list.setTagFilter(tag);
  }
  showMore(): void {
    this.#list.showMore();
  }
  toggleSelected(id: string): void {
    this.#list.toggleSelected(id);
  }

  // ---------------------------------------------------------------- the message (HistoryNotice)

  get message(): string | null {
    return this.#notice.message;
  }
  get error(): string | null {
    return this.#notice.error;
  }
  /** Whether the message on screen comes with an Undo. */
  get canUndo(): boolean {
    return this.#notice.undo !== null;
  }
  dismissMessage(): void {
    this.#notice.dismiss();
  }

  // ---------------------------------------------------------------- the store (HistoryActions, HistoryQueue)

  get loaded(): boolean {
    return this.#actions.loaded;
  }
  get persistent(): boolean {
    return this.#queue.persistent;
  }
  get persisted(): boolean | null {
    return this.#actions.persisted;
  }
  load(): Promise<void> {
    return this.#actions.load();
  }
  reload(): Promise<void> {
    return this.#actions.reload();
  }
  save(record: HistoryRecord): Promise<void> {
    return this.#actions.save(record);
  }
  setTags(id: string, tags: readonly string[]): Promise<boolean> {
    return this.#actions.setTags(id, tags);
  }
  remove(ids: readonly string[]): Promise<boolean> {
    return this.#actions.remove(ids);
  }
  undo(): Promise<UndoResult | null> {
    return this.#actions.undo();
  }
  clearAll(): Promise<boolean> {
    return this.#actions.clearAll();
  }
  /** Stops listening to other tabs. */
  dispose(): void {
    this.#queue.dispose();
  }

  // ---------------------------------------------------------------- files (HistoryTransfer)

  exportJson(): Promise<Blob | null> {
    return this.#transfer.exportJson();
  }
  exportCsv(): Blob | null {
    return this.#transfer.exportCsv();
  }
  importFile(file: Blob): Promise<ImportReport> {
    return this.#transfer.importFile(file);
  }
}

/** `navigator.storage` where the browser has it (secure contexts). */
function browserPersistence(): StoragePersistence | null {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  return storage && typeof storage.persist === 'function' && typeof storage.persisted === 'function' ? storage : null;
}
