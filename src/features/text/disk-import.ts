// "Load model from disk": maps the files a user picked (several files, or a whole folder) to the
// hub layout and stores them in the model cache under the disk source, replacing earlier ones.
import { DISK_MODEL_HOST, DISK_MODEL_ID, DTYPE_FILES, REQUIRED_FILES, modelFileUrl } from './model-source';
import type { ModelFileStore } from './model-cache';

/** A picked file: File in the browser, anything with the same fields in tests. */
export interface PickedFile {
  readonly name: string;
  readonly webkitRelativePath?: string;
  readonly type: string;
  readonly size: number;
  slice(): Blob;
}

/** Where a picked file belongs in the model layout, or null when the app has no use for it. */
export function modelPathOf(file: PickedFile): string | null {
  const name = file.name;
  if (name.endsWith('.onnx')) return `onnx/${name}`;
  if (name.endsWith('.onnx_data')) return `onnx/${name}`;
  if (name.endsWith('.json') || name.endsWith('.txt')) {
    // A folder pick gives "folder/onnx/config.json"-like paths; only top-level metadata counts.
    const parts = (file.webkitRelativePath ?? '').split('/').filter(Boolean);
    if (parts.length > 2 && parts[parts.length - 2] === 'onnx') return null;
    return name;
  }
  return null;
}

/** Outcome of an import, for the message shown to the user. */
export interface DiskImportReport {
  readonly stored: readonly string[];
  readonly ignored: readonly string[];
  /** Required files (or any weights) the pick lacked; the import is refused when not empty. */
  readonly missing: readonly string[];
  readonly bytes: number;
}

/** What a pick contains, without storing anything. */
export function planDiskImport(files: readonly PickedFile[]): DiskImportReport & { paths: Map<string, PickedFile> } {
  const paths = new Map<string, PickedFile>();
  const ignored: string[] = [];
  for (const file of files) {
    const path = modelPathOf(file);
    if (path === null) ignored.push(file.webkitRelativePath || file.name);
    else paths.set(path, file);
  }
  const missing: string[] = REQUIRED_FILES.filter((f) => !paths.has(f));
  if (!Object.values(DTYPE_FILES).some((f) => paths.has(f))) missing.push('onnx/model_quantized.onnx or onnx/model.onnx');
  let bytes = 0;
  for (const f of paths.values()) bytes += f.size;
  return { stored: [...paths.keys()], ignored, missing, bytes, paths };
}

/** Stores a complete pick as the disk model, replacing the previous one; refuses an incomplete one. */
export async function importDiskModel(files: readonly PickedFile[], cache: ModelFileStore): Promise<DiskImportReport> {
  const { paths, ...report } = planDiskImport(files);
  if (report.missing.length > 0) return report;
  await cache.clear(`${DISK_MODEL_HOST}/`);
  const source = { host: DISK_MODEL_HOST, modelId: DISK_MODEL_ID };
  for (const [path, file] of paths) {
    const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    await cache.putBlob(modelFileUrl(source, path), file.slice(), type);
  }
  return report;
}
