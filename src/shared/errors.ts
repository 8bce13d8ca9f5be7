// What a thrown value says, in the two forms the app needs: a few words to put inside a sentence
// the user reads ("... could not be saved (the browser storage for this site is full)"), and the
// technical detail for logs and the "details" disclosure ("TypeError: Failed to fetch"). Each
// feature turns its own error codes into its one sentence (model-errors.ts, vision/errors.ts,
// face-errors.ts, the batch file client); this is only for values without a code.

/** A few words for a sentence: a full disk said plainly, else the error's own message. */
export function errorMessage(err: unknown): string {
  if (err instanceof DOMException && err.name === 'QuotaExceededError') return 'the browser storage for this site is full';
  return err instanceof Error ? err.message : String(err);
}

/** The error with its kind, for technical details: "TypeError: Failed to fetch". */
export function errorDetail(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
