#!/usr/bin/env node
// Generates, into the git-ignored bench/.cache/, a speech-emotion model with the shape of the
// voice channel's default (onnx-community/wav2vec2-emotion-recognition-ONNX, from
// Dpngtm/wav2vec2-emotion-recognition: wav2vec2-base, 8 labels) and random weights, so the voice
// bench costs what the real model costs without downloading it. Nothing here is committed.
//
//   node bench/voice/make-tone-model.mjs [--force]
//
// wav2vec2-base: a feature encoder of 7 convolutions (512 channels; kernels 10,3,3,3,3,2,2,
// strides 5,2,2,2,2,2,2, so one frame per 20 ms; group norm on the first), a projection to 768, a
// positional convolution (kernel 128, 16 groups), 12 post-LN transformer layers (768, 12 heads,
// FFN 3072), then the classification head (768 -> 256, mean over time, 256 -> 8). Only
// onnx/model_quantized.onnx is written (what the app loads on WASM): int8 MatMuls as
// quantize_dynamic writes them, the convolutions in float (as exports that skip Conv do).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DT, encodeGraph, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { graphBuilder, MODELS_DIR, normalSource } from '../real-shape/make-model.mjs';
import { TONE_LABELS } from '../../scripts/make-voice-fixtures.mjs';

export const TONE_BENCH_ID = 'bench/wav2vec2-shape';
const STAMP = 'moodlens-bench-tone-model v1';
const SHAPE = { hidden: 768, heads: 12, ffn: 3072, layers: 12, conv: 512, kernels: [10, 3, 3, 3, 3, 2, 2], strides: [5, 2, 2, 2, 2, 2, 2], posKernel: 128, posGroups: 16, proj: 256 };

function makeWeights(seed = 20261207) {
  const fill = normalSource(seed);
  const w = new Map();
  const rand = (name, dims, std = 0.02) => w.set(name, { dims, data: fill(new Float32Array(dims.reduce((x, y) => x * y, 1)), std) });
  const ones = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n).fill(1) });
  const zeros = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n) });
  const { hidden, ffn, layers, conv, kernels, posKernel, posGroups, proj } = SHAPE;
  kernels.forEach((k, i) => rand(`feature_extractor.conv_layers.${i}.conv.weight`, [conv, i === 0 ? 1 : conv, k], 0.05));
  ones('feature_extractor.conv_layers.0.layer_norm.weight', conv);
  zeros('feature_extractor.conv_layers.0.layer_norm.bias', conv);
  ones('feature_projection.layer_norm.weight', conv);
  zeros('feature_projection.layer_norm.bias', conv);
  rand('feature_projection.projection.weight', [conv, hidden]);
  zeros('feature_projection.projection.bias', hidden);
  rand('encoder.pos_conv_embed.conv.weight', [hidden, hidden / posGroups, posKernel]);
  zeros('encoder.pos_conv_embed.conv.bias', hidden);
  ones('encoder.layer_norm.weight', hidden);
  zeros('encoder.layer_norm.bias', hidden);
  for (let l = 0; l < layers; l++) {
    const p = `encoder.layers.${l}`;
    for (const m of ['attention.q_proj', 'attention.k_proj', 'attention.v_proj', 'attention.out_proj']) {
      rand(`${p}.${m}.weight`, [hidden, hidden]);
      zeros(`${p}.${m}.bias`, hidden);
    }
    ones(`${p}.layer_norm.weight`, hidden);
    zeros(`${p}.layer_norm.bias`, hidden);
    rand(`${p}.feed_forward.intermediate_dense.weight`, [hidden, ffn]);
    zeros(`${p}.feed_forward.intermediate_dense.bias`, ffn);
    rand(`${p}.feed_forward.output_dense.weight`, [ffn, hidden]);
    zeros(`${p}.feed_forward.output_dense.bias`, hidden);
    ones(`${p}.final_layer_norm.weight`, hidden);
    zeros(`${p}.final_layer_norm.bias`, hidden);
  }
  rand('projector.weight', [hidden, proj]);
  zeros('projector.bias', proj);
  rand('classifier.weight', [proj, TONE_LABELS.length]);
  zeros('classifier.bias', TONE_LABELS.length);
  return w;
}

function buildGraph(weights) {
  const g = graphBuilder(weights, true);
  const { op, attr, constF32, constI64 } = g;
  const { hidden, heads, layers, kernels, strides, posKernel, posGroups } = SHAPE;
  const headDim = hidden / heads;
  const sqrt2 = constF32('const_sqrt2', [Math.SQRT2], []);
  const half = constF32('const_half', [0.5], []);
  const fOne = constF32('const_f_one', [1], []);
  const gelu = (x) => op('Mul', [op('Mul', [x, op('Add', [op('Erf', [op('Div', [x, sqrt2])]), fOne])]), half]);

  // Feature encoder: [batch, samples] -> [batch, 512, frames].
  let x = op('Unsqueeze', ['input_values', constI64('const_axis_1', [1])]);
  kernels.forEach((k, i) => {
    x = op('Conv', [x, g.param(`feature_extractor.conv_layers.${i}.conv.weight`)], [attr.ints('kernel_shape', [k]), attr.ints('strides', [strides[i]])]);
    if (i === 0) x = op('InstanceNormalization', [x, g.param('feature_extractor.conv_layers.0.layer_norm.weight'), g.param('feature_extractor.conv_layers.0.layer_norm.bias')]);
    x = gelu(x);
  });
  let h = op('Transpose', [x], [attr.ints('perm', [0, 2, 1])]);
  h = g.layerNorm(h, 'feature_projection.layer_norm');
  h = g.linear(h, 'feature_projection.projection');

  // Positional convolution (kernel 128, padding 64, the last frame dropped), added.
  const channelsFirst = op('Transpose', [h], [attr.ints('perm', [0, 2, 1])]);
  let pos = op('Conv', [channelsFirst, g.param('encoder.pos_conv_embed.conv.weight'), g.param('encoder.pos_conv_embed.conv.bias')], [
    attr.ints('kernel_shape', [posKernel]),
    attr.ints('pads', [posKernel / 2, posKernel / 2]),
    attr.int('group', posGroups),
  ]);
  pos = op('Slice', [pos, constI64('const_slice_start', [0]), constI64('const_slice_end', [-1]), constI64('const_slice_axis', [2])]);
  pos = op('Transpose', [gelu(pos)], [attr.ints('perm', [0, 2, 1])]);
  h = g.layerNorm(op('Add', [h, pos]), 'encoder.layer_norm');

  const splitHeads = constI64('const_split_heads', [0, 0, heads, headDim]);
  const mergeHeads = constI64('const_merge_heads', [0, 0, hidden]);
  const scale = constF32('const_attention_scale', [Math.sqrt(headDim)], []);
  for (let l = 0; l < layers; l++) {
    const p = `encoder.layers.${l}`;
    const heads4d = (t, perm) => op('Transpose', [op('Reshape', [t, splitHeads])], [attr.ints('perm', perm)]);
    const q = heads4d(g.linear(h, `${p}.attention.q_proj`), [0, 2, 1, 3]);
    const k = heads4d(g.linear(h, `${p}.attention.k_proj`), [0, 2, 3, 1]);
    const v = heads4d(g.linear(h, `${p}.attention.v_proj`), [0, 2, 1, 3]);
    const probs = op('Softmax', [op('Div', [op('MatMul', [q, k]), scale])], [attr.int('axis', -1)]);
    const context = op('Transpose', [op('MatMul', [probs, v])], [attr.ints('perm', [0, 2, 1, 3])]);
    h = g.layerNorm(op('Add', [g.linear(op('Reshape', [context, mergeHeads]), `${p}.attention.out_proj`), h]), `${p}.layer_norm`);
    const ff = g.linear(gelu(g.linear(h, `${p}.feed_forward.intermediate_dense`)), `${p}.feed_forward.output_dense`);
    h = g.layerNorm(op('Add', [ff, h]), `${p}.final_layer_norm`);
  }
  const projected = g.linear(h, 'projector');
  const pooled = op('ReduceMean', [projected], [attr.ints('axes', [1]), attr.int('keepdims', 0)]);
  const logits = g.linear(pooled, 'classifier');
  g.nodes.push({ op_type: 'Identity', input: [logits], output: ['logits'], name: 'logits_output', attribute: [] });
  return encodeGraph(
    {
      name: 'wav2vec2_shape',
      node: g.nodes,
      initializer: g.initializer,
      input: [valueInfo('input_values', DT.FLOAT, ['batch_size', 'sequence_length'])],
      output: [valueInfo('logits', DT.FLOAT, ['batch_size', TONE_LABELS.length])],
    },
    { producer: 'moodlens-bench' },
  );
}

/** Writes the model into `<MODELS_DIR>/bench/wav2vec2-shape/` unless it is already there. */
export function ensureToneBenchModel({ force = false, log = () => {} } = {}) {
  const dir = path.join(MODELS_DIR, ...TONE_BENCH_ID.split('/'));
  const stampFile = path.join(dir, '.stamp');
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === STAMP) return { dir, generated: false };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const id2label = Object.fromEntries(TONE_LABELS.map((l, i) => [String(i), l]));
  const config = { architectures: ['Wav2Vec2ForSequenceClassification'], model_type: 'wav2vec2', hidden_size: SHAPE.hidden, num_hidden_layers: SHAPE.layers, id2label, label2id: Object.fromEntries(TONE_LABELS.map((l, i) => [l, i])) };
  const preprocessor = { do_normalize: true, feature_extractor_type: 'Wav2Vec2FeatureExtractor', feature_size: 1, padding_side: 'right', padding_value: 0, return_attention_mask: false, sampling_rate: 16000 };
  fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'preprocessor_config.json'), `${JSON.stringify(preprocessor, null, 2)}\n`);
  const weights = makeWeights();
  let params = 0;
  for (const p of weights.values()) params += p.data.length;
  log(`weights: ${(params / 1e6).toFixed(1)} M parameters`);
  fs.writeFileSync(path.join(dir, 'onnx', 'model_quantized.onnx'), buildGraph(weights));
  fs.writeFileSync(stampFile, STAMP);
  return { dir, generated: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { dir, generated } = ensureToneBenchModel({ force: process.argv.includes('--force'), log: (m) => console.log(`  ${m}`) });
  const bytes = fs.statSync(path.join(dir, 'onnx', 'model_quantized.onnx')).size;
  console.log(`${generated ? 'generated' : 'up to date:'} ${path.relative(process.cwd(), dir)} (${((Date.now() - started) / 1000).toFixed(1)} s), onnx/model_quantized.onnx ${(bytes / 1e6).toFixed(1)} MB`);
}
