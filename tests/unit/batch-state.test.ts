// BatchState in Node, on fake-indexeddb, with the batch worker's real tasks run in-process (the
// file read by Papa Parse, the export written from the database) and a text channel whose
// answers are computed from the text: a file read into a job, run to the end, exported; Pause and
// Resume; Cancel keeping what is done; a job the page left running reopened as paused; a run the
// text model stopped for someone else ends paused, not cancelled; a refused file said clearly.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import Papa from 'papaparse';
import { describe, expect, it, vi } from 'vitest';
import { BatchFileClient, type BatchWorkerLike } from '../../src/features/batch/file-client';
import type { CancelMessage } from '../../src/shared/worker/protocol';
import type { BatchWorkerRequest, BatchWorkerResponse } from '../../src/features/batch/protocol';
import { BatchDb } from '../../src/features/batch/store';
import { runTask } from '../../src/features/batch/tasks';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';
import { ModelError } from '../../src/features/text/model-errors';
import { FaceError } from '../../src/features/faces/face-errors';
import type { SettingsPatch } from '../../src/features/settings/settings';
import type { SettingsUpdate } from '../../src/features/settings/settings.svelte';
import type { ModelConfig, TextResult } from '../../src/features/text/protocol';
import { BatchState, type BatchDeps } from '../../src/features/batch/batch.svelte';

/** The batch worker's tasks, run in this thread against `openDb`. */
function inProcessWorker(openDb: () => Promise<BatchDb>): BatchWorkerLike {
  const listeners: Array<(event: MessageEvent<BatchWorkerResponse>) => void> = [];
  let ended = false;
  return {
    postMessage(message: BatchWorkerRequest | CancelMessage) {
      if (message.type === 'cancel') return;
      void runTask(
        message,
        (reply) => {
          if (!ended) setTimeout(() => listeners.forEach((l) => l({ data: { ...reply, id: message.id } } as MessageEvent<BatchWorkerResponse>)));
        },
        { openDb, inputOf: (file) => file.text() },
      );
    },
    addEventListener(type: string, listener: unknown) {
      if (type === 'message') listeners.push(listener as (event: MessageEvent<BatchWorkerResponse>) => void);
    },
    terminate() {
      ended = true;
    },
  };
}

/** A text channel: joy when the text says "glad", anger when "mad", else sadness; `gate` holds pages. */
function textChannel() {
  const calls: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let failNext: Error | null = null;
  const channel = {
    calls,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return open;
    },
    failWith(err: Error) {
      failNext = err;
    },
    async classifyMany(_config: ModelConfig, texts: readonly string[], _handlers: unknown, options: { signal?: AbortSignal } = {}): Promise<TextResult[]> {
      calls.push([...texts]);
      await gate;
      if (failNext) {
        const err = failNext;
        failNext = null;
        throw err;
      }
      if (options.signal?.aborted) throw new ModelError('cancelled', 'cancelled');
      return texts.map((t) => {
        const top: Emotion = t.includes('glad') ? 'joy' : t.includes('mad') ? 'anger' : 'sadness';
        const scores = normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 6 : 1])) as Record<Emotion, number>);
        return { scores, top, topScore: scores[top], inferenceMs: 1, device: 'wasm', dtype: 'q8', modelId: 'fixture/model', chunks: 1, tokens: 3 };
      });
    },
  };
  return channel;
}

/** The face channel: a sad face in sad*.jpg, none in empty*.jpg, broken*.jpg cannot be decoded. */
const fakeFaces: BatchDeps['faces'] = {
  async read(picture) {
    const name = (picture as File).name;
    if (name.startsWith('broken')) throw new FaceError('unreadable-picture', 'bad bytes');
    const faces = name.startsWith('empty')
      ? []
      : [{ box: { x1: 0.2, y1: 0.2, x2: 0.5, y2: 0.5 }, score: 0.9, scores: normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === 'sadness' ? 9 : 1])) as Record<Emotion, number>) }];
    return { faces, width: 100, height: 100, elapsedMs: 1, model: 'faces/model', timings: { decodeMs: 0, detectMs: 0, expressionsMs: 0 } };
  },
};

/** Hears what a recording's name says: angry.wav is said angrily ("so mad"), happy.wav gladly, silent.wav is silence. */
const fakeVoice: BatchDeps['voice'] = {
  async read(audio) {
    const name = (audio as unknown as { name: string }).name.toLowerCase();
    const tone = (e: Emotion) => normalize(Object.fromEntries(EMOTIONS.map((x) => [x, x === e ? 8 : 1])) as Record<Emotion, number>);
    const heard = name.startsWith('angry') ? { tone: tone('anger'), text: 'so mad' } : name.startsWith('happy') ? { tone: tone('joy'), text: 'so glad' } : null;
    const segments = heard ? [{ start: 0.2, end: 1.8, tone: heard.tone, text: heard.text }] : [];
    const timings = { segmentsMs: 1, speechLoadMs: 0, speechMs: 1, speechEncodeMs: 1, speechLanguageMs: 0, speechDecodeMs: 1, speechTokens: 3, speechWindows: 1, toneLoadMs: 0, toneMs: 1 };
    return { duration: 2, segments, transcript: heard?.text ?? '', language: heard ? 'en' : null, speechModel: 'speech/model', tone: { modelId: 'tone/model', labels: [], unmapped: [] }, elapsedMs: 3, timings };
  },
};
/** "Decodes" a file into a recording that keeps its name (for fakeVoice). */
const fakeDecode = async (file: Blob) => Object.assign({ channels: [new Float32Array(4)], sampleRate: 16000, duration: 2 }, { name: (file as File).name });

let dbCount = 0;
function setup(factory = new IDBFactory(), name = `batches-state-${(dbCount += 1)}`) {
  const openDb = () => BatchDb.open(name, factory);
  const text = textChannel();
  const updates: SettingsPatch[] = [];
  let id = 0;
  const deps: BatchDeps = {
    openDb,
    files: new BatchFileClient(() => inProcessWorker(openDb)),
    client: text as unknown as BatchDeps['client'],
    settings: {
      modelConfig: { source: { kind: 'hub', host: 'https://h', id: 'm' }, device: 'wasm' } as unknown as ModelConfig,
      current: { weights: { text: 0.5, face: 0.5, vision: 0.5, voice: 0.5 }, modelHost: 'https://h', speechModel: 'speech/model', toneModel: 'tone/model' } as unknown as BatchDeps['settings']['current'],
      update: async (patch) => {
        updates.push(patch);
        return { applied: patch as SettingsUpdate['applied'], refused: {}, write: 'saved' };
      },
    },
    resamples: 200,
    faces: fakeFaces,
    voice: fakeVoice,
    decodeAudio: fakeDecode,
    newId: () => `job-${(id += 1)}`,
  };
  return { state: new BatchState(deps), text, factory, name, updates };
}

const csvFile = (rows: number) =>
  new File([`\uFEFFid,text\r\n${Array.from({ length: rows }, (_, i) => `${i},"row ${i}, ${['glad', 'mad', 'so so'][i % 3]}"`).join('\r\n')}\r\n`], 'posts.csv', { type: 'text/csv' });

describe('BatchState', () => {
  it('reads a file into a job, runs it to the end and exports every row with its scores', async () => {
    const { state, text } = setup();
    await state.load();
    await state.readFile(csvFile(70));
    expect(state.phase).toBe('ready');
    expect(state.job).toMatchObject({ name: 'posts.csv', format: 'csv', header: ['id', 'text'], total: 70, columns: { text: 1, id: 0, picture: null } });
    expect(state.preview?.rows).toHaveLength(10);
    expect(state.jobs).toHaveLength(1);

    await state.start();
    expect(state.phase).toBe('done');
    expect(state.progress).toMatchObject({ done: 70, total: 70 });
    // Pages of 32 rows: one request each.
    expect(text.calls.map((c) => c.length)).toEqual([32, 32, 6]);
    // The results are summed up once the run ends: counts for the summary and the table.
    expect(state.summary?.rows).toBe(70);
    expect(Array.from(state.summary!.tops.slice(0, 3))).toEqual([3, 0, 5]);
    expect((await state.rowsAt([69, 2])).map((r) => r.cells)).toEqual([
      ['69', 'row 69, glad'],
      ['2', 'row 2, so so'],
    ]);
    const blob = await state.exportAs('csv');
    const rows = Papa.parse<Record<string, string>>(await blob!.text(), { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(70);
    expect(rows[1]).toMatchObject({ id: '1', text: 'row 1, mad', emotion: 'anger', status: 'ok', model: 'fixture/model' });
    const jsonl = (await (await state.exportAs('jsonl'))!.text()).trim().split('\n');
    expect(JSON.parse(jsonl[0]!)).toMatchObject({ id: '0', text: 'row 0, glad', emotion: 'joy' });
  });

  it('Pause stops after the page in flight; Resume goes on without redoing a row', async () => {
    const { state, text } = setup();
    await state.readFile(csvFile(100));
    const open = text.hold();
    const run = state.start();
    await vi_waitFor(() => text.calls.length === 1);
    state.pause();
    expect(state.pausing).toBe(true);
    open();
    await run;
    expect(state.phase).toBe('paused');
    expect(state.progress.done).toBe(32);
    await state.start();
    expect(state.phase).toBe('done');
    const seen = text.calls.flat();
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
  });

  it('Cancel ends the run at once and keeps what is done; the rest exports as pending', async () => {
    const { state, text } = setup();
    await state.readFile(csvFile(80));
    const first = text.hold();
    const run = state.start();
    await vi_waitFor(() => text.calls.length === 1);
    const second = text.hold();
    first();
    await vi_waitFor(() => text.calls.length === 2);
    state.cancel();
    second();
    await run;
    expect(state.phase).toBe('cancelled');
    expect(state.message).toBe('Cancelled: 32 of 80 rows were read; they are kept and can be exported.');
    const rows = Papa.parse<Record<string, string>>(await (await state.exportAs('csv'))!.text(), { header: true, skipEmptyLines: true }).data;
    expect(rows.filter((r) => r.status === 'ok')).toHaveLength(32);
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(48);
  });

  it('a job the page left running opens as paused after a reload, and resumes from where it stopped', async () => {
    const factory = new IDBFactory();
    const before = setup(factory, 'batches-reload');
    await before.state.readFile(csvFile(100));
    // Never let through: the page "closes" with its first page in flight.
    before.text.hold();
    void before.state.start();
    await vi_waitFor(() => before.text.calls.length === 1);
    // The page goes away with a page in flight: the job stays stored as running.
    const after = setup(factory, 'batches-reload');
    await after.state.load();
    expect(after.state.phase).toBe('paused');
    expect(after.state.message).toBe('The page closed while this batch ran; 0 of 100 rows are done and kept. Press Resume to go on from there.');
    expect(after.state.interrupted?.job.name).toBe('posts.csv');
    // While it runs again, no view offers to go on with it.
    const open = after.text.hold();
    const resumed = after.state.start();
    await vi_waitFor(() => after.text.calls.length === 1);
    expect(after.state.phase).toBe('running');
    expect(after.state.interrupted).toBeNull();
    expect(after.state.jobs.map((s) => s.job.state)).toEqual(['running']);
    open();
    await resumed;
    expect(after.state.phase).toBe('done');
    expect(after.text.calls.flat()).toHaveLength(100);
    expect(after.state.interrupted).toBeNull();
  });

  it('a file the page stopped reading opens as incomplete, and Cancel or Delete removes it', async () => {
    const factory = new IDBFactory();
    const before = setup(factory, 'batches-cut-read');
    await before.state.readFile(csvFile(50));
    await before.state.readFile(csvFile(20));
    // The page closed while the files were read: both stay stored as 'reading'.
    const db = await BatchDb.open('batches-cut-read', factory);
    for (const { job } of before.state.jobs) await db.putJob({ ...job, state: 'reading' });
    const after = setup(factory, 'batches-cut-read');
    await after.state.load();
    const [first, second] = after.state.jobs.map((s) => s.job);
    await after.state.open(first!.id);
    expect(after.state.phase).toBe('incomplete');
    expect(after.state.message).toMatch(/^The page closed while this file was read/u);
    // Cancel: a read cut short keeps nothing.
    after.state.cancel();
    await vi_waitFor(() => after.state.jobs.length === 1);
    expect(after.state.phase).toBe('idle');
    expect(after.state.message).toBe('Reading the file was cancelled; nothing was kept.');
    // Delete, from the list, of the open incomplete one.
    await after.state.open(second!.id);
    expect(after.state.phase).toBe('incomplete');
    await after.state.remove(second!.id);
    expect(after.state.jobs).toHaveLength(0);
    expect(after.state.phase).toBe('idle');
  });

  it('a run whose text model was stopped for another analysis ends paused, and a failing model pauses with its sentence', async () => {
    const { state, text } = setup();
    await state.readFile(csvFile(40));
    text.failWith(new ModelError('cancelled', 'another request was cancelled'));
    await state.start();
    expect(state.phase).toBe('paused');
    expect(state.message).toMatch(/^The batch was interrupted/u);
    await state.start();
    expect(state.phase).toBe('done');
  });

  it('a Picture column: the picture of each row, from the folder, is read for faces and fused with its text', async () => {
    const { state } = setup();
    const csv = ['id,text,photo', '1,so glad,sad1.jpg', '2,,sad2.jpg', '3,so mad,missing.jpg', '4,so glad,empty1.jpg', '5,so glad,broken1.jpg', '6,,', '7,so mad,'].join('\n');
    await state.readFile(new File([csv], 'posts.csv'));
    expect(state.job?.columns).toMatchObject({ text: 1, picture: 2 });
    // No folder yet: Start says what to do first.
    await state.start();
    expect(state.phase).toBe('ready');
    expect(state.message).toMatch(/^Pick the Picture folder first/u);
    const file = (name: string) => Object.assign(new File(['x'], name), { webkitRelativePath: `photos/${name}` });
    state.setPictureFolder(['sad1.jpg', 'SAD2.JPG', 'empty1.jpg', 'broken1.jpg'].map(file));
    expect(state.pictureFolder).toEqual({ name: 'photos', count: 4 });
    // The folder is picked: the sentence asking for it goes.
    expect(state.message).toBeNull();
    await state.start();
    expect(state.phase).toBe('done');
    const rows = Papa.parse<Record<string, string>>(await (await state.exportAs('csv'))!.text(), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'partial', 'partial', 'partial', 'empty', 'ok']);
    // Text and faces fused (joy and sadness, equal weights); a picture alone is the answer.
    expect(Number(rows[0]!.fused_p_joy)).toBeCloseTo((Number(rows[0]!.p_joy) + Number(rows[0]!.face_p_joy)) / 2, 5);
    expect(rows[1]).toMatchObject({ emotion: 'sadness', p_joy: '', fused_p_joy: '', model: 'faces/model' });
    expect(rows[2]!.error).toBe('missing.jpg is not in the picture folder.');
    expect(rows[3]!.error).toBe('No face found in empty1.jpg.');
    expect(rows[4]!.error).toBe('broken1.jpg: This picture could not be decoded on this device; try a JPEG or PNG.');
    expect(rows[4]).toMatchObject({ emotion: 'joy', face_p_joy: '' });
    expect(rows[6]).toMatchObject({ emotion: 'anger', face_p_joy: '' });
  });

  it("an Audio column: each row's recording, from the folder, is read for its voice and words, fused with its text; a row without a text takes what was said", async () => {
    const { state, text } = setup();
    const csv = ['id,text,recording', '1,so glad,angry.wav', '2,,happy.wav', '3,so glad,missing.wav', '4,,silent.wav', '5,so mad,'].join('\n');
    await state.readFile(new File([csv], 'calls.csv'));
    expect(state.job?.columns).toMatchObject({ text: 1, picture: null, audio: 2 });
    await state.start();
    expect(state.phase).toBe('ready');
    expect(state.message).toMatch(/^Pick the Audio folder first/u);
    const file = (name: string) => Object.assign(new File(['x'], name), { webkitRelativePath: `calls/${name}` });
    state.setAudioFolder(['angry.wav', 'HAPPY.WAV', 'silent.wav'].map(file));
    expect(state.audioFolder).toEqual({ name: 'calls', count: 3 });
    expect(state.message).toBeNull();
    await state.start();
    expect(state.phase).toBe('done');
    // Row 2's transcript went through the text model after the recordings were read.
    expect(text.calls.flat()).toContain('so glad');
    const exported = await (await state.exportAs('csv'))!.text();
    const header = exported.split('\r\n')[0]!.split(',');
    expect(header.slice(-5)).toEqual(['status', 'error', 'model', 'transcript', 'language']);
    expect(header).toEqual(expect.arrayContaining(EMOTIONS.map((e) => `voice_p_${e}`)));
    const rows = Papa.parse<Record<string, string>>(exported, { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'partial', 'failed', 'ok']);
    // Text (joy) and voice (anger) fused, equal weights.
    expect(Number(rows[0]!.fused_p_joy)).toBeCloseTo((Number(rows[0]!.p_joy) + Number(rows[0]!.voice_p_joy)) / 2, 5);
    expect(rows[0]).toMatchObject({ transcript: 'so mad', language: 'en', model: 'fixture/model + speech/model + tone/model' });
    // No text: the words said are read by the text model and fused with the voice.
    expect(rows[1]).toMatchObject({ emotion: 'joy', transcript: 'so glad' });
    expect(Number(rows[1]!.p_joy)).toBeCloseTo(0.5, 5);
    expect(Number(rows[1]!.fused_p_joy)).toBeCloseTo((Number(rows[1]!.p_joy) + Number(rows[1]!.voice_p_joy)) / 2, 5);
    expect(rows[2]!.error).toBe('missing.wav is not in the audio folder.');
    expect(rows[3]!.error).toBe('No speech found in silent.wav.');
    expect(rows[4]).toMatchObject({ emotion: 'anger', voice_p_anger: '', transcript: '' });
  });

  it('an empty file is refused with a sentence and leaves no job', async () => {
    const { state } = setup();
    await state.readFile(new File([''], 'empty.csv'));
    expect(state.phase).toBe('idle');
    expect(state.message).toBe('empty.csv is empty. Pick a CSV, TSV, JSONL or text file with at least one row.');
    expect(state.jobs).toEqual([]);
  });

  it('columns can be changed before the start, not after', async () => {
    const { state } = setup();
    await state.readFile(csvFile(5));
    await state.setColumn('text', 0);
    expect(state.job?.columns.text).toBe(0);
    await state.setColumn('text', 1);
    await state.start();
    await state.setColumn('text', 0);
    expect(state.job?.columns.text).toBe(1);
  });
});

/** Waits (in microtask and timer turns) until `check` holds. */
async function vi_waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('BatchState: evaluation against a Label column (issue 16)', () => {
  // glad -> joy, mad -> anger, anything else -> sadness (textChannel above).
  const labelled = () =>
    new File(
      [
        'id,text,mood\n1,so glad,happy\n2,glad again,Happy\n3,glad but,sad\n4,mad,angry\n5,so mad,angry\n6,mad mad,Angry\n7,so so,sad\n8,meh,love\n9,hmm,\n',
      ],
      'labelled.csv',
      { type: 'text/csv' },
    );

  it('with an Audio column the voice is measured as a channel of its own, beside the text and the fused answer', async () => {
    const { state } = setup();
    await state.load();
    const csv = 'id,text,recording,mood\n1,so glad,angry.wav,angry\n2,so mad,angry.wav,angry\n3,so glad,happy.wav,happy\n4,,happy.wav,happy\n';
    await state.readFile(new File([csv], 'calls.csv', { type: 'text/csv' }));
    expect(state.job?.columns).toMatchObject({ text: 1, audio: 2, label: 3 });
    const file = (name: string) => Object.assign(new File(['x'], name), { webkitRelativePath: `calls/${name}` });
    state.setAudioFolder(['angry.wav', 'happy.wav'].map(file));
    await state.start();
    await expect.poll(() => state.evaluation?.report?.channels.map((c) => c.channel)).toEqual(['text', 'voice', 'fused']);
    const voice = state.evaluation!.report!.channels.find((c) => c.channel === 'voice')!;
    // The voice says anger for angry.wav, joy for happy.wav: all four right. The text (row 4's
    // is what was said, "so glad") is right on rows 2, 3 and 4.
    expect(voice).toMatchObject({ rows: 4, accuracy: 1 });
    expect(state.evaluation!.report!.channels.find((c) => c.channel === 'text')!.accuracy).toBeCloseTo(3 / 4, 12);
  });

  it('guesses the column, counts unusable labels, and its figures are the hand-computed ones', async () => {
    const { state } = setup();
    await state.load();
    await state.readFile(labelled());
    expect(state.job?.columns).toMatchObject({ text: 1, id: 0, label: 2 });
    // Before a run: the values are read, nothing is measured yet.
    await expect.poll(() => state.evaluation?.rows).toEqual({ labelled: 7, empty: 1, unmapped: 1, ignored: 0 });
    expect(state.evaluation?.report).toBeNull();
    expect(state.evaluation?.values.find((v) => v.key === 'love')).toMatchObject({ source: 'unmapped', rows: 1, emotion: null });
    expect(state.evaluation?.values.find((v) => v.key === 'happy')).toMatchObject({ source: 'auto', rows: 2, emotion: 'joy' });

    await state.start();
    const text = state.evaluation!.report!.channels.find((c) => c.channel === 'text')!;
    expect(text.rows).toBe(7);
    // joy P 2/3 R 1 F1 0.8; anger 1; sadness P 1 R 1/2 F1 2/3; 6 of 7 right.
    expect(text.accuracy).toBeCloseTo(6 / 7, 12);
    expect(text.macroF1).toBeCloseTo((0.8 + 1 + 2 / 3) / 3, 12);
    expect(text.confusion[EMOTIONS.indexOf('sadness')]![EMOTIONS.indexOf('joy')]).toBe(1);
    expect(state.evaluation!.models).toEqual(['fixture/model']);

    // The user maps "love" to joy (a wrong answer joins) and leaves "sad" out (two rows leave).
    await state.setLabel('love', 'joy');
    expect(state.evaluation!.rows).toEqual({ labelled: 8, empty: 1, unmapped: 0, ignored: 0 });
    expect(state.evaluation!.report!.channels[0]!.accuracy).toBeCloseTo(6 / 8, 12);
    await state.setLabel('sad', 'ignore');
    expect(state.evaluation!.rows).toEqual({ labelled: 6, empty: 1, unmapped: 0, ignored: 2 });
    expect(state.evaluation!.report!.channels[0]!.accuracy).toBeCloseTo(5 / 6, 12);
    // Back to automatic; the choices are stored with the job.
    await state.setLabel('sad', null);
    expect(state.job?.labels).toEqual({ love: 'joy' });
    await state.open(state.job!.id);
    expect(state.evaluation!.rows.labelled).toBe(8);

    // No Label column: no evaluation.
    await state.setColumn('label', null);
    expect(state.evaluation).toBeNull();
  });

  it('Use these weights sets the text and faces shares in Settings, leaving the cloud channel as it was', async () => {
    const { state, updates } = setup();
    expect(await state.useWeights(0.8)).toBe(true);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.weights!.text).toBeCloseTo(0.8, 12);
    expect(updates[0]!.weights!.face).toBeCloseTo(0.2, 12);
    expect(updates[0]!.weights!.vision).toBe(0.5);
  });

  it('a store that refuses a write ends Start, Cancel, a column or label change in a sentence, never a rejected promise', async () => {
    const { state, text } = setup();
    await state.readFile(csvFile(70));
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const putJob = vi.spyOn(BatchDb.prototype, 'putJob').mockRejectedValue(quota);
    try {
      await expect(state.start()).resolves.toBeUndefined();
      expect(state.message).toMatch(/^The batch could not start \(the browser storage for this site is full\)/u);
      expect(state.phase).toBe('ready');
      expect(state.running).toBe(false);
      expect(text.calls).toEqual([]);
      await expect(state.setColumn('id', null)).resolves.toBeUndefined();
      expect(state.message).toMatch(/^The column could not be changed/u);
      expect(state.job?.columns.id).toBe(0);
      // The Label column and a label's meaning belong to the evaluation; they end in a sentence too.
      await expect(state.setColumn('label', 1)).resolves.toBeUndefined();
      expect(state.message).toMatch(/^The column could not be changed/u);
      expect(state.job?.columns.label).toBeNull();
      await expect(state.setLabel('glad', 'joy')).resolves.toBeUndefined();
      expect(state.message).toMatch(/^The label's meaning could not be stored \(the browser storage for this site is full\)/u);
      expect(state.job?.labels).toEqual({});
    } finally {
      putJob.mockRestore();
    }
    // Paused, then Cancel while the store refuses: the job stays paused, and says why.
    const open = text.hold();
    const run = state.start();
    await vi_waitFor(() => text.calls.length === 1);
    state.pause();
    open();
    await run;
    expect(state.phase).toBe('paused');
    const refuse = vi.spyOn(BatchDb.prototype, 'putJob').mockRejectedValue(quota);
    try {
      state.cancel();
      await vi_waitFor(() => state.message?.startsWith('The batch could not be cancelled') ?? false);
      expect(state.phase).toBe('paused');
    } finally {
      refuse.mockRestore();
    }
  });
});
