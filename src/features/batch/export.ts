// A job's export, written out of the batches database page by page: every original column in its
// order, then the results (rows.ts decides the columns and formats the cells). Runs in
// the batch worker, so the page's thread never formats 100,000 rows; the text is gathered as Blob
// parts, one per page, and never joined into one string.
import { csvHeaderLine, csvLine, exportHeader, jsonlLine } from './rows';
import { channelsOf, type BatchDb } from './store';

/** Rows read from the database per page. */
const EXPORT_PAGE = 2000;

/** The export of job `id` (null when there is no such job). */
export async function exportJob(
  db: BatchDb,
  id: string,
  format: 'csv' | 'jsonl',
  onProgress: (rows: number) => void = () => undefined,
): Promise<{ blob: Blob; rows: number } | null> {
  const job = await db.getJob(id);
  if (!job) return null;
  const channels = channelsOf(job);
  const parts: string[] = [];
  if (format === 'csv') parts.push(`${csvHeaderLine(exportHeader(job.header, channels))}\r\n`);
  let from = 0;
  let rows = 0;
  for (;;) {
    const page = await db.readRows(id, from, EXPORT_PAGE);
    if (page.length === 0) break;
    const lines = page.map((row) =>
      format === 'csv' ? `${csvLine(row.cells, job.header.length, row.result, channels)}\r\n` : `${jsonlLine(job.header, row.cells, row.result, channels)}\n`,
    );
    parts.push(lines.join(''));
    rows += page.length;
    from = page[page.length - 1]!.index + 1;
    onProgress(rows);
  }
  const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson;charset=utf-8';
  return { blob: new Blob(parts, { type }), rows };
}
