// The one sentence the Batch view shows (why a job paused, what failed, what to do first). Every
// part of the batch state writes it, and `act` is how an action ends in it instead of in a
// rejected promise.
import { errorMessage } from '../../shared/errors';

/** The Batch view's sentence for the user. */
export class BatchMessage {
  #text = $state<string | null>(null);

  /** The latest sentence for the user, or null. */
  get text(): string | null {
    return this.#text;
  }

  /** Shows this sentence (null: none). */
  set(text: string | null): void {
    this.#text = text;
  }

  /** Runs an action; a failure ends in a sentence, never in a rejected promise. */
  async act(task: () => Promise<void>, failure: (detail: string) => string): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.#text = failure(errorMessage(err));
    }
  }
}
