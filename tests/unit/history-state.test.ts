// HistoryState driven directly in Node with an in-memory store whose methods can be made to fail:
// intents, the error path of every action, Undo belonging to the action that made it, and the
// import merge.
import { afterEach, describe, expect, it } from 'vitest';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/shared/emotions';
import { EXPORT_FORMAT, EXPORT_VERSION, HISTORY_VERSION, type HistoryRecord } from '../../src/features/history/records';
import type { HistoryStore } from '../../src/features/history/history-store';
import { HistoryState, type HistoryOptions } from '../../src/features/history/history.svelte';
import { PAGE_SIZE } from '../../src/features/history/history-list.svelte';
import type { StoragePersistence } from '../../src/features/history/history-actions.svelte';

const dist = (p: Partial<Record<Emotion, number>>): EmotionScores =>
  normalize(Object.fromEntries(EMOTIONS.map((e) => [e, p[e] ?? 0])) as Record<Emotion, number>);

function record(id: string, over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    schemaVersion: HISTORY_VERSION,
    id,
    createdAt: 1_790_000_000_000,
    textPart: { text: `Text of ${id}`, scores: dist({ joy: 0.9, neutral: 0.1 }), modelId: 'a/b', device: 'wasm', dtype: 'q8', inferenceMs: 4, chunks: 1, tokens: 4 },
    visionPart: null,
    facePart: null,
    voicePart: null,
    thumbnail: null,
    weights: { text: 0.5, vision: 0.5 },
    tags: [],
    againOf: null,
    ...over,
  };
}

type Method = 'list' | 'put' | 'putMany' | 'remove' | 'clear';

/** An in-memory HistoryStore; `failing.set(method, error)` makes that method reject. */
function fakeStore(initial: readonly HistoryRecord[] = []) {
  const map = new Map(initial.map((r) => [r.id, r]));
  const failing = new Map<Method, unknown>();
  const calls: Method[] = [];
  const enter = async (m: Method) => {
    calls.push(m);
    await Promise.resolve();
    if (failing.has(m)) throw failing.get(m);
  };
  const store: HistoryStore = {
    list: async () => (await enter('list'), { records: [...map.values()], unreadable: 0 }),
    put: async (r) => (await enter('put'), void map.set(r.id, r)),
    putMany: async (rs) => (await enter('putMany'), rs.forEach((r) => map.set(r.id, r))),
    remove: async (ids) => (await enter('remove'), ids.forEach((id) => map.delete(id))),
    clear: async () => (await enter('clear'), map.clear()),
    persistent: true,
  };
  return { store, map, failing, calls };
}

const created: HistoryState[] = [];
afterEach(() => {
  for (const h of created.splice(0)) h.dispose();
});

function historyOver(store: HistoryStore, options: HistoryOptions = {}): HistoryState {
  const history = new HistoryState(async () => store, { channelName: null, persistence: null, ...options });
  created.push(history);
  return history;
}

/** A loaded history over a fake store holding `initial`. */
async function loaded(initial: readonly HistoryRecord[] = [], options: HistoryOptions = {}) {
  const fake = fakeStore(initial);
  const history = historyOver(fake.store, options);
  await history.load();
  return { history, ...fake };
}

const sortedIds = (rs: readonly HistoryRecord[]) => rs.map((r) => r.id).sort();
const exportBlob = (records: unknown[]) => new Blob([JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: 'x', records })]);
const exported = (r: HistoryRecord) => ({ ...r, thumbnail: null });
const QUOTA = new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A thumbnail whose bytes cannot be read any more (the file behind it went away). */
class UnreadableBlob extends Blob {
  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.reject(new DOMException('The requested file could not be read.', 'NotReadableError'));
  }
}

describe('HistoryState: read-only state, changed by intent', () => {
  it('exposes getters only: a view cannot assign into it', async () => {
    const { history } = await loaded([record('aaaaaaaa')]);
    const h = history as unknown as Record<string, unknown>;
    for (const key of ['records', 'shown', 'selected', 'query', 'message', 'error', 'loaded', 'persistent']) {
      expect(() => {
        h[key] = null;
      }, key).toThrow(TypeError);
    }
    expect(history.records).toHaveLength(1);
  });

  it('loads the stored records and asks whether storage is persistent', async () => {
    const persistence: StoragePersistence = { persisted: async () => true, persist: async () => true };
    const fake = fakeStore([record('aaaaaaaa')]);
    const history = historyOver(fake.store, { persistence });
    expect(history.loaded).toBe(false);
    await history.load();
    expect(history.loaded).toBe(true);
    expect(history.persistent).toBe(true);
    expect(history.persisted).toBe(true);
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa']);
  });

  it('searches and filters, back to the first page on a new query, and pages 50 at a time', async () => {
    const many = Array.from({ length: 120 }, (_, i) => record(`joy-${String(i).padStart(5, '0')}`, { createdAt: i }));
    const sad = record('sad-00001', { createdAt: 500, textPart: { ...record('x').textPart!, text: 'A gray day', scores: dist({ sadness: 1 }) } });
    const { history } = await loaded([...many, sad]);
    expect(history.page).toHaveLength(PAGE_SIZE);
    expect(history.page[0]!.id).toBe('sad-00001');
    expect(history.remaining).toBe(121 - PAGE_SIZE);
    history.showMore();
    history.showMore();
    expect(history.page).toHaveLength(121);
    expect(history.remaining).toBe(0);
    history.showMore();
    expect(history.shown).toBe(3 * PAGE_SIZE);

    history.setSearch('GRAY day');
    expect(history.shown).toBe(PAGE_SIZE);
    expect(history.visible.map((r) => r.id)).toEqual(['sad-00001']);
    history.setSearch('');
    history.setEmotionFilter('sadness');
    expect(history.visible.map((r) => r.id)).toEqual(['sad-00001']);
    history.setEmotionFilter('any');
    history.setChannelFilter('vision');
    expect(history.visible).toHaveLength(0);
    expect(history.query).toEqual({ search: '', emotion: 'any', channels: 'vision', tag: 'any' });
    expect(() => history.setChannelFilter('sound' as never)).toThrow(/Unknown channel filter/u);
    expect(() => history.setEmotionFilter('boredom' as never)).toThrow(/Unknown emotion filter/u);
    expect(history.query.channels).toBe('vision');
  });

  it('finds a record by id (the address of the page says which is open), null for an unknown one', async () => {
    const { history } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    expect(history.recordById('bbbbbbbb')?.id).toBe('bbbbbbbb');
    expect(history.recordById('zzzzzzzz')).toBeNull();
    await history.remove(['bbbbbbbb']);
    expect(history.recordById('bbbbbbbb')).toBeNull();
  });

  it('toggles the selection, refuses unknown ids, and forgets deleted records in it', async () => {
    const { history } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    history.toggleSelected('aaaaaaaa');
    history.toggleSelected('bbbbbbbb');
    history.toggleSelected('bbbbbbbb');
    expect([...history.selected]).toEqual(['aaaaaaaa']);
    expect(() => history.toggleSelected('zzzzzzzz')).toThrow(/No saved analysis/u);
    expect(await history.remove(['aaaaaaaa'])).toBe(true);
    expect(history.selected.size).toBe(0);
  });
});

describe('HistoryState: every action ends in a result or a clear message', () => {
  it('Undo whose write fails keeps the offer and says what happened and what to do; Undo again works', async () => {
    const { history, failing, map } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    await history.remove(['aaaaaaaa']);
    failing.set('putMany', QUOTA);
    await expect(history.undo()).resolves.toBeNull();
    expect(history.canUndo).toBe(true);
    expect(history.error).toBe(
      'The deleted analysis could not be restored (the browser storage for this site is full). Press Undo to try again; export the history first if storage is full.',
    );
    expect(sortedIds(history.records)).toEqual(['bbbbbbbb']);

    failing.delete('putMany');
    await expect(history.undo()).resolves.toEqual({ restored: ['aaaaaaaa'], removed: [] });
    expect(history.canUndo).toBe(false);
    expect(history.error).toBeNull();
    expect(history.message).toBe('Restored 1 analysis.');
    expect([...map.keys()].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb']);
  });

  it('Clear all that fails keeps the records and says so', async () => {
    const { history, failing } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    failing.set('clear', new Error('the disk is read-only'));
    await expect(history.clearAll()).resolves.toBe(false);
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    expect(history.error).toBe('The history was not cleared (the disk is read-only). Your 2 analyses are still here; try again.');
    failing.delete('clear');
    await expect(history.clearAll()).resolves.toBe(true);
    expect(history.records).toHaveLength(0);
    expect(history.message).toBe('History cleared.');
  });

  it('a delete that fails keeps the record and offers no Undo', async () => {
    const { history, failing } = await loaded([record('aaaaaaaa')]);
    failing.set('remove', QUOTA);
    await expect(history.remove(['aaaaaaaa'])).resolves.toBe(false);
    expect(history.records).toHaveLength(1);
    expect(history.error).toMatch(/^Could not delete 1 analysis \(the browser storage for this site is full\)\. Nothing was deleted; try again\.$/u);
    expect(history.canUndo).toBe(false);
  });

  it('an export with an unreadable thumbnail resolves null with a message instead of rejecting', async () => {
    const broken = record('aaaaaaaa', { thumbnail: new UnreadableBlob(['x'], { type: 'image/jpeg' }) });
    const { history } = await loaded([broken, record('bbbbbbbb')]);
    await expect(history.exportJson()).resolves.toBeNull();
    expect(history.error).toBe(
      'The export was not made: a picture thumbnail could not be read. Nothing was downloaded; try again, or use Download CSV, which has no pictures.',
    );
    expect(history.exportCsv()).toBeInstanceOf(Blob);
    expect(history.message).toBe('Exported 2 analyses (CSV).');
  });

  it('exports the selection, or everything, newest first, with thumbnails as data URLs', async () => {
    const pic = record('aaaaaaaa', { createdAt: 2, thumbnail: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }) });
    const { history } = await loaded([record('bbbbbbbb', { createdAt: 1 }), pic]);
    const all = JSON.parse(await (await history.exportJson())!.text()) as { records: Array<{ id: string; thumbnail: string | null }> };
    expect(all.records.map((r) => [r.id, r.thumbnail])).toEqual([
      ['aaaaaaaa', 'data:image/jpeg;base64,AQID'],
      ['bbbbbbbb', null],
    ]);
    expect(history.message).toBe('Exported 2 analyses (JSON).');
    history.toggleSelected('bbbbbbbb');
    const one = JSON.parse(await (await history.exportJson())!.text()) as { records: Array<{ id: string }> };
    expect(one.records.map((r) => r.id)).toEqual(['bbbbbbbb']);
  });

  it('a store that cannot be read or opened is shown, never a rejected promise; opening is retried', async () => {
    const fake = fakeStore([record('aaaaaaaa')]);
    fake.failing.set('list', new Error('the database is corrupt'));
    const history = historyOver(fake.store);
    await expect(history.load()).resolves.toBeUndefined();
    expect(history.loaded).toBe(false);
    expect(history.error).toBe('Saved analyses could not be read (the database is corrupt). What is shown may be out of date; reload the page to try again.');

    let attempts = 0;
    const flaky = new HistoryState(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('blocked by another tab');
        return fakeStore([record('bbbbbbbb')]).store;
      },
      { channelName: null, persistence: null },
    );
    created.push(flaky);
    await flaky.load();
    expect(flaky.error).toBe('Saved analyses could not be opened (blocked by another tab). Reload the page to try again.');
    await flaky.load();
    expect(flaky.loaded).toBe(true);
    expect(sortedIds(flaky.records)).toEqual(['bbbbbbbb']);
  });

  it('a failed save keeps the record, marked unsaved, through a reload', async () => {
    const { history, failing } = await loaded([record('aaaaaaaa')]);
    failing.set('put', QUOTA);
    await history.save(record('bbbbbbbb'));
    expect(history.unsaved.has('bbbbbbbb')).toBe(true);
    expect(history.error).toMatch(/could not be saved \(the browser storage for this site is full\)/u);
    await history.reload();
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
  });

  it('a reload that reads the store while a save is being written keeps that record', async () => {
    const fake = fakeStore([record('aaaaaaaa')]);
    let release = () => undefined as void;
    const put = fake.store.put;
    const store: HistoryStore = { ...fake.store, put: (r) => new Promise<void>((resolve) => (release = () => void put(r).then(resolve))) };
    const history = historyOver(store);
    await history.load();
    const saving = history.save(record('bbbbbbbb'));
    await Promise.resolve();
    await history.reload();
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    release();
    await saving;
    expect(history.unsaved.size).toBe(0);
  });

  it('a save and a Clear all pressed while it is written run in turn: the screen and the store agree', async () => {
    const first = await loaded([record('aaaaaaaa')]);
    const saving = first.history.save(record('bbbbbbbb'));
    const clearing = first.history.clearAll();
    await Promise.all([saving, clearing]);
    expect(first.history.records).toEqual([]);
    expect([...first.map.keys()]).toEqual([]);

    // The other way round: the save comes after the clear, and both keep it.
    const second = await loaded([record('aaaaaaaa')]);
    const cleared = second.history.clearAll();
    const saved = second.history.save(record('cccccccc'));
    await Promise.all([cleared, saved]);
    expect(sortedIds(second.history.records)).toEqual(['cccccccc']);
    expect([...second.map.keys()]).toEqual(['cccccccc']);
    expect(second.calls.slice(-2)).toEqual(['clear', 'put']);
  });

  it('an import runs in the same queue as the store actions: a Clear all pressed before it does not clear what it adds', async () => {
    const { history, map, calls } = await loaded([record('aaaaaaaa')]);
    const clearing = history.clearAll();
    const importing = history.importFile(exportBlob([exported(record('aaaaaaaa')), exported(record('bbbbbbbb'))]));
    await Promise.all([clearing, importing]);
    // The import sees the cleared history, so the record it held before counts as new again.
    expect(await importing).toEqual({ added: 2, skipped: 0, rejected: 0, error: null });
    expect(calls.slice(-2)).toEqual(['clear', 'putMany']);
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    expect([...map.keys()].sort()).toEqual(['aaaaaaaa', 'bbbbbbbb']);
  });

  it('asks for persistent storage once, after the first saved analysis', async () => {
    let asked = 0;
    const persistence: StoragePersistence = { persisted: async () => false, persist: async () => (asked += 1) > 0 };
    const { history } = await loaded([], { persistence });
    expect(asked).toBe(0);
    await history.save(record('aaaaaaaa'));
    await history.save(record('bbbbbbbb'));
    await Promise.resolve();
    expect(asked).toBe(1);
    expect(history.persisted).toBe(true);
  });
});

describe('HistoryState: Undo belongs to the action that made it', () => {
  it('an import that added nothing offers no Undo, even right after a delete', async () => {
    const { history } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    await history.remove(['aaaaaaaa']);
    expect(history.canUndo).toBe(true);
    await history.importFile(exportBlob([exported(record('bbbbbbbb'))]));
    expect(history.message).toBe('Imported 0 analyses; 1 already here, 0 rejected.');
    expect(history.canUndo).toBe(false);
    await expect(history.undo()).resolves.toBeNull();
    expect(sortedIds(history.records)).toEqual(['bbbbbbbb']);
  });

  it('Undo after an import removes exactly the records it added', async () => {
    const { history, map } = await loaded([record('aaaaaaaa')]);
    await history.importFile(exportBlob([exported(record('aaaaaaaa')), exported(record('bbbbbbbb')), exported(record('cccccccc'))]));
    expect(history.message).toBe('Imported 2 analyses; 1 already here, 0 rejected.');
    expect(history.canUndo).toBe(true);
    await expect(history.undo()).resolves.toEqual({ restored: [], removed: ['bbbbbbbb', 'cccccccc'] });
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa']);
    expect([...map.keys()]).toEqual(['aaaaaaaa']);
    expect(history.message).toBe('Removed 2 analyses just imported.');
  });

  it('Undo of an import whose delete fails keeps the offer', async () => {
    const { history, failing } = await loaded([]);
    await history.importFile(exportBlob([exported(record('bbbbbbbb'))]));
    failing.set('remove', new Error('the disk is read-only'));
    await expect(history.undo()).resolves.toBeNull();
    expect(history.canUndo).toBe(true);
    expect(history.error).toBe('The imported analysis could not be removed (the disk is read-only). Press Undo to try again.');
  });

  it('any later action clears an older Undo offer', async () => {
    const { history, failing } = await loaded([record('aaaaaaaa'), record('bbbbbbbb'), record('cccccccc')]);
    await history.remove(['aaaaaaaa']);
    await history.remove(['bbbbbbbb']);
    await history.undo();
    expect(sortedIds(history.records)).toEqual(['bbbbbbbb', 'cccccccc']);

    await history.remove(['cccccccc']);
    failing.set('clear', new Error('no'));
    await history.clearAll();
    expect(history.canUndo).toBe(false);

    await history.remove(['bbbbbbbb']);
    expect(history.exportCsv()).not.toBeNull();
    expect(history.canUndo).toBe(false);

    await history.importFile(exportBlob([exported(record('dddddddd'))]));
    history.dismissMessage();
    expect(history.canUndo).toBe(false);
    expect(history.message).toBeNull();
  });

  it('two quick presses of Undo restore once', async () => {
    const { history, calls } = await loaded([record('aaaaaaaa'), record('bbbbbbbb')]);
    await history.remove(['aaaaaaaa']);
    const [first, second] = await Promise.all([history.undo(), history.undo()]);
    expect(first).toEqual({ restored: ['aaaaaaaa'], removed: [] });
    expect(second).toBeNull();
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    expect(calls.filter((c) => c === 'putMany')).toHaveLength(1);
  });
});

describe('HistoryState: import merges by id', () => {
  it('skips records already here or repeated in the file, rejects invalid ones, decodes thumbnails', async () => {
    const { history, map } = await loaded([record('aaaaaaaa')]);
    const report = await history.importFile(
      exportBlob([
        exported(record('aaaaaaaa')),
        { ...exported(record('bbbbbbbb')), thumbnail: 'data:image/jpeg;base64,AQID' },
        exported(record('bbbbbbbb', { createdAt: 5 })),
        { ...exported(record('cccccccc')), thumbnail: 'data:image/png;base64,A' },
        { ...exported(record('dddddddd')), id: '!' },
        { ...exported(record('eeeeeeee')), thumbnail: 'javascript:alert(1)' },
        'junk',
      ]),
    );
    expect(report).toEqual({ added: 1, skipped: 2, rejected: 4, error: null });
    expect(history.message).toBe('Imported 1 analysis; 2 already here, 4 rejected.');
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    const b = map.get('bbbbbbbb')!;
    expect(b.createdAt).toBe(record('x').createdAt);
    expect(b.thumbnail?.type).toBe('image/jpeg');
    expect([...new Uint8Array(await b.thumbnail!.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('a file that is not an export, or cannot be read, changes nothing and says why', async () => {
    const { history, calls } = await loaded([record('aaaaaaaa')]);
    const bad = await history.importFile(new Blob(['{"hello": 1}']));
    const notExport = "The file is not a Moodlens history export. Import takes the JSON file that History's Export JSON writes.";
    expect(bad.error).toBe(notExport);
    expect(history.error).toBe(notExport);
    // A CSV (of texts, or History's own CSV) is not what Import takes, and the message says what is.
    const csv = await history.importFile(new Blob(['id,text\n1,hello\n']));
    expect(csv.error).toBe("The file is not JSON. Import takes the JSON file that History's Export JSON writes (a CSV of texts goes to Batch).");
    const gone = Object.assign(new Blob(['x']), { text: () => Promise.reject(new DOMException('The file was moved.', 'NotFoundError')) });
    const unread = await history.importFile(gone);
    expect(unread.error).toBe('The file could not be read (The file was moved.). Nothing was imported; pick it again.');
    expect(sortedIds(history.records)).toEqual(['aaaaaaaa']);
    expect(calls).not.toContain('putMany');
  });

  it('a write that fails imports nothing and offers no Undo', async () => {
    const { history, failing } = await loaded([]);
    failing.set('putMany', QUOTA);
    const report = await history.importFile(exportBlob([exported(record('aaaaaaaa')), { bad: true }]));
    expect(report).toEqual({
      added: 0,
      skipped: 0,
      rejected: 1,
      error: 'Nothing was imported (the browser storage for this site is full). Free some space or import a smaller file, then try again.',
    });
    expect(history.records).toHaveLength(0);
    expect(history.canUndo).toBe(false);
  });
});

describe('HistoryState: other tabs', () => {
  it('a delete in one tab reaches the other, which forgets it in its selection', async () => {
    const fake = fakeStore([record('aaaaaaaa'), record('bbbbbbbb')]);
    const channelName = `moodlens-history-test-${Math.random()}`;
    const a = historyOver(fake.store, { channelName });
    const b = historyOver(fake.store, { channelName });
    await Promise.all([a.load(), b.load()]);
    b.toggleSelected('aaaaaaaa');
    await a.remove(['aaaaaaaa']);
    await expect.poll(() => sortedIds(b.records)).toEqual(['bbbbbbbb']);
    expect(b.selected.size).toBe(0);
    expect(b.recordById('aaaaaaaa')).toBeNull();
  });
});

describe('HistoryState: tags', () => {
  it('tags an entry (stored, cleaned), lists the tags in use, and filters by tag or by none', async () => {
    const { history, map } = await loaded([record('aaaaaaaa', { tags: ['Campaign A'] }), record('bbbbbbbb'), record('cccccccc', { tags: ['campaign a', 'x'] })]);
    expect(history.tagCounts).toEqual([
      { tag: 'Campaign A', count: 2 },
      { tag: 'x', count: 1 },
    ]);
    expect(await history.setTags('bbbbbbbb', [' @brand ', '@BRAND', 'Campaign A'])).toBe(true);
    expect(map.get('bbbbbbbb')?.tags).toEqual(['@brand', 'Campaign A']);
    expect(history.recordById('bbbbbbbb')?.tags).toEqual(['@brand', 'Campaign A']);
    expect(history.tagCounts[0]).toEqual({ tag: 'Campaign A', count: 3 });

    history.setTagFilter({ tag: 'CAMPAIGN A' });
    expect(sortedIds(history.visible)).toEqual(['aaaaaaaa', 'bbbbbbbb', 'cccccccc']);
    history.setTagFilter({ tag: '@brand' });
    expect(sortedIds(history.visible)).toEqual(['bbbbbbbb']);
    await history.setTags('bbbbbbbb', []);
    expect(sortedIds(history.visible)).toEqual([]);
    history.setTagFilter('untagged');
    expect(sortedIds(history.visible)).toEqual(['bbbbbbbb']);
    history.setTagFilter('any');
    expect(history.visible).toHaveLength(3);
  });

  it('a tag write that fails keeps the old tags and says so; an entry deleted meanwhile is said to be gone', async () => {
    const { history, failing, map } = await loaded([record('aaaaaaaa', { tags: ['old'] })]);
    failing.set('put', new DOMException('full', 'QuotaExceededError'));
    expect(await history.setTags('aaaaaaaa', ['new'])).toBe(false);
    expect(history.error).toBe('The tags were not saved (the browser storage for this site is full). The analysis keeps its earlier tags; try again.');
    expect(history.recordById('aaaaaaaa')?.tags).toEqual(['old']);
    expect(map.get('aaaaaaaa')?.tags).toEqual(['old']);
    failing.delete('put');
    expect(await history.setTags('zzzzzzzz', ['new'])).toBe(false);
    expect(history.error).toContain('no longer in the history');
  });
});
