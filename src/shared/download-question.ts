// The question a channel asks before a large model download ("Download the model? 82 MB"), the
// same for the text and voice channels: when it is asked, and the one answer it waits for
// (yes, no; Cancel answers no).

/** A download over this many bytes (or of unknown size) is asked first. */
export const LARGE_DOWNLOAD_BYTES = 5_000_000;

/** What a probe found a load would download. */
interface DownloadPlan {
  readonly files: ReadonlyArray<{ readonly cached: boolean }>;
  readonly downloadBytes: number | null;
}

/** Whether loading this plan downloads something large enough (or of unknown size) to ask first. */
export function asksFirst(plan: DownloadPlan): boolean {
  return plan.files.some((f) => !f.cached) && (plan.downloadBytes === null || plan.downloadBytes > LARGE_DOWNLOAD_BYTES);
}

/** The one answer a channel waits for while its question is on screen. */
export class DownloadAnswer {
  #decide: ((download: boolean) => void) | null = null;

  /** Waits for the user's answer: true to download. */
  wait(): Promise<boolean> {
    return new Promise<boolean>((resolve) => (this.#decide = resolve)).finally(() => (this.#decide = null));
  }

  /** Yes: download. */
  yes(): void {
    this.#decide?.(true);
  }

  /** No (or Cancel while it is asked). */
  no(): void {
    this.#decide?.(false);
  }
}
