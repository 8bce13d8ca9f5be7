// History in and out of files: the JSON export (thumbnails as data URLs) and its import, merged by
// id with an Undo, and the CSV export. The JSON export and the import run in the store actions'
// queue, so they see the outcome of the actions before them; each ends in a result or one sentence.
import { EXPORT_FORMAT, EXPORT_VERSION, readExportFile, toCsv, type ExportFile, type HistoryRecord } from './records';
import { blobToDataUrl, dataUrlToBlob } from '../../shared/data-url';
import type { HistoryList } from './history-list.svelte';
import type { HistoryQueue } from './history-queue.svelte';
import { analyses, type HistoryNotice } from './history-notice.svelte';
import { errorMessage } from '../../shared/errors';

/** Result of an import, for the message shown. */
export interface ImportReport {
  readonly added: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly error: string | null;
}

/** Export and import of the history. */
export class HistoryTransfer {
  readonly #list: HistoryList;
  readonly #notice: HistoryNotice;
  readonly #queue: HistoryQueue;

  constructor(list: HistoryList, notice: HistoryNotice, queue: HistoryQueue) {
    this.#list = list;
    this.#notice = notice;
    this.#queue = queue;
  }

  /** The JSON export file (thumbnails as data URLs), or null with `error` set. Never rejects. */
  exportJson(): Promise<Blob | null> {
    return this.#queue.serial(async () => {
      const chosen = this.#list.exportSet();
      let records: ExportFile['records'];
      try {
        records = await Promise.all(chosen.map(async (r) => ({ ...r, thumbnail: r.thumbnail ? await blobToDataUrl(r.thumbnail) : null })));
      } catch {
        this.#notice.fail('The export was not made: a picture thumbnail could not be read. Nothing was downloaded; try again, or use Download CSV, which has no pictures.');
        return null;
      }
      try {
        const file: ExportFile = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), records };
        const blob = new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' });
        this.#notice.done(`Exported ${analyses(chosen.length)} (JSON).`);
        return blob;
      } catch (err) {
        this.#notice.fail(`The export was not made (${errorMessage(err)}). Nothing was downloaded; select fewer analyses and try again.`);
        return null;
      }
    });
  }

  /** The CSV export, one row per analysis, or null with `error` set. */
  exportCsv(): Blob | null {
    const chosen = this.#list.exportSet();
    try {
      const blob = new Blob([toCsv(chosen)], { type: 'text/csv' });
      this.#notice.done(`Exported ${analyses(chosen.length)} (CSV).`);
      return blob;
    } catch (err) {
      this.#notice.fail(`The CSV was not made (${errorMessage(err)}). Nothing was downloaded; select fewer analyses and try again.`);
      return null;
    }
  }

  /**
   * Merges an export file by id: records already here (or repeated in the file) are skipped,
   * invalid ones (or with an unreadable thumbnail) rejected; a bad file changes nothing. Undo
   * is offered when something was added. Never rejects.
   */
  importFile(file: Blob): Promise<ImportReport> {
    return this.#queue.serial(async () => {
      let text: string;
      try {
        text = await file.text();
      } catch (err) {
        return this.#reported({ added: 0, skipped: 0, rejected: 0, error: `The file could not be read (${errorMessage(err)}). Nothing was imported; pick it again.` }, []);
      }
      const plan = readExportFile(text);
      if (plan.error) return this.#reported({ added: 0, skipped: 0, rejected: plan.rejected, error: plan.error }, []);
      const known = new Set(this.#list.records.map((r) => r.id));
      const fresh: HistoryRecord[] = [];
      let skipped = 0;
      let rejected = plan.rejected;
      for (const { record, thumbnail } of plan.records) {
        if (known.has(record.id)) {
          skipped += 1;
          continue;
        }
        let thumb: Blob | null;
        try {
          thumb = thumbnail ? dataUrlToBlob(thumbnail) : null;
        } catch {
          rejected += 1;
          continue;
        }
        known.add(record.id);
        fresh.push({ ...record, thumbnail: thumb });
      }
      if (fresh.length > 0) {
        try {
          await (await this.#queue.store()).putMany(fresh);
        } catch (err) {
          return this.#reported({ added: 0, skipped, rejected, error: `Nothing was imported (${errorMessage(err)}). Free some space or import a smaller file, then try again.` }, []);
        }
        this.#list.put(fresh);
        this.#queue.announce();
      }
      return this.#reported({ added: fresh.length, skipped, rejected, error: null }, fresh.map((r) => r.id));
    });
  }

  #reported(report: ImportReport, added: readonly string[]): ImportReport {
    if (report.error) this.#notice.fail(report.error);
    else
      this.#notice.done(
        `Imported ${analyses(report.added)}; ${report.skipped} already here, ${report.rejected} rejected.`,
        added.length > 0 ? { kind: 'unimport', ids: added } : null,
      );
    return report;
  }
}
