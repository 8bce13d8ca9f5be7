// The text model on LiteRT.js: the hub's ONNX file, read through the model cache as
// ONNX Runtime would read it, is converted on the device into a TFLite model
// (../tflite/onnx-to-tflite.ts) and run by XNNPACK's relaxed-SIMD kernels; the tokenizer and the
// labels come from transformers.js, so the text is read exactly as the ONNX Runtime path reads it.
// A converted model is kept on the device (../litert/converted-cache.ts): a later load compiles it
// without reading or converting the ONNX file.
//
// LiteRT.js cannot resize a model's inputs, so each input length is its own compiled model: a
// text runs padded (attention mask 0, which leaves its scores as they would be unpadded). A
// compiled model of the real DistilRoBERTa holds about 150 MB of wasm memory (a third one
// crashed the page) and takes about a second to make, so at most KEPT live at once, and a text
// uses a compiled length up to twice the smallest of LENGTHS that holds it rather than compile
// its own (see chooseLength): texts of 16, 64 and 128 tokens, mixed, then settle on two lengths
// instead of compiling one per text.
import type { PreTrainedTokenizer, PretrainedConfig } from '@huggingface/transformers';
import { loadAndCompile, Tensor, type CompiledModel } from '@litertjs/core';
import { scoresFromPairs, type EmotionScores } from '../../../shared/emotions';
import { startLiteRt, type LiteRtBuild } from '../litert/load-litert';
import { writeTflite } from '../tflite/model-writer';
import { readOnnx, type OnnxGraph } from '../tflite/onnx-reader';
import { UnsupportedModelError, convertOnnxToTflite, type ConvertedIo } from '../tflite/onnx-to-tflite';
import type { RuntimeModel } from '../handler/runtime';
import type { ConvertedStore } from '../litert/converted-cache';
import { FIRST_LENGTH, KEPT, LENGTHS, chooseLength, paddedLength } from '../litert/lengths';

export interface LiteRtLoad {
  readonly modelId: string;
  readonly build: LiteRtBuild;
  /** Threads for XNNPACK: ONNX Runtime's count with the threaded build, else 1. */
  readonly threads: number;
  /** The model's tokenizer and config, loaded by transformers.js (before the weights, as it does). */
  readonly tokenizer: PreTrainedTokenizer;
  readonly config: PretrainedConfig;
  /** Reads the ONNX file's bytes (through the model cache); only called when a length must be converted. */
  readonly onnx: () => Promise<Uint8Array>;
  /** Converted models kept on the device, or null to convert every time. */
  readonly converted?: ConvertedStore | null;
}

interface Shape {
  readonly compiled: CompiledModel;
  readonly inputs: readonly ConvertedIo[];
}

/** Loads the model on LiteRT.js; throws UnsupportedModelError when the model cannot be converted. */
export async function loadLiteRtModel({ modelId, build, threads, tokenizer, config, onnx, converted = null }: LiteRtLoad): Promise<RuntimeModel> {
  // The ONNX graph, read and parsed (without copying the weights) when first needed.
  let graph: Promise<OnnxGraph> | null = null;
  const graphOf = () => (graph ??= onnx().then((bytes) => readOnnx(bytes)));
  const runtime = startLiteRt(build);
  const labelsById = (config as unknown as { id2label?: Record<string, string> }).id2label ?? {};
  const multiLabel = (config as unknown as { problem_type?: string }).problem_type === 'multi_label_classification';
  const padId = tokenizer.pad_token_id ?? 1;
  const maxLength = Math.min(Number(tokenizer.model_max_length) || 512, 512);
  const lengths = LENGTHS.filter((l) => l <= maxLength);

  const shapes = new Map<number, Promise<Shape>>();
  const shapeFor = (length: number): Promise<Shape> => {
    const known = shapes.get(length);
    if (known) {
      // Most recently used last.
      shapes.delete(length);
      shapes.set(length, known);
      return known;
    }
    while (shapes.size >= KEPT) {
      const [oldest, old] = shapes.entries().next().value as [number, Promise<Shape>];
      shapes.delete(oldest);
      void old.then((s) => s.compiled.delete()).catch(() => undefined);
    }
    const made = (async () => {
      const compile = async (tflite: Uint8Array) => {
        await runtime;
        return loadAndCompile(tflite, { accelerator: 'wasm', cpuOptions: { numThreads: threads } });
      };
      const kept = await converted?.get(length);
      if (kept) return { compiled: await compile(kept.tflite), inputs: kept.inputs };
      const parsed = await graphOf();
      const [batchDim, sequenceDim] = freeDims(parsed);
      const dims: Record<string, number> = { [sequenceDim]: length };
      if (batchDim) dims[batchDim] = 1;
      const model = convertOnnxToTflite(parsed, { dims, description: `${modelId}, ${length} tokens` });
      const tflite = writeTflite(model.model);
      // Kept while it compiles (the store copies the bytes first); a failed write costs nothing now.
      void converted?.put(length, { tflite, inputs: model.inputs });
      return { compiled: await compile(tflite), inputs: model.inputs };
    })();
    shapes.set(length, made);
    made.catch(() => shapes.delete(length));
    return made;
  };
  // The common length is compiled now, so the load fails here (and falls back) if it cannot be.
  await shapeFor(paddedLength(FIRST_LENGTH, lengths));

  const run = async (ids: readonly number[]): Promise<EmotionScores> => {
    const length = chooseLength(ids.length, shapes.keys(), lengths);
    const { compiled, inputs } = await shapeFor(length);
    const feeds = inputs.map((input) => {
      const values = new Int32Array(length);
      if (input.name === 'input_ids') values.fill(padId).set(ids.slice(0, length));
      else if (input.name === 'attention_mask') values.fill(1, 0, Math.min(ids.length, length));
      else if (input.name !== 'token_type_ids') throw new UnsupportedModelError(`the model's input ${input.name} is not one a text classifier has`);
      return new Tensor(values, [...input.shape]);
    });
    const outputs = await compiled.run(feeds);
    try {
      const logits = Array.from(outputs[0]?.toTypedArray() ?? [], Number);
      const probabilities = multiLabel ? logits.map((x) => 1 / (1 + Math.exp(-x))) : softmax(logits);
      return scoresFromPairs(probabilities.map((score, i) => ({ label: labelsById[String(i)] ?? String(i), score })));
    } finally {
      for (const t of [...feeds, ...outputs]) t.delete();
    }
  };

  return {
    engine: 'litert',
    engineDetail: `LiteRT.js (XNNPACK with relaxed SIMD, ${threads === 1 ? 'one thread' : `${threads} threads`})`,
    countTokens: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
    async classify(texts) {
      const out: EmotionScores[] = [];
      for (const text of texts) out.push(await run(tokenizer.encode(text).slice(0, maxLength)));
      return out;
    },
    async dispose() {
      const all = [...shapes.values()];
      shapes.clear();
      for (const s of await Promise.allSettled(all)) if (s.status === 'fulfilled') s.value.compiled.delete();
    },
  };
}

/** The names of the batch and sequence dimensions of the model's `input_ids` ([batch, sequence]). */
function freeDims(graph: OnnxGraph): [string | null, string] {
  const ids = graph.inputs.find((i) => i.name === 'input_ids');
  if (!ids || ids.shape.length !== 2) throw new UnsupportedModelError('the model has no [batch, sequence] input_ids');
  const [batch, sequence] = ids.shape;
  if (typeof sequence !== 'string') throw new UnsupportedModelError('the model has a fixed sequence length');
  return [typeof batch === 'string' ? batch : null, sequence];
}

function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
