// The batch runner: pages of rows through the text channel, results stored page by page; bad rows
// get a status and a reason without stopping the run; Pause, Cancel, a broken model and a full
// disk stop it without losing anything stored; Resume starts from the first row without a result.
import { describe, expect, it } from 'vitest';
import type { RowResult } from '../../src/features/batch/rows';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { EMPTY_REASON, PAGE_ROWS, runBatch, type BatchClassifier, type BatchStore, type PendingRow } from '../../src/features/batch/runner';
import type { TextResult } from '../../src/features/text/protocol';

/** Rows and results in memory, with the store's contract: pending rows in file order. */
class MemoryStore implements BatchStore {
  readonly results = new Map<number, RowResult>();
  writes = 0;
  failWrite: Error | null = null;
  constructor(readonly texts: readonly string[]) {}
  async pendingRows(limit: number): Promise<PendingRow[]> {
    const out: PendingRow[] = [];
    for (let i = 0; i < this.texts.length && out.length < limit; i += 1) if (!this.results.has(i)) out.push({ index: i, text: this.texts[i]! });
    return out;
  }
  async saveResults(results: ReadonlyArray<{ index: number; result: RowResult }>) {
    if (this.failWrite) throw this.failWrite;
    this.writes += 1;
    for (const r of results) this.results.set(r.index, r.result);
  }
  async counts() {
    return { done: this.results.size, total: this.texts.length };
  }
}

const scoresFor = (text: string) => {
  const top: Emotion = /happy|joy/u.test(text) ? 'joy' : /angry|furious/u.test(text) ? 'anger' : 'neutral';
  return normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 8 : 1])) as Record<Emotion, number>);
};

/** A text channel that answers from the words, and can refuse some texts or everything. */
class FakeClassifier implements BatchClassifier {
  calls: string[][] = [];
  refuse: (text: string) => boolean = () => false;
  async classifyMany(texts: readonly string[], signal: AbortSignal): Promise<TextResult[]> {
    this.calls.push([...texts]);
    await new Promise((r) => setTimeout(r, 1));
    if (signal.aborted) throw Object.assign(new Error('cancelled'), { code: 'cancelled' });
    const bad = texts.find((t) => this.refuse(t));
    if (bad !== undefined) throw new Error(`The model could not read "${bad.slice(0, 10)}".`);
    return texts.map((t) => {
      const scores = scoresFor(t);
      const chunks = Math.max(1, Math.ceil(t.split(' ').length / 400));
      return { scores, top: 'joy', topScore: 0, inferenceMs: 1, device: 'wasm', dtype: 'q8', modelId: 'fixture/model', chunks, tokens: 10 };
    });
  }
}

const texts = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `happy day ${i}` : i % 3 === 1 ? `angry about ${i}` : `plain note ${i}`));

describe('runBatch', () => {
  it('reads every row in pages, one request and one write per page, in file order', async () => {
    const store = new MemoryStore(texts(70));
    const classifier = new FakeClassifier();
    const progress: number[] = [];
    expect(await runBatch(store, classifier, { onProgress: (done) => progress.push(done) })).toEqual({ state: 'done' });
    expect(store.results.size).toBe(70);
    expect(classifier.calls.map((c) => c.length)).toEqual([PAGE_ROWS, PAGE_ROWS, 70 - 2 * PAGE_ROWS]);
    expect(store.writes).toBe(3);
    expect(progress).toEqual([32, 64, 70]);
    expect(store.results.get(0)).toMatchObject({ status: 'ok', reason: '', model: 'fixture/model', face: null, fused: null });
    expect(store.results.get(1)!.text!.anger).toBeGreaterThan(0.5);
  });

  it('an empty text and a very long text get their status and reason, and the run goes on', async () => {
    const long = Array.from({ length: 3000 }, () => 'word').join(' ');
    const store = new MemoryStore(['happy', '   ', long, '']);
    await runBatch(store, new FakeClassifier());
    expect(store.results.get(1)).toMatchObject({ status: 'empty', reason: EMPTY_REASON, text: null });
    expect(store.results.get(3)!.status).toBe('empty');
    expect(store.results.get(2)).toMatchObject({ status: 'chunked' });
    expect(store.results.get(2)!.reason).toMatch(/^Read in 8 chunks/u);
  });

  it('a row the model refuses fails alone: the others of its page are read one by one', async () => {
    const store = new MemoryStore(['happy one', 'poison pill', 'angry two']);
    const classifier = new FakeClassifier();
    classifier.refuse = (t) => t.startsWith('poison');
    expect(await runBatch(store, classifier)).toEqual({ state: 'done' });
    expect(store.results.get(1)).toMatchObject({ status: 'failed', reason: 'The model could not read "poison pil".' });
    expect(store.results.get(0)!.status).toBe('ok');
    expect(store.results.get(2)!.status).toBe('ok');
  });

  it('a model that fails on every row pauses the job with its sentence, storing nothing for that page', async () => {
    const store = new MemoryStore(texts(5));
    const classifier = new FakeClassifier();
    classifier.refuse = () => true;
    const end = await runBatch(store, classifier, {}, (err) => `Said: ${(err as Error).message}`);
    expect(end.state).toBe('paused');
    expect(end.state === 'paused' && end.reason).toMatch(/^Paused: the text model failed on every row of this part\. Said: /u);
    expect(store.results.size).toBe(0);
  });

  it('Pause stops between pages; Resume goes on from the first row without a result', async () => {
    const store = new MemoryStore(texts(100));
    const classifier = new FakeClassifier();
    let pages = 0;
    const end = await runBatch(store, classifier, { onProgress: () => (pages += 1), shouldPause: () => pages >= 2 });
    expect(end).toEqual({ state: 'paused', reason: null });
    expect(store.results.size).toBe(64);
    const before = new Map(store.results);
    const resumed = new FakeClassifier();
    expect(await runBatch(store, resumed)).toEqual({ state: 'done' });
    // Nothing finished was read again, and earlier results are untouched.
    expect(resumed.calls.flat()).toEqual(texts(100).slice(64));
    for (const [i, r] of before) expect(store.results.get(i)).toBe(r);
  });

  it('Cancel stops at once: the page in flight is lost, what was stored stays', async () => {
    const store = new MemoryStore(texts(100));
    const classifier = new FakeClassifier();
    const controller = new AbortController();
    const end = await runBatch(store, classifier, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 32) queueMicrotask(() => controller.abort());
      },
    });
    expect(end).toEqual({ state: 'cancelled' });
    expect(store.results.size).toBe(32);
  });

  it('storage full pauses the job with a clear sentence; nothing stored before is lost', async () => {
    const store = new MemoryStore(texts(70));
    let pages = 0;
    const end = await runBatch(store, new FakeClassifier(), {
      onProgress: () => {
        pages += 1;
        if (pages === 1) store.failWrite = new DOMException('full', 'QuotaExceededError');
      },
    });
    expect(end.state).toBe('paused');
    expect(end.state === 'paused' && end.reason).toMatch(/no room left to store results.*nothing already done is lost/u);
    expect(store.results.size).toBe(32);
    store.failWrite = null;
    expect(await runBatch(store, new FakeClassifier())).toEqual({ state: 'done' });
    expect(store.results.size).toBe(70);
  });
});
