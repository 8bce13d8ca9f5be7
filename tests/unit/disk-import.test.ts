import { describe, expect, it } from 'vitest';
import { DISK_MODEL_HOST, choosePlacement, type DevicePreference, type GpuSupport } from '../../src/features/text/model-source';
import { describeDiskImport, importDiskModel, modelPathOf, planDiskImport, type PickedFile, type PrecisionChooser } from '../../src/features/text/disk-import';
import { createMemoryModelCache, type ModelFileStore } from '../../src/features/text/model-cache';

/** A picked file of `bytes` bytes; `size` is what it says it weighs (a real-size model, without the bytes). */
const picked = (path: string, bytes = 4, size = bytes): PickedFile => {
  const name = path.split('/').pop() ?? path;
  const blob = new Blob([new Uint8Array(bytes)]);
  return { name, webkitRelativePath: path.includes('/') ? path : '', type: '', size, slice: () => blob };
};

/** The precision the device setting picks, as Settings asks for it. */
const chooser = (device: DevicePreference, gpu: GpuSupport = { available: false, fp16: false }): PrecisionChooser => (available) =>
  choosePlacement(device, gpu, available).dtype;
const onWasm = chooser('wasm');

const storedPaths = async (cache: ModelFileStore) =>
  (await cache.list()).map((m) => m.url.replace(`${DISK_MODEL_HOST}/local/disk-model/resolve/main/`, '')).sort();

/** The real model's folder, as "Load a model folder" gives it: every precision, a README. */
const MB = 1_000_000;
const realFolder = () => [
  picked('emotion/config.json'),
  picked('emotion/tokenizer.json'),
  picked('emotion/tokenizer_config.json'),
  picked('emotion/special_tokens_map.json'),
  picked('emotion/README.md'),
  picked('emotion/onnx/model.onnx', 8, 328 * MB),
  picked('emotion/onnx/model_fp16.onnx', 8, 164 * MB),
  picked('emotion/onnx/model_quantized.onnx', 8, 82 * MB),
];

describe('load model from disk', () => {
  it('maps picked files to the hub layout', () => {
    expect(modelPathOf(picked('config.json'))).toBe('config.json');
    expect(modelPathOf(picked('model_quantized.onnx'))).toBe('onnx/model_quantized.onnx');
    expect(modelPathOf(picked('emotion/onnx/model.onnx'))).toBe('onnx/model.onnx');
    expect(modelPathOf(picked('emotion/onnx/model.onnx_data_1'))).toBe('onnx/model.onnx_data_1');
    expect(modelPathOf(picked('emotion/tokenizer.json'))).toBe('tokenizer.json');
    expect(modelPathOf(picked('emotion/README.md'))).toBeNull();
  });

  it('lists what an incomplete pick lacks and stores nothing', async () => {
    const cache = createMemoryModelCache();
    const report = await importDiskModel([picked('config.json'), picked('notes.md')], cache, onWasm);
    expect(report.missing).toEqual(['tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx or onnx/model.onnx']);
    expect(report.ignored).toEqual(['notes.md']);
    expect(await cache.list()).toEqual([]);
    expect(describeDiskImport(report)).toBe(
      'These files are missing, so nothing was loaded: tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx or onnx/model.onnx.',
    );
  });

  it('stores a complete pick under the disk source, replacing the previous one', async () => {
    const cache = createMemoryModelCache();
    const first = ['m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/onnx/model.onnx'].map((p) => picked(p));
    await importDiskModel(first, cache, onWasm);
    const second = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model_quantized.onnx'].map((p) => picked(p, 8));
    const report = await importDiskModel(second, cache, onWasm);
    expect(report.missing).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.bytes).toBe(32);
    expect(await storedPaths(cache)).toEqual(['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(planDiskImport(second, onWasm).stored).toHaveLength(4);
    expect(describeDiskImport(report)).toBe('Loaded 4 model files from disk; the model now runs from them.');
  });

  it('from a folder with every precision, stores only the weights WASM runs (int8) and says which it skipped and why', async () => {
    const cache = createMemoryModelCache();
    const report = await importDiskModel(realFolder(), cache, onWasm);
    expect(report.dtype).toBe('q8');
    expect(await storedPaths(cache)).toEqual(['config.json', 'onnx/model_quantized.onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect(report.bytes).toBe(4 * 4 + 82 * MB);
    expect(report.skipped).toEqual([
      { path: 'onnx/model.onnx', bytes: 328 * MB },
      { path: 'onnx/model_fp16.onnx', bytes: 164 * MB },
    ]);
    expect(report.ignored).toEqual(['emotion/README.md']);
    expect(describeDiskImport(report)).toBe(
      'Loaded 5 model files from disk; the model now runs from them. Skipped 2 files the chosen precision (q8) does not use: onnx/model.onnx (328 MB), onnx/model_fp16.onnx (164 MB).',
    );
  });

  it('keeps the weights the device setting runs: fp16 on a WebGPU with fp16 shaders, fp32 on one without; their external data with them', async () => {
    const folder = [...realFolder(), picked('emotion/onnx/model.onnx_data', 8, 900 * MB)];
    const fp16 = planDiskImport(folder, chooser('auto', { available: true, fp16: true }));
    expect(fp16.dtype).toBe('fp16');
    expect(fp16.stored.filter((p) => p.startsWith('onnx/'))).toEqual(['onnx/model_fp16.onnx']);
    expect(fp16.skipped.map((f) => f.path)).toEqual(['onnx/model.onnx_data', 'onnx/model.onnx', 'onnx/model_quantized.onnx']);

    const fp32 = planDiskImport(folder, chooser('webgpu', { available: true, fp16: false }));
    expect(fp32.dtype).toBe('fp32');
    expect(fp32.stored.filter((p) => p.startsWith('onnx/'))).toEqual(['onnx/model.onnx', 'onnx/model.onnx_data']);
    expect(describeDiskImport(fp32)).toMatch(/ Skipped 2 files the chosen precision \(fp32\) does not use: onnx\/model_fp16\.onnx \(164 MB\), onnx\/model_quantized\.onnx \(82 MB\)\.$/u);

    // Automatic without a WebGPU adapter runs on WASM: int8.
    expect(planDiskImport(folder, chooser('auto')).dtype).toBe('q8');
  });

  it('a folder with one precision only is stored whole, whatever the device prefers', () => {
    const folder = realFolder().filter((f) => !f.webkitRelativePath?.includes('onnx/') || f.name === 'model.onnx');
    const report = planDiskImport(folder, onWasm);
    expect(report.dtype).toBe('fp32');
    expect(report.skipped).toEqual([]);
  });
});
