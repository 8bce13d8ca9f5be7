// What a model load tells the page while it runs: bytes per file while the files are read, then
// which engine is being started (and, on Automatic's first load on a device, that the two engines
// are being compared). One throttled LoadProgress stream from transformers.js's progress events
// and the runtime's own steps.
import type { TextEngine } from '../model-source';
import type { LoadProgress } from '../protocol';

/** Minimum time between two progress messages about bytes (steps are sent at once). */
export const PROGRESS_INTERVAL_MS = 100;

/** A transformers.js progress event (and the runtime's own, in the same shape). */
export interface FileProgressEvent {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/** What the runtime is doing once the files are read. */
export interface StartStep {
  /** 'trial': starting an engine only to compare it, or (no engine) timing both. */
  readonly phase: 'init' | 'trial';
  readonly engine?: TextEngine;
}

/** Folds file events and start steps into LoadProgress messages. */
export interface LoadProgressReporter {
  /** A transformers.js progress event ('progress', 'done', 'ready'). */
  file(info: FileProgressEvent): void;
  /** What starts next; shown once every file has been read (a download is still a download). */
  step(step: StartStep): void;
}

/**
 * A reporter over the files the plan expects. `onFilesRead` runs once, when every expected file
 * has been read (from the network or the cache); `now` is the clock for the throttle.
 */
export function createLoadProgress(
  expected: ReadonlyArray<{ file: string; size: number | null }>,
  onProgress: (progress: LoadProgress) => void,
  onFilesRead: () => void,
  now: () => number,
): LoadProgressReporter {
  const files = new Map<string, { loaded: number; total: number }>();
  for (const f of expected) files.set(f.file, { loaded: 0, total: f.size ?? 0 });
  let last = Number.NEGATIVE_INFINITY;
  let filesRead = false;
  let current: StartStep = { phase: 'init' };

  const emit = (force: boolean) => {
    const at = now();
    if (!force && at - last < PROGRESS_INTERVAL_MS) return;
    last = at;
    const list = [...files].map(([file, f]) => ({ file, loaded: f.loaded, total: Math.max(f.total, f.loaded) }));
    onProgress({
      phase: filesRead ? current.phase : 'download',
      ...(filesRead && current.engine ? { engine: current.engine } : {}),
      files: list,
      loaded: list.reduce((n, f) => n + f.loaded, 0),
      total: list.reduce((n, f) => n + f.total, 0),
    });
  };
  const read = () => {
    if (filesRead) return;
    filesRead = true;
    onFilesRead();
  };

  return {
    file(info) {
      const file = info.file;
      if (info.status === 'progress' && file) {
        const f = files.get(file) ?? { loaded: 0, total: 0 };
        f.loaded = info.loaded ?? f.loaded;
        f.total = info.total ?? f.total;
        files.set(file, f);
        emit(false);
      } else if (info.status === 'done' && file) {
        const f = files.get(file);
        if (f) f.loaded = Math.max(f.loaded, f.total);
        if ([...files.values()].every((x) => x.loaded >= x.total)) read();
        emit(true);
      } else if (info.status === 'ready') {
        read();
        emit(true);
      }
    },
    step(step) {
      const changed = step.phase !== current.phase || step.engine !== current.engine;
      current = step;
      // Before the files are read the page shows the download; the step shows once they are.
      if (changed && filesRead) emit(true);
    },
  };
}
