// "Load model from disk": maps the files a user picked (several files, or a whole folder) to the
// hub layout and stores them in the model cache under the disk source, replacing earlier ones.
// Only the weights of the precision this device runs are stored: a model folder often holds
// several (a 328 MB fp32 model.onnx beside the 82 MB int8 file WASM runs), and the others are
// said as skipped.
import { formatBytes } from '../../shared/format';
import { DISK_MODEL_HOST, DISK_MODEL_ID, DTYPE_FILES, REQUIRED_FILES, modelFileUrl, type ModelDtype } from './model-source';
import type { ModelFileStore } from './model-cache';

/** A picked file: File in the browser, anything with the same fields in tests. */
export interface PickedFile {
  readonly name: string;
  readonly webkitRelativePath?: string;
  readonly type: string;
  readonly size: number;
  slice(): Blob;
}

/** Weights files: `.onnx`, and their external data (`.onnx_data`, `.onnx_data_1`, …). */
const WEIGHTS = /\.onnx(_data(_\d+)?)?$/u;

/** Where a picked file belongs in the model layout, or null when the app has no use for it. */
export function modelPathOf(file: PickedFile): string | null {
  const name = file.name;
  if (WEIGHTS.test(name)) return `onnx/${name}`;
  if (name.endsWith('.json') || name.endsWith('.txt')) {
    // A folder pick gives "folder/onnx/config.json"-like paths; only top-level metadata counts.
    const parts = (file.webkitRelativePath ?? '').split('/').filter(Boolean);
    if (parts.length > 2 && parts[parts.length - 2] === 'onnx') return null;
    return name;
  }
  return null;
}

/**
 * The precision to keep among those a pick has weights for (`available`, never empty), as the
 * device setting would choose it (model-source `choosePlacement`); null keeps none.
 */
export type PrecisionChooser = (available: readonly ModelDtype[]) => ModelDtype | null;

/** A weights file of the pick that the chosen precision does not read, so it was not stored. */
export interface SkippedFile {
  readonly path: string;
  readonly bytes: number;
}

/** Outcome of an import, for the message shown to the user. */
export interface DiskImportReport {
  readonly stored: readonly string[];
  /** Files the app has no use for at all (a README, images). */
  readonly ignored: readonly string[];
  /** Required files (or any weights) the pick lacked; the import is refused when not empty. */
  readonly missing: readonly string[];
  /** Bytes of the stored files. */
  readonly bytes: number;
  /** The precision of the stored weights; null when the pick has none. */
  readonly dtype: ModelDtype | null;
  /** Weights of other precisions, left out; the largest first. */
  readonly skipped: readonly SkippedFile[];
}

/** What a pick contains and what of it would be stored, without storing anything. */
export function planDiskImport(files: readonly PickedFile[], choose: PrecisionChooser): DiskImportReport & { paths: Map<string, PickedFile> } {
  const paths = new Map<string, PickedFile>();
  const ignored: string[] = [];
  for (const file of files) {
    const path = modelPathOf(file);
    if (path === null) ignored.push(file.webkitRelativePath || file.name);
    else paths.set(path, file);
  }
  const missing: string[] = REQUIRED_FILES.filter((f) => !paths.has(f));
  const available = (Object.keys(DTYPE_FILES) as ModelDtype[]).filter((d) => paths.has(DTYPE_FILES[d]));
  const dtype = available.length > 0 ? choose(available) : null;
  const skipped: SkippedFile[] = [];
  if (dtype === null) {
    missing.push('onnx/model_quantized.onnx or onnx/model.onnx');
  } else {
    const weights = DTYPE_FILES[dtype];
    for (const [path, file] of paths) {
      if (!WEIGHTS.test(path) || path === weights || path.startsWith(`${weights}_data`)) continue;
      paths.delete(path);
      skipped.push({ path, bytes: file.size });
    }
  }
  // The largest first: those are the ones the user notices.
  skipped.sort((a, b) => b.bytes - a.bytes);
  let bytes = 0;
  for (const f of paths.values()) bytes += f.size;
  return { stored: [...paths.keys()], ignored, missing, bytes, dtype, skipped, paths };
}

/**
 * Stores a complete pick as the disk model (the weights `choose` picks, not the others),
 * replacing the previous one; refuses an incomplete one.
 */
export async function importDiskModel(files: readonly PickedFile[], cache: ModelFileStore, choose: PrecisionChooser): Promise<DiskImportReport> {
  const { paths, ...report } = planDiskImport(files, choose);
  if (report.missing.length > 0) return report;
  await cache.clear(`${DISK_MODEL_HOST}/`);
  const source = { host: DISK_MODEL_HOST, modelId: DISK_MODEL_ID };
  for (const [path, file] of paths) {
    const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    await cache.putBlob(modelFileUrl(source, path), file.slice(), type);
  }
  return report;
}

/** The one sentence (or two) Settings shows after an import. */
export function describeDiskImport(report: DiskImportReport): string {
  if (report.missing.length > 0) return `These files are missing, so nothing was loaded: ${report.missing.join(', ')}.`;
  const loaded = `Loaded ${report.stored.length} model files from disk; the model now runs from them.`;
  const n = report.skipped.length;
  if (n === 0) return loaded;
  const list = report.skipped.map((f) => `${f.path} (${formatBytes(f.bytes)})`).join(', ');
  return `${loaded} Skipped ${n} file${n === 1 ? '' : 's'} the chosen precision (${report.dtype}) does not use: ${list}.`;
}
