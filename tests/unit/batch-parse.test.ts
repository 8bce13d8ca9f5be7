// The batch file reader on awkward files, through Papa Parse's chunked path with small pieces, so
// quoted fields that span pieces are exercised: quotes, delimiters and newlines inside fields, a
// BOM, CRLF, blank lines, TSV, JSONL with keys that appear late and broken lines, plain text.
import { describe, expect, it } from 'vitest';
import { ParseCancelled, formatOf, parseTable, type BatchFormat, type RowPiece } from '../../src/features/batch/parse';

async function readAll(input: Blob | string, format: BatchFormat, chunkSize = 16) {
  const pieces: RowPiece[] = [];
  const summary = await parseTable(input, format, (p) => void pieces.push(p), { chunkSize });
  const rows = pieces.flatMap((p) => p.rows.map((r) => [...r]));
  const problems = pieces.flatMap((p) => p.problems);
  return { summary, pieces, rows, problems, header: [...summary.header] };
}

const AWKWARD_CSV =
  '\uFEFFid,text,likes\r\n' +
  '1,"She said ""hi"", then left",3\r\n' +
  '\r\n' +
  '2,"line one\r\nline two, with a comma",5\r\n' +
  '3,,0\r\n' +
  '4,=1+1 looks like a formula,7\r\n';

describe('formatOf', () => {
  it('goes by the extension, then by the first line', () => {
    expect(formatOf('posts.csv', 'a,b')).toBe('csv');
    expect(formatOf('posts.TSV', 'a\tb')).toBe('tsv');
    expect(formatOf('posts.jsonl', '{"a":1}')).toBe('jsonl');
    expect(formatOf('posts.ndjson', '')).toBe('jsonl');
    expect(formatOf('lines.txt', 'hello, world')).toBe('text');
    expect(formatOf('pasted', '\uFEFF{"text":"x"}')).toBe('jsonl');
    expect(formatOf('pasted', 'a\tb\tc')).toBe('tsv');
    expect(formatOf('pasted', 'id,text')).toBe('csv');
    expect(formatOf('pasted', 'just a line')).toBe('text');
  });
});

describe('parseTable: CSV and TSV', () => {
  it('reads quotes, commas and newlines in fields, a BOM, CRLF, and skips a blank line, in small pieces', async () => {
    const { header, rows, summary, pieces, problems } = await readAll(AWKWARD_CSV, 'csv');
    expect(header).toEqual(['id', 'text', 'likes']);
    expect(rows).toEqual([
      ['1', 'She said "hi", then left', '3'],
      ['2', 'line one\r\nline two, with a comma', '5'],
      ['3', '', '0'],
      ['4', '=1+1 looks like a formula', '7'],
    ]);
    expect(summary.rows).toBe(4);
    expect(problems).toEqual([]);
    // Small pieces: more than one, numbered in order, bytes read growing.
    expect(pieces.length).toBeGreaterThan(1);
    let next = 0;
    for (const p of pieces) {
      expect(p.first).toBe(next);
      next += p.rows.length;
    }
    expect(pieces.at(-1)!.bytesRead).toBeGreaterThan(pieces[0]!.bytesRead);
  });

  it('gives the same rows whatever the piece size', async () => {
    const whole = await readAll(AWKWARD_CSV, 'csv', 1 << 20);
    for (const size of [5, 7, 13, 64]) expect((await readAll(AWKWARD_CSV, 'csv', size)).rows).toEqual(whole.rows);
  });

  it('names blank and repeated header cells', async () => {
    const { header } = await readAll('text,,text\nа,b,c\n', 'csv');
    expect(header).toEqual(['text', 'column_2', 'text_2']);
  });

  it('reads TSV with tabs inside quoted fields', async () => {
    const { header, rows } = await readAll('id\ttext\n1\t"a\tb"\n2\tplain\n', 'tsv');
    expect(header).toEqual(['id', 'text']);
    expect(rows).toEqual([
      ['1', 'a\tb'],
      ['2', 'plain'],
    ]);
  });

  it('waits for each piece to be stored before reading on', async () => {
    const order: string[] = [];
    // A slow sink: no piece is handed over before the last one was stored. (In Node, Papa Parse
    // cannot read a Blob, which it reads with FileReader; the worker does, in Chromium.)
    await parseTable(AWKWARD_CSV, 'csv', async (p) => {
      order.push(`start ${p.first}`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`end ${p.first}`);
    }, { chunkSize: 16 });
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i]!.startsWith('start')).toBe(true);
      expect(order[i + 1]!.replace('end', 'start')).toBe(order[i]);
    }
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    const rows = Array.from({ length: 200 }, (_, i) => `${i},text ${i}`).join('\n');
    const seen: number[] = [];
    const reading = parseTable(`id,text\n${rows}\n`, 'csv', (p) => {
      seen.push(p.first);
      if (seen.length === 2) controller.abort();
    }, { chunkSize: 64, signal: controller.signal });
    await expect(reading).rejects.toBeInstanceOf(ParseCancelled);
    expect(seen).toHaveLength(2);
  });
});

describe('parseTable: JSONL and plain text', () => {
  it('reads JSONL from a Blob, keys in order of first appearance, late keys filled in later rows, broken lines reported', async () => {
    const text = '\uFEFF{"id":1,"text":"happy days"}\r\n\n{"text":"no id","lang":"en"}\nnot json\n{"id":3,"text":"nested","meta":{"a":1},"n":null}\n[1,2]';
    const { header, rows, problems, summary } = await readAll(new Blob([text]), 'jsonl', 8);
    expect(header).toEqual(['id', 'text', 'lang', 'meta', 'n']);
    expect(summary.rows).toBe(5);
    expect(rows[0]!.slice(0, 2)).toEqual(['1', 'happy days']);
    expect(rows[1]!.slice(0, 3)).toEqual(['', 'no id', 'en']);
    expect(rows[2]!.every((c) => c === '')).toBe(true);
    expect(rows[3]).toEqual(['3', 'nested', '', '{"a":1}', '']);
    expect(problems.map((p) => p.row)).toEqual([2, 4]);
    expect(problems[0]!.reason).toMatch(/not a JSON object/u);
  });

  it('decodes UTF-8 split across pieces of a Blob', async () => {
    const text = 'naïve café 😀 déjà vu\nsecond line\n';
    const { rows, header } = await readAll(new Blob([text]), 'text', 3);
    expect(header).toEqual(['text']);
    expect(rows).toEqual([['naïve café 😀 déjà vu'], ['second line']]);
  });
});
