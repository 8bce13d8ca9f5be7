// The batches database, on fake-indexeddb (an in-memory implementation of the IndexedDB API; the
// app's real IndexedDB is exercised in Chromium by the e2e tests): rows written as the file is
// read, the runner's pending rows in file order, results page by page, counts, a job reopened
// after a "reload" (a second connection) resumes where it stopped, delete removes every row.
// The IndexedDB globals (IDBKeyRange...) for this file; each test opens its own factory.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { parseTable } from '../../src/features/batch/parse';
import { runBatch, type BatchClassifier } from '../../src/features/batch/runner';
import { BatchDb, type BatchJob } from '../../src/features/batch/store';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import type { TextResult } from '../../src/features/text/protocol';

const job = (id: string, total = 0): BatchJob => ({
  id,
  name: `${id}.csv`,
  format: 'csv',
  header: ['id', 'text'],
  columns: { text: 1, id: 0, picture: null, label: null },
  labels: {},
  state: 'ready',
  reason: null,
  total,
  done: 0,
  problems: [],
  createdAt: Date.now(),
  updatedAt: Date.now(),
});

const classifier: BatchClassifier & { seen: string[] } = {
  seen: [],
  async classifyMany(texts): Promise<TextResult[]> {
    classifier.seen.push(...texts);
    return texts.map(() => {
      const scores = normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === 'joy' ? 5 : 1])) as Record<Emotion, number>);
      return { scores, top: 'joy', topScore: scores.joy, inferenceMs: 1, device: 'wasm', dtype: 'q8', modelId: 'fixture/model', chunks: 1, tokens: 3 };
    });
  },
};

describe('BatchDb', () => {
  it('stores a parsed file, runs it to the end, and reads rows back in order with their results', async () => {
    const db = await BatchDb.open('batches-a', new IDBFactory());
    await db.putJob(job('j1'));
    const csv = `id,text\n${Array.from({ length: 75 }, (_, i) => `${i},"text, number ${i}"`).join('\n')}\n`;
    await parseTable(csv, 'csv', (p) => db.addRows('j1', p.first, p.rows), { chunkSize: 100 });
    expect(await db.counts('j1')).toEqual({ done: 0, total: 75 });
    expect(await runBatch(db.runnerStore('j1', { text: 1, picture: null }), classifier)).toEqual({ state: 'done' });
    expect(await db.counts('j1')).toEqual({ done: 75, total: 75 });
    const rows = await db.readRows('j1', 70, 10);
    expect(rows.map((r) => r.index)).toEqual([70, 71, 72, 73, 74]);
    expect(rows[0]!.cells).toEqual(['70', 'text, number 70']);
    expect(rows[0]!.result).toMatchObject({ status: 'ok', model: 'fixture/model' });
    db.close();
  });

  it('a job stopped half-way resumes from another connection without redoing finished rows', async () => {
    const factory = new IDBFactory();
    const first = await BatchDb.open('batches-b', factory);
    await first.putJob(job('j2', 100));
    await first.addRows('j2', 0, Array.from({ length: 100 }, (_, i) => [String(i), `row ${i}`]));
    let pages = 0;
    const end = await runBatch(first.runnerStore('j2', { text: 1, picture: null }), classifier, { onProgress: () => (pages += 1), shouldPause: () => pages === 2 });
    expect(end).toEqual({ state: 'paused', reason: null });
    first.close();

    // "Reload": a new connection to the same database.
    const second = await BatchDb.open('batches-b', factory);
    expect(await second.getJob('j2')).toMatchObject({ id: 'j2', total: 100 });
    expect(await second.counts('j2')).toEqual({ done: 64, total: 100 });
    classifier.seen = [];
    expect(await runBatch(second.runnerStore('j2', { text: 1, picture: null }), classifier)).toEqual({ state: 'done' });
    expect(classifier.seen).toEqual(Array.from({ length: 36 }, (_, i) => `row ${64 + i}`));
    second.close();
  });

  it('lists jobs newest first, and deleting one removes its rows but not another job\'s', async () => {
    const db = await BatchDb.open('batches-c', new IDBFactory());
    await db.putJob({ ...job('old'), createdAt: 1 });
    await db.putJob({ ...job('new'), createdAt: 2 });
    await db.addRows('old', 0, [['1', 'a'], ['2', 'b']]);
    await db.addRows('new', 0, [['1', 'c']]);
    expect((await db.listJobs()).map((j) => j.id)).toEqual(['new', 'old']);
    await db.deleteJob('old');
    expect(await db.getJob('old')).toBeNull();
    expect(await db.counts('old')).toEqual({ done: 0, total: 0 });
    expect(await db.counts('new')).toEqual({ done: 0, total: 1 });
    db.close();
  });
});
