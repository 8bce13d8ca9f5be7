import { describe, expect, it } from 'vitest';
import { chooseLiteRtBuild } from '../../src/features/text/litert/load-litert';

describe('which LiteRT.js build a browser gets', () => {
  it('none without relaxed SIMD: ONNX Runtime stays the text engine', () => {
    expect(chooseLiteRtBuild({ relaxedSimd: false, threads: true, crossOriginIsolated: true })).toBeNull();
    expect(chooseLiteRtBuild({ relaxedSimd: false, threads: false, crossOriginIsolated: false })).toBeNull();
  });

  it('threads only on a cross-origin isolated page whose browser runs wasm threads', () => {
    expect(chooseLiteRtBuild({ relaxedSimd: true, threads: true, crossOriginIsolated: true })).toBe('threaded');
    expect(chooseLiteRtBuild({ relaxedSimd: true, threads: true, crossOriginIsolated: false })).toBe('plain');
    expect(chooseLiteRtBuild({ relaxedSimd: true, threads: false, crossOriginIsolated: true })).toBe('plain');
  });
});
