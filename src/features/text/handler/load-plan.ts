// Load planning: the device and weights a config gets in this browser (WebGPU only with an adapter
// and weights it can run, else WASM, with a note saying why), the files that means, and how much
// of them is still to download.
import { ModelError } from '../model-errors';
import { choosePlacement, type ModelDtype } from '../model-source';
import type { LoadPlan, ModelConfig } from '../protocol';
import type { WorkerRuntime } from './runtime';

/** The plan for loading `config`; `cachedOnly` probes only what is on the device. */
export async function planLoad(runtime: WorkerRuntime, config: ModelConfig, cachedOnly = false): Promise<LoadPlan> {
  const gpu = config.device === 'wasm' ? { available: false, fp16: false } : await runtime.detectWebGpu();
  const findings = await runtime.probe(config.source, { cachedOnly });
  const available = (Object.keys(findings.weights) as ModelDtype[]).filter((d) => findings.weights[d]);
  const { device, dtype, deviceNote } = choosePlacement(config.device, gpu, available);
  const weights = dtype ? findings.weights[dtype] : undefined;
  if (!dtype || !weights) throw new ModelError('no-weights', `available: ${available.join(', ') || 'none'}`);
  const files = [...findings.base, weights];
  const uncached = files.filter((f) => !f.cached);
  const downloadBytes = uncached.some((f) => f.size === null)
    ? null
    : uncached.reduce((sum, f) => sum + (f.size ?? 0), 0);
  return { device, dtype, available, files, downloadBytes, ...(deviceNote ? { deviceNote } : {}) };
}
