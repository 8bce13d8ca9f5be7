import { describe, expect, it } from 'vitest';
import { DISK_MODEL_HOST } from '../../src/features/text/model-source';
import { importDiskModel, modelPathOf, planDiskImport, type PickedFile } from '../../src/features/text/disk-import';
import { createMemoryModelCache } from '../../src/features/text/model-cache';

const picked = (path: string, bytes = 4): PickedFile => {
  const name = path.split('/').pop() ?? path;
  const blob = new Blob([new Uint8Array(bytes)]);
  return { name, webkitRelativePath: path.includes('/') ? path : '', type: '', size: bytes, slice: () => blob };
};

describe('load model from disk', () => {
  it('maps picked files to the hub layout', () => {
    expect(modelPathOf(picked('config.json'))).toBe('config.json');
    expect(modelPathOf(picked('model_quantized.onnx'))).toBe('onnx/model_quantized.onnx');
    expect(modelPathOf(picked('emotion/onnx/model.onnx'))).toBe('onnx/model.onnx');
    expect(modelPathOf(picked('emotion/tokenizer.json'))).toBe('tokenizer.json');
    expect(modelPathOf(picked('emotion/README.md'))).toBeNull();
  });

  it('lists what an incomplete pick lacks and stores nothing', async () => {
    const cache = createMemoryModelCache();
    const report = await importDiskModel([picked('config.json'), picked('notes.md')], cache);
    expect(report.missing).toEqual(['tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx or onnx/model.onnx']);
    expect(report.ignored).toEqual(['notes.md']);
    expect(await cache.list()).toEqual([]);
  });

  it('stores a complete pick under the disk source, replacing the previous one', async () => {
    const cache = createMemoryModelCache();
    const first = ['m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/onnx/model.onnx'].map((p) => picked(p));
    await importDiskModel(first, cache);
    const second = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model_quantized.onnx'].map((p) => picked(p, 8));
    const report = await importDiskModel(second, cache);
    expect(report.missing).toEqual([]);
    expect(report.bytes).toBe(32);
    const urls = (await cache.list()).map((m) => m.url.replace(`${DISK_MODEL_HOST}/local/disk-model/resolve/main/`, ''));
    expect(urls.sort()).toEqual(['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(planDiskImport(second).stored).toHaveLength(4);
  });
});
