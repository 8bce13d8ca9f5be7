// History's list: the records in memory, what the search and filters keep, the page on screen and
// the selection; these are also what the Timeline and Compare read. Views change it through the
// query, paging and selection intents; the store actions and the import change the records once
// the store has agreed, through the methods under "record changes".
import { isEmotion, type Emotion } from '../../shared/emotions';
import { EMPTY_QUERY, filterRecords, type HistoryQuery, type HistoryRecord, type TagFilter } from './records';
import { countTags, tagKey, type TagCount } from './tags';

/** Records shown per page of the list. */
export const PAGE_SIZE = 50;

/** The channel filters, in the order the view offers them. */
export const CHANNEL_FILTERS: ReadonlyArray<HistoryQuery['channels']> = ['any', 'text', 'vision', 'both'];

/** What the store lists: the records it can read and how many entries it cannot. */
export interface StoredRecords {
  readonly records: readonly HistoryRecord[];
  readonly unreadable: number;
}

/** The records of the history and how the list shows them. */
export class HistoryList {
  #records = $state.raw<readonly HistoryRecord[]>([]);
  #unsaved = $state.raw<ReadonlySet<string>>(new Set());
  #unreadable = $state(0);
  #query = $state.raw<HistoryQuery>(EMPTY_QUERY);
  #shown = $state(PAGE_SIZE);
  #selected = $state.raw<ReadonlySet<string>>(new Set());

  readonly #visible = $derived(filterRecords(this.#records, this.#query));
  readonly #page = $derived(this.#visible.slice(0, this.#shown));
  readonly #tagCounts = $derived(countTags(this.#records.map((r) => r.tags)));
  readonly #approxBytes = $derived(
    this.#records.reduce((n, r) => n + JSON.stringify({ ...r, thumbnail: null }).length + (r.thumbnail?.size ?? 0), 0),
  );

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
  /** The records an export covers: the selection, or all; newest first. */
  exportSet(): HistoryRecord[] {
    const chosen = this.#selected.size > 0 ? this.#records.filter((r) => this.#selected.has(r.id)) : [...this.#records];
    return chosen.sort((a, b) => b.createdAt - a.createdAt);
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
    if (!this.#records.some((r) => r.id === id)) throw new Error(`No saved analysis has the id ${id}.`);
    const next = new Set(this.#selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.#selected = next;
  }

  // ---------------------------------------------------------------- record changes (store side)

  /**
   * Takes what the store lists, keeping the records it does not have yet that are unsaved or in
   * `writing` (a save whose write has not landed).
   */
  replaceStored(listed: StoredRecords, writing: ReadonlySet<string>): void {
    const stored = new Set(listed.records.map((r) => r.id));
    const kept = this.#records.filter((r) => !stored.has(r.id) && (this.#unsaved.has(r.id) || writing.has(r.id)));
    this.#records = [...listed.records, ...kept];
    this.#unreadable = listed.unreadable;
    this.#unsaved = new Set(kept.filter((r) => this.#unsaved.has(r.id)).map((r) => r.id));
    this.#forgetMissing();
  }

  /** Adds these records, each in place of one with its id. */
  put(records: readonly HistoryRecord[]): void {
    const incoming = new Set(records.map((r) => r.id));
    this.#records = [...this.#records.filter((r) => !incoming.has(r.id)), ...records];
  }

  /** Replaces a record where it stands (new tags), now saved. */
  replace(record: HistoryRecord): void {
    this.#records = this.#records.map((r) => (r.id === record.id ? record : r));
    this.markSaved([record.id]);
  }

  /** Marks a record shown but not written to storage. */
  markUnsaved(id: string): void {
    this.#unsaved = new Set([...this.#unsaved, id]);
  }

  /** These records are in the store now. */
  markSaved(ids: readonly string[]): void {
    if (ids.some((id) => this.#unsaved.has(id))) this.#unsaved = withoutIds(this.#unsaved, ids);
  }

  /** Forgets records the store no longer has. */
  drop(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.#records = this.#records.filter((r) => !gone.has(r.id));
    this.markSaved(ids);
    this.#forgetMissing();
  }

  /** Forgets every record (the store was cleared). */
  clear(): void {
    this.#records = [];
    this.#unsaved = new Set();
    this.#unreadable = 0;
    this.#forgetMissing();
  }

  /** The selection follows the records (deletes, other tabs). */
  #forgetMissing(): void {
    const present = new Set(this.#records.map((r) => r.id));
    if ([...this.#selected].some((id) => !present.has(id))) this.#selected = new Set([...this.#selected].filter((id) => present.has(id)));
  }
}

function sameFilter(a: TagFilter, b: TagFilter): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : tagKey(a.tag) === tagKey(b.tag);
}

function withoutIds(set: ReadonlySet<string>, ids: readonly string[]): ReadonlySet<string> {
  const gone = new Set(ids);
  return new Set([...set].filter((id) => !gone.has(id)));
}
