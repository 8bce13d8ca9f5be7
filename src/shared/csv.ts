// CSV as every export of the app writes it (History, Batch): cells quoted only when needed, rows
// joined by commas, and a text a spreadsheet would run as a formula neutralised (OWASP's CSV
// injection advice): the one place that decides how a cell is written.

const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/iu;

/** One CSV cell: quoted when needed; a text a spreadsheet would run as a formula is neutralised. */
export function csvCell(value: string | number): string {
  const s = String(value);
  // Neutralise formulas (=, +, -, @, tab or CR at the start of a text cell). A plain number (-2,
  // +3.5, -1e3) cannot run as a formula and stays as it is.
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/u.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
  return /[",\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
}

/** One CSV line (no line end) of these cells. */
export function csvRow(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(',');
}
