// Saves a Blob as a file the way browsers allow a page to: a temporary object URL on a link with
// `download`, clicked, then revoked.
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Today as YYYY-MM-DD, for file names. */
export const stamp = (): string => new Date().toISOString().slice(0, 10);
