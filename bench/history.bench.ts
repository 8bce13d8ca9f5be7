// History at 10,000 entries (`npm run bench`): filtering and searching the in-memory list (what
// every keystroke in "Search history" costs), building the CSV export, and validating an import.
// Reading the records from IndexedDB is measured in the browser, not here.
import { bench, describe } from 'vitest';
import { EMOTIONS, normalize, type Emotion } from '../src/shared/emotions';
import { EXPORT_FORMAT, EXPORT_VERSION, filterRecords, readExportFile, toCsv, type HistoryRecord } from '../src/features/history/records';

const WORDS = ['happy', 'sad', 'meeting', 'rain', 'birthday', 'furious', 'calm', 'train', 'coffee', 'exam', 'friend', 'dark'];
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const scores = () => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, rand()])) as Record<Emotion, number>);

const records: HistoryRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
  schemaVersion: 2,
  id: `bench-${String(i).padStart(8, '0')}`,
  createdAt: 1_700_000_000_000 + i * 60_000,
  textPart: {
    text: Array.from({ length: 30 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '),
    scores: scores(),
    modelId: 'a/b',
    device: 'wasm',
    dtype: 'q8',
    inferenceMs: 50,
    chunks: 1,
    tokens: 40,
  },
  visionPart: i % 3 === 0 ? { scores: scores(), description: 'A face with a slight smile.', model: 'm', provider: 'api.groq.com', elapsedMs: 900 } : null,
  facePart: null,
  voicePart: null,
  thumbnail: null,
  weights: { text: 0.5, vision: 0.5 },
  tags: i % 3 === 0 ? ['campaign a'] : [],
  againOf: null,
}));
const exportText = JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: '', records });

describe('history, 10,000 entries', () => {
  bench('list newest first (no filter)', () => {
    filterRecords(records, { search: '', emotion: 'any', channels: 'any', tag: 'any' });
  });
  bench('search two words', () => {
    filterRecords(records, { search: 'coffee exam', emotion: 'any', channels: 'any', tag: 'any' });
  });
  bench('filter by fused emotion and channels', () => {
    filterRecords(records, { search: '', emotion: 'joy', channels: 'both', tag: 'any' });
  });
  bench('CSV export', () => {
    toCsv(records);
  });
  bench('validate an import file', () => {
    readExportFile(exportText);
  });
});
