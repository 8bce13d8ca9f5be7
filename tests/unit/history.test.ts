import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMOTIONS, normalize, type Emotion, type EmotionScores } from '../../src/lib/domain/emotions';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  filterRecords,
  migrateRecord,
  readExportFile,
  toCsv,
  type HistoryRecord,
} from '../../src/lib/domain/history';
import { createMemoryHistoryStore } from '../../src/lib/storage/history-store';

const dist = (p: Partial<Record<Emotion, number>>): EmotionScores =>
  normalize(Object.fromEntries(EMOTIONS.map((e) => [e, p[e] ?? 0])) as Record<Emotion, number>);

function record(over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    schemaVersion: 1,
    id: 'rec-00000001',
    createdAt: 1_790_000_000_000,
    textPart: { text: 'I am so happy', scores: dist({ joy: 0.9, neutral: 0.1 }), modelId: 'a/b', device: 'wasm', dtype: 'q8', inferenceMs: 4, chunks: 1, tokens: 4 },
    visionPart: null,
    thumbnail: null,
    textWeight: 0.5,
    ...over,
  };
}

const arbScores = fc
  .tuple(...EMOTIONS.map(() => fc.double({ min: 0, max: 1, noNaN: true })))
  .filter((xs) => xs.reduce((a, b) => a + b, 0) > 1e-3)
  .map((xs) => dist(Object.fromEntries(EMOTIONS.map((e, i) => [e, xs[i]!]))));
const arbRecord: fc.Arbitrary<HistoryRecord> = fc
  .record({
    id: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/u),
    createdAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    text: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
    textScores: arbScores,
    vision: fc.option(fc.record({ scores: arbScores, description: fc.string({ maxLength: 100 }) }), { nil: null }),
    // The app never writes -0 (JSON cannot keep it either).
    textWeight: fc.double({ min: 0, max: 1, noNaN: true }).map((w) => w + 0),
  })
  .filter((r) => r.text !== null || r.vision !== null)
  .map((r) =>
    record({
      id: r.id,
      createdAt: r.createdAt,
      textWeight: r.textWeight,
      textPart: r.text === null ? null : { text: r.text, scores: r.textScores, modelId: 'm', device: 'wasm', dtype: 'q8', inferenceMs: 1, chunks: 1, tokens: 1 },
      visionPart: r.vision && { scores: r.vision.scores, description: r.vision.description.trim().slice(0, 600), model: 'v', provider: 'api.example', elapsedMs: 2 },
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

  it('searches text and description, filters by emotion and channels, newest first', () => {
    const a = record({ id: 'aaaaaaaa', createdAt: 1, textPart: { ...record().textPart!, text: 'Happy birthday to me' } });
    const b = record({ id: 'bbbbbbbb', createdAt: 2, textPart: null, visionPart: { scores: dist({ sadness: 1 }), description: 'A tearful face', model: 'v', provider: 'p', elapsedMs: 1 } });
    expect(filterRecords([a, b], { search: '', emotion: 'any', channels: 'any' }).map((r) => r.id)).toEqual(['bbbbbbbb', 'aaaaaaaa']);
    expect(filterRecords([a, b], { search: 'TEARFUL face', emotion: 'any', channels: 'any' }).map((r) => r.id)).toEqual(['bbbbbbbb']);
    expect(filterRecords([a, b], { search: '', emotion: 'joy', channels: 'any' }).map((r) => r.id)).toEqual(['aaaaaaaa']);
    expect(filterRecords([a, b], { search: '', emotion: 'any', channels: 'vision' }).map((r) => r.id)).toEqual(['bbbbbbbb']);
  });

  it('writes CSV with one row per analysis, quoting and defusing formulas', () => {
    const csv = toCsv([record({ textPart: { ...record().textPart!, text: '=HYPERLINK("x"), "quoted"\nline' } })]);
    const [header, row] = csv.split('\r\n');
    expect(header!.split(',')).toContain('fused_joy');
    expect(header!.split(',').length).toBe(5 + 21 + 4);
    expect(row).toContain(`"'=HYPERLINK(""x""), ""quoted""`);
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
