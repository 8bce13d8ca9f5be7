// Batch, the pure parts: which columns hold the text, the id and the picture; the export's columns
// and cells (original cells untouched, formulas neutralised); progress and time left.
import { describe, expect, it } from 'vitest';
import { addReading, csvHeaderLine, csvLine, exportHeader, guessColumns, jsonlLine, progressOf, resultCells, type RowResult } from '../../src/features/batch/rows';
import { EMOTIONS, normalize, type Emotion } from '../../src/shared/emotions';

const scores = (top: Emotion) => normalize(Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 7 : 0.5])) as Record<Emotion, number>);

describe('guessColumns', () => {
  it('takes the longest column of words as the text, an id-named unique column as the id, file names as the picture', () => {
    const table = {
      header: ['post_id', 'date', 'author', 'body', 'likes', 'image', 'url'],
      rows: [
        ['a1', '2026-11-01', 'ann', 'I finally got the job and I cannot stop smiling', '12', 'a1.jpg', 'https://x.example/a1'],
        ['a2', '2026-11-02', 'bob', 'The train was late again, everyone furious', '3', 'a2.PNG', 'https://x.example/a2'],
        ['a3', '2026-11-03', 'cy', '', '0', '', 'https://x.example/a3'],
      ],
    };
    expect(guessColumns(table)).toEqual({ text: 3, id: 0, picture: 5, audio: null, label: null });
  });

  it('does not take numbers, dates or links as the text, and finds no id or picture when there is none', () => {
    const table = {
      header: ['n', 'when', 'link', 'comment'],
      rows: [
        ['123456789012345', '2026-11-01T10:00:00Z', 'https://a-very-long-link.example/with/a/path', 'ok'],
        ['2', '2026-11-02', 'https://b.example', 'fine'],
      ],
    };
    expect(guessColumns(table)).toEqual({ text: 3, id: null, picture: null, audio: null, label: null });
  });

  it('an id column with repeated values is not an id', () => {
    expect(guessColumns({ header: ['id', 'text'], rows: [['1', 'hello there'], ['1', 'again']] }).id).toBeNull();
  });
});

describe('the export', () => {
  const row: RowResult = { status: 'ok', reason: '', text: scores('joy'), face: null, fused: null, model: 'm/text' };

  it('keeps every original column, then emotion, the scores of the channels that ran, status, error, model', () => {
    expect(exportHeader(['id', 'text'], ['text'])).toEqual([
      'id',
      'text',
      'emotion',
      ...EMOTIONS.map((e) => `p_${e}`),
      'status',
      'error',
      'model',
    ]);
    const all = exportHeader(['text'], ['text', 'face', 'fused']);
    expect(all).toHaveLength(1 + 1 + 21 + 3);
    expect(all).toContain('face_p_joy');
    expect(all).toContain('fused_p_sadness');
  });

  it('writes the top emotion and six-decimal scores; the fused answer names the emotion when there is one', () => {
    const cells = resultCells(row, ['text']);
    expect(cells[0]).toBe('joy');
    expect(cells.slice(1, 8)).toEqual(EMOTIONS.map((e) => Number(row.text![e].toFixed(6))));
    expect(cells.slice(8)).toEqual(['ok', '', 'm/text']);
    const fused: RowResult = { ...row, face: scores('sadness'), fused: scores('sadness') };
    expect(resultCells(fused, ['text', 'face', 'fused'])[0]).toBe('sadness');
    expect(resultCells(null, ['text'])).toEqual(['', '', '', '', '', '', '', '', 'pending', '', '']);
  });

  it('CSV: original cells untouched (quoted where needed), short rows padded, formulas neutralised', () => {
    const line = csvLine(['1', 'She said "hi", then\nleft'], 3, { ...row, status: 'chunked', reason: 'Read in 2 chunks.' }, ['text']);
    expect(line.startsWith('1,"She said ""hi"", then\nleft",,joy,')).toBe(true);
    expect(line.endsWith(',chunked,Read in 2 chunks.,m/text')).toBe(true);
    expect(csvLine(['=HYPERLINK("x")'], 1, null, ['text']).startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(csvHeaderLine(['id', '@handle'])).toBe("id,'@handle");
    // A plain number cannot run as a formula: kept as it is.
    expect(csvLine(['-2', '+3.5', '-1e3', '-2+3', '-'], 5, null, ['text']).split(',').slice(0, 5)).toEqual(['-2', '+3.5', '-1e3', "'-2+3", "'-"]);
  });

  it('JSONL: original columns by name in order, then the results; missing scores are null', () => {
    const parsed = JSON.parse(jsonlLine(['id', 'text'], ['7', 'hello'], { ...row, status: 'partial', reason: 'The picture could not be read.' }, ['text', 'face']));
    expect(Object.keys(parsed).slice(0, 3)).toEqual(['id', 'text', 'emotion']);
    expect(parsed).toMatchObject({ id: '7', text: 'hello', emotion: 'joy', face_p_joy: null, status: 'partial', error: 'The picture could not be read.' });
    expect(parsed.p_joy).toBeCloseTo(row.text!.joy, 6);
  });
});

describe('progressOf', () => {
  it('rate over the recent window, and time left at that rate', () => {
    const samples = [
      { at: 0, done: 0 },
      { at: 10_000, done: 100 },
      { at: 20_000, done: 300 },
    ];
    // The window (15 s) holds the last two samples: 200 rows in 10 s.
    const p = progressOf(300, 1300, samples, 20_000);
    expect(p.rowsPerSecond).toBeCloseTo(20, 9);
    expect(p.secondsLeft).toBeCloseTo(50, 9);
  });

  it('no rate before two samples, nor after a pause longer than the window', () => {
    expect(progressOf(0, 10, [{ at: 0, done: 0 }], 100)).toMatchObject({ rowsPerSecond: null, secondsLeft: null });
    expect(progressOf(5, 10, [{ at: 0, done: 0 }, { at: 1000, done: 5 }], 60_000).rowsPerSecond).toBeNull();
  });
});

describe('addReading', () => {
  const text: RowResult = { status: 'ok', reason: '', text: scores('joy'), face: null, fused: null, model: 'm/text' };
  /** The mean of the channels given. */
  const fuse = (s: Partial<Record<'text' | 'face' | 'voice', ReturnType<typeof scores>>>) => {
    const all = Object.values(s);
    return normalize(Object.fromEntries(EMOTIONS.map((e) => [e, all.reduce((n, x) => n + x[e], 0)])) as Record<Emotion, number>);
  };
  const face = { scores: scores('sadness'), model: 'faces' };
  const noFace = { scores: null, reason: 'No face found in a.jpg.', model: 'faces' };
  const voice = { scores: scores('anger'), transcript: 'Leave me alone.', language: 'en', model: 'whisper + tone' };
  const noSpeech = { scores: null, reason: 'No speech found in a.wav.', model: 'whisper + tone' };

  it('both read: fused, with both models; the text status (chunked) is kept', () => {
    const both = addReading({ ...text, status: 'chunked', reason: 'Read in 2 chunks.' }, 'face', face, fuse);
    expect(both).toMatchObject({ status: 'chunked', reason: 'Read in 2 chunks.', face: face.scores, model: 'm/text + faces' });
    expect(both.fused!.joy).toBeCloseTo((text.text!.joy + face.scores.joy) / 2, 6);
  });

  it('one channel read: partial when the other failed, ok when the row had no text', () => {
    expect(addReading(text, 'face', noFace, fuse)).toMatchObject({ status: 'partial', reason: 'No face found in a.jpg.', text: text.text, face: null, fused: null });
    expect(addReading(null, 'face', face, fuse)).toMatchObject({ status: 'ok', reason: '', text: null, face: face.scores, model: 'faces' });
    const refused: RowResult = { status: 'failed', reason: 'The model refused it.', text: null, face: null, fused: null, model: '' };
    expect(addReading(refused, 'face', face, fuse)).toMatchObject({ status: 'partial', reason: 'The model refused it.', face: face.scores });
  });

  it('nothing read: failed, with every reason', () => {
    const refused: RowResult = { status: 'failed', reason: 'The model refused it.', text: null, face: null, fused: null, model: '' };
    expect(addReading(refused, 'face', noFace, fuse)).toMatchObject({ status: 'failed', reason: 'The model refused it. No face found in a.jpg.' });
    expect(addReading(null, 'face', noFace, fuse)).toMatchObject({ status: 'failed', reason: 'No face found in a.jpg.' });
  });

  it('a recording adds the voice and what was said: three channels fused; a silent one makes the row partial', () => {
    const withFace = addReading(text, 'face', face, fuse);
    const all = addReading(withFace, 'voice', voice, fuse);
    expect(all).toMatchObject({ status: 'ok', text: text.text, face: face.scores, voice: voice.scores, transcript: 'Leave me alone.', language: 'en', model: 'm/text + faces + whisper + tone' });
    expect(all.fused!.anger).toBeCloseTo((text.text!.anger + face.scores.anger + voice.scores.anger) / 3, 6);
    expect(addReading(withFace, 'voice', noSpeech, fuse)).toMatchObject({ status: 'partial', reason: 'No speech found in a.wav.', voice: null, fused: withFace.fused });
    expect(addReading(null, 'voice', voice, fuse)).toMatchObject({ status: 'ok', voice: voice.scores, fused: null });
  });
});
