// Reads a batch file in pieces, so a 100 MB file neither blocks the page (this runs in the batch
// worker) nor sits in memory whole: each piece of rows goes to `onRows` (which stores them) before
// the next is read. CSV and TSV go through Papa Parse (quoted fields with delimiters, quotes and
// newlines, a BOM, CRLF); JSONL and plain text are split into lines, each JSON line parsed with
// JSON.parse. Blank lines are not rows (as pandas and Python's csv.DictReader read them).
import Papa from 'papaparse';

/** The formats a batch file can have. */
export type BatchFormat = 'csv' | 'tsv' | 'jsonl' | 'text';

/** The format of a file, from its name and its first characters. */
export function formatOf(name: string, head: string): BatchFormat {
  const ext = /\.([a-z0-9]+)$/iu.exec(name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  const first = head.replace(/^\uFEFF/u, '').split(/\r?\n/u, 1)[0] ?? '';
  if (ext === 'json' || /^\s*\{/u.test(first)) return 'jsonl';
  if (ext === 'txt') return 'text';
  if (first.includes('\t')) return 'tsv';
  return first.includes(',') ? 'csv' : 'text';
}

/** A piece of the file: rows in file order, numbered from 0 (the header is not a row). */
export interface RowPiece {
  /** The columns known so far (JSONL: every key seen so far, in order of first appearance). */
  readonly header: readonly string[];
  /** Index of the first row of this piece. */
  readonly first: number;
  readonly rows: readonly (readonly string[])[];
  /** Rows of this piece that could not be read, by index within the file, with why. */
  readonly problems: ReadonlyArray<{ readonly row: number; readonly reason: string }>;
  /** Bytes of the file read so far (approximate for text decoded in pieces). */
  readonly bytesRead: number;
}

export interface ParseOptions {
  /** Characters per piece (Papa Parse's chunk size; lines are gathered to about this size). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

/** What parsing found in all. */
export interface ParseSummary {
  readonly header: readonly string[];
  readonly rows: number;
}

/** Reading stopped because the signal was aborted. */
export class ParseCancelled extends Error {
  constructor() {
    super('Reading the file was cancelled.');
    this.name = 'ParseCancelled';
  }
}

const DEFAULT_CHUNK = 1024 * 1024;

/**
 * Reads `input` (a File or Blob in the worker; a string in tests, which takes the same chunked
 * path in Papa Parse) and hands every piece to `onRows`, waiting for it before reading on.
 */
export async function parseTable(
  input: Blob | string,
  format: BatchFormat,
  onRows: (piece: RowPiece) => void | Promise<void>,
  options: ParseOptions = {},
): Promise<ParseSummary> {
  return format === 'csv' || format === 'tsv' ? parseDelimited(input, format, onRows, options) : parseLines(input, format, onRows, options);
}

/**
 * The file's line break, from its first 64 kB: Papa Parse guesses it from the first piece alone,
 * which may end before the first line does.
 */
async function newlineOf(input: Blob | string): Promise<'\r\n' | '\n' | '\r'> {
  const head = typeof input === 'string' ? input.slice(0, 65_536) : await input.slice(0, 65_536).text();
  const at = head.search(/[\r\n]/u);
  if (at < 0 || head[at] === '\n') return '\n';
  return head[at + 1] === '\n' ? '\r\n' : '\r';
}

async function parseDelimited(
  input: Blob | string,
  format: 'csv' | 'tsv',
  onRows: (piece: RowPiece) => void | Promise<void>,
  { chunkSize = DEFAULT_CHUNK, signal }: ParseOptions,
): Promise<ParseSummary> {
  const newline = await newlineOf(input);
  return new Promise((resolve, reject) => {
    let header: string[] | null = null;
    let count = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    const config: Papa.ParseLocalConfig<string[], Papa.LocalFile> = {
      delimiter: format === 'tsv' ? '\t' : ',',
      newline,
      header: false,
      skipEmptyLines: true,
      chunkSize,
      chunk(results, parser) {
        if (failed) return;
        if (signal?.aborted) {
          // Reject first: abort() calls complete().
          fail(new ParseCancelled());
          parser.abort();
          return;
        }
        let rows = results.data;
        if (header === null && rows.length > 0) {
          header = headerOf(rows[0]!);
          rows = rows.slice(1);
        }
        const first = count;
        count += rows.length;
        const problems = results.errors
          .filter((e) => e.code !== 'UndetectableDelimiter' && typeof e.row === 'number' && e.row >= 0)
          .map((e) => ({ row: Math.max(0, first + (e.row ?? 0) - (first === 0 ? 1 : 0)), reason: e.message }));
        parser.pause();
        Promise.resolve(onRows({ header: header ?? [], first, rows, problems, bytesRead: results.meta.cursor }))
          .then(() => {
            if (signal?.aborted) throw new ParseCancelled();
            parser.resume();
          })
          .catch((err: unknown) => {
            fail(err);
            parser.abort();
          });
      },
      complete() {
        if (!failed) resolve({ header: header ?? [], rows: count });
      },
      error(err: Error) {
        fail(err);
      },
    };
    // The types list File for local input; Papa Parse reads any Blob alike, and a string with
    // `chunkSize` in the same pieces.
    Papa.parse(input as File, config);
  });
}

/** Column names: trimmed, blank ones named by position, repeated ones numbered. */
function headerOf(cells: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, i) => {
    const name = cell.replace(/^\uFEFF/u, '').trim() || `column_${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

/** Lines of `input`, decoded as UTF-8 in pieces of about `chunkSize` bytes (characters for a string). */
async function* linesOf(input: Blob | string, chunkSize: number): AsyncGenerator<{ lines: string[]; bytesRead: number }> {
  let rest = '';
  let firstPiece = true;
  const pieces: AsyncIterable<readonly [string, number]> =
    typeof input === 'string'
      ? (async function* () {
          for (let i = 0; i < input.length; i += chunkSize) yield [input.slice(i, i + chunkSize), Math.min(input.length, i + chunkSize)] as const;
        })()
      : (async function* () {
          const decoder = new TextDecoder('utf-8');
          for (let offset = 0; offset < input.size; offset += chunkSize) {
            const bytes = new Uint8Array(await input.slice(offset, offset + chunkSize).arrayBuffer());
            yield [decoder.decode(bytes, { stream: offset + chunkSize < input.size }), offset + bytes.length] as const;
          }
        })();
  let read = 0;
  for await (const [piece, bytesRead] of pieces) {
    read = bytesRead;
    let text = rest + piece;
    if (firstPiece) {
      text = text.replace(/^\uFEFF/u, '');
      firstPiece = false;
    }
    const lines = text.split(/\r?\n/u);
    rest = lines.pop() ?? '';
    if (lines.length) yield { lines, bytesRead };
  }
  if (rest !== '') yield { lines: [rest], bytesRead: read };
}

async function parseLines(
  input: Blob | string,
  format: 'jsonl' | 'text',
  onRows: (piece: RowPiece) => void | Promise<void>,
  { chunkSize = DEFAULT_CHUNK, signal }: ParseOptions,
): Promise<ParseSummary> {
  const header: string[] = format === 'text' ? ['text'] : [];
  const columns = new Map<string, number>();
  let count = 0;
  for await (const { lines, bytesRead } of linesOf(input, chunkSize)) {
    if (signal?.aborted) throw new ParseCancelled();
    const rows: string[][] = [];
    const problems: Array<{ row: number; reason: string }> = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (format === 'text') {
        rows.push([line]);
        continue;
      }
      const row: string[] = [];
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
          let at = columns.get(key);
          if (at === undefined) {
            at = header.length;
            columns.set(key, at);
            header.push(key);
          }
          row[at] = cellOf(v);
        }
      } catch (err) {
        problems.push({ row: count + rows.length, reason: `Line is not a JSON object (${err instanceof Error ? err.message : String(err)}).` });
      }
      rows.push(Array.from({ length: header.length }, (_, i) => row[i] ?? ''));
    }
    const first = count;
    count += rows.length;
    if (rows.length) await onRows({ header: [...header], first, rows, problems, bytesRead });
  }
  return { header, rows: count };
}

/** A JSON value as a cell: strings as they are, other values as JSON. */
function cellOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
