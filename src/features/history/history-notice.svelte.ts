// The one message History shows: the outcome of the latest action (a store action, an export or
// an import), with the Undo it offers if any. A new message replaces the previous one and its Undo.
import type { HistoryRecord } from './records';

/** What Undo would take back; it belongs to the message of the action that made it. */
export type UndoOffer =
  | { readonly kind: 'restore'; readonly records: readonly HistoryRecord[] }
  | { readonly kind: 'unimport'; readonly ids: readonly string[] };

interface Notice {
  readonly text: string;
  readonly isError: boolean;
  readonly undo: UndoOffer | null;
}

/** History's message line. */
export class HistoryNotice {
  #notice = $state.raw<Notice | null>(null);

  /** The outcome of the latest action, when it went well. */
  get message(): string | null {
    return this.#notice && !this.#notice.isError ? this.#notice.text : null;
  }
  /** The outcome of the latest action, when it failed: what happened and what to do. */
  get error(): string | null {
    return this.#notice?.isError ? this.#notice.text : null;
  }
  /** What Undo would take back now, or null. */
  get undo(): UndoOffer | null {
    return this.#notice?.undo ?? null;
  }

  /** Shows how an action went well, with the Undo it offers. */
  done(text: string, undo: UndoOffer | null = null): void {
    this.#notice = { text, isError: false, undo };
  }

  /** Shows a failure: what happened and what to do; an Undo that failed keeps its offer. */
  fail(text: string, undo: UndoOffer | null = null): void {
    this.#notice = { text, isError: true, undo };
  }

  /** Hides the message (and the Undo that came with it). */
  dismiss(): void {
    this.#notice = null;
  }
}

/** "1 analysis", "3 analyses". */
export function analyses(n: number): string {
  return `${n} ${n === 1 ? 'analysis' : 'analyses'}`;
}
