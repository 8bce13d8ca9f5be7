// Files a load has read, held for the rest of it: the cache answers a held URL from memory (no
// second IndexedDB read of the weights in the engine trial), other URLs from the store, and
// nothing once the load let them go.
import { describe, expect, it } from 'vitest';
import { holdFiles } from '../../src/features/text/handler/held-files';
import { createMemoryModelCache } from '../../src/features/text/model-cache';

describe('holdFiles', () => {
  it('answers a held file from memory until released, and anything else from the store', async () => {
    const store = createMemoryModelCache();
    const reads: string[] = [];
    const counted = { ...store, match: (url: string) => (reads.push(url), store.match(url)) };
    await store.putBlob('https://h/m/resolve/main/config.json', new Blob(['{"a":1}']));
    await store.putBlob('https://h/m/resolve/main/onnx/model_quantized.onnx', new Blob([new Uint8Array([9, 9])]));
    const held = holdFiles(counted);
    const weights = new Uint8Array([1, 2, 3, 4]);
    held.hold('https://h/m/resolve/main/onnx/model_quantized.onnx', weights);

    const first = await held.store.match('https://h/m/resolve/main/onnx/model_quantized.onnx');
    expect(new Uint8Array(await first!.arrayBuffer())).toEqual(weights);
    expect(first!.headers.get('content-length')).toBe('4');
    expect(reads).toEqual([]);
    // The bytes handed out are a copy: what the reader does with them leaves the held ones alone.
    const again = new Uint8Array(await (await held.store.match('https://h/m/resolve/main/onnx/model_quantized.onnx'))!.arrayBuffer());
    again[0] = 7;
    expect(weights[0]).toBe(1);

    expect(await (await held.store.match('https://h/m/resolve/main/config.json'))!.text()).toBe('{"a":1}');
    expect(reads).toEqual(['https://h/m/resolve/main/config.json']);

    held.release();
    const stored = await held.store.match('https://h/m/resolve/main/onnx/model_quantized.onnx');
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(new Uint8Array([9, 9]));
    expect(reads).toHaveLength(2);
  });
});
