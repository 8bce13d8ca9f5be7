import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  HISTORY_VERSION,
  filterRecords,
  fusionOf,
  migrateRecord,
  presentChannels,
  readExportFile,
  scoresOf,
  toCsv,
  type FacePart,
  type FaceReading,
  type HistoryRecord,
  type VoicePart,
} from '../../src/features/history/records';
import { uniqueTags } from '../../src/features/history/tags';
import { createMemoryHistoryStore } from '../../src/features/history/history-store';

const dist = (p: Partial<Record<Emotion, number>>): EmotionScores =>
  normalize(Object.fromEntries(EMOTIONS.map((e) => [e, p[e] ?? 0])) as Record<Emotion, number>);

function record(over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    schemaVersion: HISTORY_VERSION,
    id: 'rec-00000001',
    createdAt: 1_790_000_000_000,
    textPart: { text: 'I am so happy', scores: dist({ joy: 0.9, neutral: 0.1 }), modelId: 'a/b', device: 'wasm', dtype: 'q8', inferenceMs: 4, chunks: 1, tokens: 4 },
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

/** Two faces, a smiling big one and a frowning small one, as the face channel keeps them. */
const FACES: readonly FaceReading[] = [
  { box: { x1: 0.1, y1: 0.2, x2: 0.5, y2: 0.7 }, score: 0.98, scores: dist({ joy: 0.8, neutral: 0.2 }) },
  { box: { x1: 0.6, y1: 0.1, x2: 0.7, y2: 0.25 }, score: 0.7, scores: dist({ sadness: 0.6, neutral: 0.4 }) },
];
const FACE_PART: FacePart = { scores: pictureScores(FACES)!, faces: FACES, model: 'blazeface+emotion', elapsedMs: 120 };

/** A version 1 record as the first release stored it. */
function v1Record(over: Record<string, unknown> = {}) {
  const { facePart: _facePart, weights: _weights, ...rest } = record();
  return { ...rest, schemaVersion: 1, textWeight: 0.8, ...over };
}

const arbScores = fc
  .tuple(...EMOTIONS.map(() => fc.double({ min: 0, max: 1, noNaN: true })))
  .filter((xs) => xs.reduce((a, b) => a + b, 0) > 1e-3)
  .map((xs) => dist(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!]))));
// The app never writes -0 (JSON cannot keep it either).
const arbFraction = fc.double({ min: 0, max: 1, noNaN: true }).map((w) => w + 0);
const arbBox = fc
  .tuple(arbFraction, arbFraction, arbFraction, arbFraction)
  .map(([a, b, c, d]) => ({ x1: Math.min(a, b), y1: Math.min(c, d), x2: Math.max(a, b), y2: Math.max(c, d) }));
const arbFacePart: fc.Arbitrary<FacePart> = fc.record({
  scores: arbScores,
  faces: fc.array(fc.record({ box: arbBox, score: arbFraction, scores: arbScores }), { minLength: 1, maxLength: 50 }),
  model: fc.string({ maxLength: 40 }),
  elapsedMs: fc.nat(),
});
const arbRecord: fc.Arbitrary<HistoryRecord> = fc
  .record({
    id: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/u),
    createdAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    text: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
    textScores: arbScores,
    vision: fc.option(fc.record({ scores: arbScores, description: fc.string({ maxLength: 100 }) }), { nil: null }),
    face: fc.option(arbFacePart, { nil: null }),
    weights: fc.record({ text: arbFraction, face: arbFraction, vision: arbFraction }, { requiredKeys: [] }),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 5 }),
    againOf: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/u), { nil: null }),
  })
  .filter((r) => r.text !== null || r.vision !== null || r.face !== null)
  .map((r) =>
    record({
      id: r.id,
      createdAt: r.createdAt,
      weights: r.weights,
      textPart: r.text === null ? null : { text: r.text, scores: r.textScores, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 1 },
      visionPart: r.vision && { scores: r.vision.scores, description: r.vision.description.trim().slice(0, 600), model: 'v', provider: 'api.example', elapsedMs: 2 },
      facePart: r.face,
      tags: uniqueTags(r.tags),
      againOf: r.againOf,
    }),
  );

/** What the app writes to an export file (thumbnails omitted here). */
const exportText = (records: readonly HistoryRecord[]) =>
  JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: 'x', records: records.map((r) => ({ ...r, thumbnail: null })) });

describe('history records', () => {
  it('reads a current record and refuses broken ones', () => {
    expect(migrateRecord(record())).toEqual(record());
    expect(migrateRecord({ ...record(), id: 'x' })).toBeNull();
    expect(migrateRecord({ ...record(), textPart: null, visionPart: null })).toBeNull();
    expect(migrateRecord({ ...record(), schemaVersion: 99 })).toBeNull();
    expect(migrateRecord('junk')).toBeNull();
  });

  it("keeps the text engine a record names, and drops one it does not know (records before issue 18 have none)", () => {
    const base = record();
    const withEngine = (engine: unknown) => ({ ...base, textPart: { ...base.textPart, engine } });
    expect(migrateRecord(withEngine('litert'))?.textPart?.engine).toBe('litert');
    expect(migrateRecord(withEngine('onnxruntime'))?.textPart?.engine).toBe('onnxruntime');
    expect(migrateRecord(withEngine('<script>'))?.textPart).not.toHaveProperty('engine');
    expect(migrateRecord(base)?.textPart).not.toHaveProperty('engine');
  });

  it('reads a version 1 record as version 2: text weight w becomes text w, vision 1 − w, and no faces', () => {
    const migrated = migrateRecord(v1Record());
    expect(migrated).toEqual(record({ weights: { text: 0.8, vision: 1 - 0.8 } }));
    expect(migrated?.schemaVersion).toBe(2);
    // A version 1 record cannot have faces: a stray field is not read as such.
    expect(migrateRecord(v1Record({ facePart: FACE_PART }))?.facePart).toBeNull();
    // Without a valid text weight, both halves.
    expect(migrateRecord(v1Record({ textWeight: 7 }))?.weights).toEqual({ text: 0.5, vision: 0.5 });
    expect(migrateRecord(v1Record({ textWeight: undefined }))?.weights).toEqual({ text: 0.5, vision: 0.5 });
    // The answer of a migrated record is the one it showed: 0.8 text, 0.2 picture.
    const vision = { scores: dist({ sadness: 1 }), description: 'd', model: 'v', provider: 'p', elapsedMs: 1 };
    const both = migrateRecord(v1Record({ visionPart: vision }))!;
    expect(fusionOf(both)?.weights).toMatchObject({ text: 0.8, face: 0, vision: expect.closeTo(0.2, 12) });
  });

  it('reads a record with faces, and its channels and scores', () => {
    const r = record({ facePart: FACE_PART, weights: { text: 0.6, face: 0.4 } });
    expect(migrateRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(presentChannels(r)).toEqual(['text', 'face']);
    expect(scoresOf(r)).toEqual({ text: r.textPart!.scores, face: FACE_PART.scores, vision: null, voice: null });
    expect(fusionOf(r)).toMatchObject({ channels: 'text+face', weights: { text: 0.6, face: 0.4, vision: 0 } });
    expect(fusionOf(r)).toBe(fusionOf(r));
    // Faces alone are an analysis; a record that never had faces may leave the field out.
    expect(migrateRecord({ ...r, textPart: null })).toMatchObject({ textPart: null, facePart: FACE_PART });
    const { facePart: _facePart, ...noField } = record();
    expect(migrateRecord(noField)).toEqual(record());
    // Unknown or invalid weights are dropped; the rest are kept.
    expect(migrateRecord({ ...r, weights: { text: 0.6, face: 2, audio: 0.5 } })?.weights).toEqual({ text: 0.6 });
    expect(migrateRecord({ ...r, weights: 'heavy' })?.weights).toEqual({});
  });

  it('refuses a record whose faces are not valid', () => {
    const withFaces = (facePart: unknown) => migrateRecord({ ...record(), facePart });
    const face = (over: Record<string, unknown>) => ({ ...FACE_PART, faces: [{ ...FACES[0]!, ...over }] });
    const box = (b: Record<string, unknown>) => face({ box: { ...FACES[0]!.box, ...b } });
    expect(withFaces(FACE_PART)).not.toBeNull();
    expect(withFaces(box({ x1: 0, y1: 0, x2: 1, y2: 1 }))).not.toBeNull();
    expect(withFaces(box({ x1: 0.3, x2: 0.3 }))).not.toBeNull();
    for (const bad of [
      box({ x2: 1.2 }),
      box({ y1: -0.1 }),
      box({ x1: 0.6, x2: 0.5 }),
      box({ y1: 0.8, y2: 0.7 }),
      box({ x1: '0.1' }),
      face({ box: null }),
      face({ score: 1.5 }),
      face({ score: -0.1 }),
      face({ score: null }),
      face({ scores: { ...FACES[0]!.scores, joy: -1 } }),
      face({ scores: { joy: 1, cheer: 1 } }),
      { ...FACE_PART, faces: [] },
      { ...FACE_PART, faces: Array.from({ length: 51 }, () => FACES[0]) },
      { ...FACE_PART, faces: 'two' },
      { ...FACE_PART, faces: [FACES[0], 'face'] },
      { ...FACE_PART, scores: dist({ joy: 1 }), faces: undefined },
      { ...FACE_PART, scores: { ...FACE_PART.scores, joy: Number.NaN } },
      { ...FACE_PART, scores: undefined },
      'faces',
    ]) {
      expect(withFaces(bad)).toBeNull();
    }
    expect(withFaces({ ...FACE_PART, faces: Array.from({ length: 50 }, () => FACES[0]) })?.facePart?.faces).toHaveLength(50);
  });

  it('searches text and description, filters by emotion and channels, newest first', () => {
    const a = record({ id: 'aaaaaaaa', createdAt: 1, textPart: { ...record().textPart!, text: 'Happy birthday to me' } });
    const b = record({ id: 'bbbbbbbb', createdAt: 2, textPart: null, visionPart: { scores: dist({ sadness: 1 }), description: 'A tearful face', model: 'v', provider: 'p', elapsedMs: 1 } });
    expect(filterRecords([a, b], { search: '', emotion: 'any', channels: 'any', tag: 'any' }).map((r) => r.id)).toEqual(['bbbbbbbb', 'aaaaaaaa']);
    expect(filterRecords([a, b], { search: 'TEARFUL face', emotion: 'any', channels: 'any', tag: 'any' }).map((r) => r.id)).toEqual(['bbbbbbbb']);
    expect(filterRecords([a, b], { search: '', emotion: 'joy', channels: 'any', tag: 'any' }).map((r) => r.id)).toEqual(['aaaaaaaa']);
    expect(filterRecords([a, b], { search: '', emotion: 'any', channels: 'vision', tag: 'any' }).map((r) => r.id)).toEqual(['bbbbbbbb']);
    // Faces are a picture channel: faces alone count as a picture, text and faces as both.
    const c = record({ id: 'cccccccc', createdAt: 3, textPart: null, facePart: { ...FACE_PART, scores: dist({ anger: 1 }) }, weights: { face: 1 } });
    const d = record({ id: 'dddddddd', createdAt: 4, facePart: FACE_PART, weights: { text: 0.5, face: 0.5 } });
    expect(filterRecords([a, b, c, d], { search: '', emotion: 'any', channels: 'vision', tag: 'any' }).map((r) => r.id)).toEqual(['cccccccc', 'bbbbbbbb']);
    expect(filterRecords([a, b, c, d], { search: '', emotion: 'any', channels: 'both', tag: 'any' }).map((r) => r.id)).toEqual(['dddddddd']);
    expect(filterRecords([a, b, c, d], { search: '', emotion: 'anger', channels: 'any', tag: 'any' }).map((r) => r.id)).toEqual(['cccccccc']);
  });

  it('keeps the voice part (segments, words, transcript and scores, never the sound), exports its columns, and refuses a broken one', () => {
    const voice: VoicePart = {
      scores: dist({ joy: 0.6, sadness: 0.4 }),
      segments: [
        { start: 0.4, end: 3.6, tone: dist({ joy: 0.9, neutral: 0.1 }), text: 'I am so happy today.', words: dist({ joy: 0.95, neutral: 0.05 }) },
        { start: 4.9, end: 8.6, tone: dist({ sadness: 0.8, neutral: 0.2 }), text: '', words: null },
      ],
      transcript: 'I am so happy today.',
      language: 'en',
      speechModel: 'onnx-community/whisper-base',
      duration: 9.24,
      toneModel: 'onnx-community/wav2vec2-emotion-recognition-ONNX',
      elapsedMs: 2400,
    };
    const both = record({ id: 'vvvvvvvv', voicePart: voice, weights: { text: 0.5, voice: 0.5 } });
    expect(migrateRecord(JSON.parse(JSON.stringify(both)))).toEqual(both);
    expect(presentChannels(both)).toEqual(['text', 'voice']);
    expect(fusionOf(both)).toMatchObject({ channels: 'text+voice' });
    // A recording alone is its own kind in the list and its filter.
    const alone = record({ id: 'wwwwwwww', textPart: null, voicePart: voice, weights: { voice: 1 } });
    expect(migrateRecord(JSON.parse(JSON.stringify(alone)))).toEqual(alone);
    expect(filterRecords([both, alone], { search: '', emotion: 'any', channels: 'voice', tag: 'any' }).map((r) => r.id)).toEqual(['wwwwwwww']);
    expect(filterRecords([both, alone], { search: '', emotion: 'any', channels: 'text', tag: 'any' }).map((r) => r.id)).toEqual(['vvvvvvvv']);

    const [headerLine, row] = toCsv([both]).split('\r\n');
    const header = headerLine!.split(',');
    const cells = Object.fromEntries(row!.split(',').map((v, i) => [header[i]!, v]));
    expect(cells).toMatchObject({ voice_weight: '0.5', voice_p_joy: '0.600000', voice_p_sadness: '0.400000', voice_model: voice.toneModel, voice_segments: '2', voice_seconds: '9.24', speech_model: 'onnx-community/whisper-base', language: 'en', transcript: 'I am so happy today.' });

    // A record made before speech recognition (no words, no transcript) still reads, as none.
    const { transcript: _t, language: _l, speechModel: _s, ...older } = voice;
    const before = { ...alone, voicePart: { ...older, segments: older.segments.map(({ start, end, tone }) => ({ start, end, tone })) } };
    expect(migrateRecord(JSON.parse(JSON.stringify(before)))?.voicePart).toMatchObject({ transcript: '', language: null, speechModel: '', segments: [{ text: '', words: null }, { text: '', words: null }] });

    // Broken voice parts make the record unreadable rather than half read.
    for (const bad of [
      { ...voice, segments: [] },
      { ...voice, segments: [{ start: 3, end: 2, tone: voice.scores }] },
      { ...voice, segments: [{ start: 0, end: 99, tone: voice.scores }] },
      { ...voice, scores: { joy: 2 } },
      { ...voice, duration: -1 },
      { ...voice, segments: [{ ...voice.segments[0]!, words: { joy: 'a lot' } }] },
    ]) {
      expect(migrateRecord(JSON.parse(JSON.stringify({ ...both, voicePart: bad })))).toBeNull();
    }
  });

  it('keeps tags and the entry analyzed again; reads records without them (older ones) as none', () => {
    const tagged = record({ tags: ['Campaign A', '@brand'], againOf: 'rec-00000000' });
    expect(migrateRecord(tagged)).toEqual(tagged);
    const { tags: _tags, againOf: _againOf, ...older } = record();
    expect(migrateRecord(older)).toEqual(record());
    expect(migrateRecord(v1Record())).toMatchObject({ tags: [], againOf: null });
    // Tags are cleaned and deduplicated; what is not a list of strings, or not an id, is no tags and no link.
    expect(migrateRecord({ ...record(), tags: [' a  b ', 'A B', 7, '', 'c'] })?.tags).toEqual(['a b', 'c']);
    expect(migrateRecord({ ...record(), tags: 'a, b', againOf: 'no' })).toMatchObject({ tags: [], againOf: null });
  });

  it('filters by tag (any case) or by no tag, and searches the tags too', () => {
    const a = record({ id: 'aaaaaaaa', createdAt: 1, tags: ['Campaign A'] });
    const b = record({ id: 'bbbbbbbb', createdAt: 2, tags: ['campaign b', '@brand'] });
    const c = record({ id: 'cccccccc', createdAt: 3 });
    const ids = (q: Partial<Parameters<typeof filterRecords>[1]>) =>
      filterRecords([a, b, c], { search: '', emotion: 'any', channels: 'any', tag: 'any', ...q }).map((r) => r.id);
    expect(ids({ tag: { tag: 'campaign a' } })).toEqual(['aaaaaaaa']);
    expect(ids({ tag: 'untagged' })).toEqual(['cccccccc']);
    expect(ids({ search: '@BRAND' })).toEqual(['bbbbbbbb']);
    expect(ids({ search: 'campaign' })).toEqual(['bbbbbbbb', 'aaaaaaaa']);
    const [header, row] = toCsv([b]).split('\r\n');
    const cells = row!.split(',');
    expect(cells[header!.split(',').indexOf('tags')]).toBe('campaign b; @brand');
  });

  it('writes CSV with one row per analysis, quoting and defusing formulas', () => {
    const csv = toCsv([record({ textPart: { ...record().textPart!, text: '=HYPERLINK("x"), "quoted"\nline' } })]);
    const [header, row] = csv.split('\r\n');
    expect(header!.split(',')).toContain('fused_joy');
    // 7 leading columns, 7 scores for each of text, faces, vision and the fused answer, 8 trailing
    // ones, then the voice's (added later, at the end): its weight, 7 scores and 6 more.
    expect(header!.split(',').length).toBe(7 + 28 + 8 + 14);
    expect(row).toContain(`"'=HYPERLINK(""x""), ""quoted""`);
  });

  it('writes the face columns: shares, scores, the number of faces and the model', () => {
    const vision = { scores: dist({ joy: 0.6, surprise: 0.4 }), description: 'Two people', model: 'v/model', provider: 'api.example', elapsedMs: 9 };
    const three = record({ id: 'ffffffff', facePart: FACE_PART, visionPart: vision, weights: { text: 0.5, face: 0.3, vision: 0.2 } });
    const faceOnly = record({ id: 'gggggggg', textPart: null, facePart: FACE_PART, weights: { face: 1 } });
    const [headerLine, ...rows] = toCsv([three, faceOnly]).split('\r\n');
    const header = headerLine!.split(',');
    expect(header.slice(0, 7)).toEqual(['id', 'created_at', 'channels', 'fused_top', 'text_weight', 'face_weight', 'vision_weight']);
    expect(header.slice(-22, -14)).toEqual(['face_count', 'text', 'vision_description', 'text_model', 'face_model', 'vision_model', 'tags', 'again_of']);
    expect(header.slice(-14)).toEqual(['voice_weight', ...EMOTIONS.map((e) => `voice_p_${e}`), 'voice_model', 'voice_segments', 'voice_seconds', 'speech_model', 'language', 'transcript']);
    for (const e of EMOTIONS) expect(header).toContain(`face_${e}`);
    expect(rows.at(-1)).toBe('');
    const cells = (line: string) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v]));
    const a = cells(rows[0]!);
    expect(a).toMatchObject({ id: 'ffffffff', channels: 'both', text_weight: '0.5', face_weight: '0.3', vision_weight: '0.2', face_count: '2', face_model: 'blazeface+emotion' });
    for (const e of EMOTIONS) expect(a[`face_${e}`]).toBe(FACE_PART.scores[e].toFixed(6));
    const fused = fusionOf(three)!;
    for (const e of EMOTIONS) expect(a[`fused_${e}`]).toBe(fused.scores[e].toFixed(6));
    // A channel the record does not have has no share and no scores.
    const b = cells(rows[1]!);
    expect(b).toMatchObject({ text_weight: '', face_weight: '1', vision_weight: '', face_count: '2', text_joy: '', vision_joy: '', text: '' });
    expect(b.fused_joy).toBe(FACE_PART.scores.joy.toFixed(6));
    expect(cells(toCsv([record()]).split('\r\n')[1]!)).toMatchObject({ face_weight: '', face_joy: '', face_count: '', face_model: '', text_weight: '1' });
  });

  it('export then import is the identity (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbRecord, { selector: (r) => r.id, maxLength: 20 }), (records) => {
        const plan = readExportFile(exportText(records));
        expect(plan.error).toBeNull();
        expect(plan.rejected).toBe(0);
        expect(plan.records.map((r) => r.record)).toEqual(records);
      }),
    );
  });

  it('a file exported by the first release (version 1, version 1 records) still imports', () => {
    const vision = { scores: dist({ sadness: 1 }), description: 'A tearful face', model: 'v', provider: 'p', elapsedMs: 1 };
    const file = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      exportedAt: '2026-01-01T00:00:00.000Z',
      records: [
        { ...v1Record(), thumbnail: null },
        { ...v1Record({ id: 'bbbbbbbb', textPart: null, visionPart: vision, textWeight: 0.3 }), thumbnail: 'data:image/jpeg;base64,AQID' },
      ],
    });
    const plan = readExportFile(file);
    expect(plan).toMatchObject({ error: null, rejected: 0 });
    expect(plan.records).toEqual([
      { record: record({ weights: { text: 0.8, vision: 1 - 0.8 } }), thumbnail: null },
      { record: record({ id: 'bbbbbbbb', textPart: null, visionPart: vision, weights: { text: 0.3, vision: 1 - 0.3 } }), thumbnail: 'data:image/jpeg;base64,AQID' },
    ]);
  });

  it('random junk never gets in (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything().map((x) => JSON.stringify({ format: EXPORT_FORMAT, version: 1, records: [x] }) ?? '')), (text) => {
        const plan = readExportFile(text);
        expect(plan.records.length + plan.rejected).toBeLessThanOrEqual(1);
        for (const { record: r } of plan.records) expect(migrateRecord(r)).toEqual(r);
      }),
    );
  });

  it('refuses files that are not exports, or from a newer version, as a whole', () => {
    expect(readExportFile('nope').error).toMatch(/not JSON/u);
    expect(readExportFile('{"records": []}').error).toMatch(/not a Moodlens history export/u);
    expect(readExportFile(JSON.stringify({ format: EXPORT_FORMAT, version: 99, records: [] })).error).toMatch(/newer version/u);
  });

  it('rejects bad records one by one and keeps the good ones', () => {
    const file = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      records: [{ ...record(), thumbnail: null }, { ...record(), id: '!' }, { ...record({ id: 'cccccccc' }), thumbnail: 'javascript:alert(1)' }],
    });
    const plan = readExportFile(file);
    expect(plan.records.map((r) => r.record.id)).toEqual(['rec-00000001']);
    expect(plan.rejected).toBe(2);
  });

  it('the memory store keeps, replaces and removes records', async () => {
    const store = createMemoryHistoryStore();
    await store.put(record());
    await store.putMany([record({ id: 'dddddddd' }), record()]);
    expect((await store.list()).records.map((r) => r.id).sort()).toEqual(['dddddddd', 'rec-00000001']);
    await store.remove(['dddddddd']);
    expect((await store.list()).records).toHaveLength(1);
    expect(store.persistent).toBe(false);
  });
});
