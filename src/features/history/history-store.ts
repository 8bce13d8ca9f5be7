// Saved analyses in their own IndexedDB database (idb-keyval, db `moodlens-history`), one record
// per key, thumbnails as Blobs (file-backed in IndexedDB, so listing 10,000 records does not load
// their pictures). Records are migrated on read; unreadable ones are counted and left untouched.
// Where IndexedDB is unavailable, an in-memory store stands in and says so.
import { createStore, delMany, entries, promisifyRequest, type UseStore } from 'idb-keyval';
import { migrateRecord, type HistoryRecord } from './records';

/** What the history state needs from storage. */
export interface HistoryStore {
  /** Every readable record, and how many stored values could not be read. */
  list(): Promise<{ records: HistoryRecord[]; unreadable: number }>;
  put(record: HistoryRecord): Promise<void>;
  /** Writes all or none (one transaction). */
  putMany(records: readonly HistoryRecord[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Removes every record this version can read; records it cannot read stay untouched. */
  clear(): Promise<void>;
  /** False for the in-memory fallback: nothing survives a reload. */
  readonly persistent: boolean;
}

/** The IndexedDB store. */
export function createIdbHistoryStore(store: UseStore = createStore('moodlens-history', 'records')): HistoryStore {
  return {
    async list() {
      const all = await entries<string, unknown>(store);
      const records: HistoryRecord[] = [];
      let unreadable = 0;
      for (const [, value] of all) {
        const record = migrateRecord(value);
        if (record) records.push(record);
        else unreadable += 1;
      }
      return { records, unreadable };
    },
    put: (record) => putNow(store, [record]),
    putMany: (records) => putNow(store, records),
    remove: (ids) => delMany([...ids], store),
    async clear() {
      // Not idb-keyval's clear(): records of a newer version (unreadable here) must survive.
      const all = await entries<string, unknown>(store);
      await delMany(all.filter(([, value]) => migrateRecord(value) !== null).map(([key]) => key), store);
    },
    persistent: true,
  };
}

/**
 * Writes records in one transaction and commits it at once. A result is saved the moment it
 * shows, and the user may close the page right then: commit() sends the commit with the writes,
 * instead of after their success events have come back, so a page closed in between does not
 * abort it (history.spec's "a save started just before the page closes" lost 1 save in 10 that
 * way; 40 in 40 kept with commit()).
 */
function putNow(store: UseStore, records: readonly HistoryRecord[]): Promise<void> {
  return store('readwrite', (objects) => {
    for (const record of records) objects.put(record, record.id);
    // commit() is missing from browsers before 2021; there the transaction commits on its own.
    if ('commit' in objects.transaction) objects.transaction.commit();
    return promisifyRequest(objects.transaction);
  });
}

/** The in-memory stand-in. */
export function createMemoryHistoryStore(): HistoryStore {
  const map = new Map<string, HistoryRecord>();
  return {
    list: async () => ({ records: [...map.values()], unreadable: 0 }),
    put: async (record) => void map.set(record.id, record),
    putMany: async (records) => records.forEach((r) => map.set(r.id, r)),
    remove: async (ids) => ids.forEach((id) => map.delete(id)),
    clear: async () => map.clear(),
    persistent: false,
  };
}

/** The IndexedDB store when IndexedDB works here (some private modes refuse it), else memory. */
export async function openHistoryStore(): Promise<HistoryStore> {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const store = createIdbHistoryStore();
    await store.list();
    return store;
  } catch {
    return createMemoryHistoryStore();
  }
}
