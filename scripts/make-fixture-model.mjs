#!/usr/bin/env node
// Generates a TINY text-classification model with the same file layout and
// signature as the transformers.js export of
// `j-hartmann/emotion-english-distilroberta-base`, so tests can run the REAL
// transformers.js pipeline offline in milliseconds.
//
//   node scripts/make-fixture-model.mjs               -> tests/fixtures/model/moodlens/tiny-emotion/
//   node scripts/make-fixture-model.mjs --out <dir>   -> <dir>/
//
// Output (served in hub layout as <host>/moodlens/tiny-emotion/resolve/main/<file>):
//   config.json                  RobertaForSequenceClassification, 7 emotion labels
//   tokenizer.json               real byte-level BPE (RoBERTa style, HF tokenizers format)
//   tokenizer_config.json        RobertaTokenizer, model_max_length 512
//   special_tokens_map.json
//   onnx/model.onnx              fp32  (dtype 'fp32')
//   onnx/model_quantized.onnx    uint8 weights + DequantizeLinear (dtype 'q8')
//
// The "model" is a bag of words: logits = sum_t mask_t * E[input_ids_t] + bias,
// where E has one row per vocab token and only whole-word tokens of the
// emotion word lists are non-zero. Neutral has a positive bias, so a text with
// no emotion word is classified "neutral". Byte-level pieces and intermediate
// merge tokens have all-zero rows: unknown words fall back to bytes and are
// simply ignored by the classifier.
//
// The output is byte-for-byte deterministic (no timestamps, no randomness).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DT, encodeGraph, f32Bytes, i64Bytes, onnxNode as node, quantizeUint8, tensor, valueInfo } from './lib/onnx-proto.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MODEL_ID = 'moodlens/tiny-emotion';
export const DEFAULT_OUT_DIR = path.resolve(HERE, '..', 'tests', 'fixtures', 'model', ...MODEL_ID.split('/'));

// ---------------------------------------------------------------------------
// Labels and word lists
// ---------------------------------------------------------------------------

export const LABELS = ['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise'];
const NEUTRAL = LABELS.indexOf('neutral');

/** Emotion words: the whole-word token pushes strongly to its label. */
const EMOTION_WORDS = {
  anger: [
    'angry', 'anger', 'furious', 'fury', 'rage', 'enraged', 'mad', 'hate', 'hated', 'annoyed',
    'annoying', 'irritated', 'outraged', 'livid', 'infuriated', 'frustrated', 'resent', 'hostile',
    'irate', 'pissed',
  ],
  disgust: [
    'disgusting', 'disgusted', 'disgust', 'gross', 'revolting', 'revolted', 'nasty', 'vile',
    'repulsive', 'repulsed', 'sickening', 'yuck', 'ew', 'eww', 'filthy', 'foul', 'nauseating',
    'appalling', 'icky', 'rotten',
  ],
  fear: [
    'afraid', 'scared', 'scary', 'terrified', 'terrifying', 'terror', 'fear', 'fearful',
    'frightened', 'anxious', 'nervous', 'worried', 'panic', 'dread', 'horrified', 'horror',
    'petrified', 'alarmed', 'uneasy', 'creepy',
  ],
  joy: [
    'happy', 'happiness', 'joy', 'joyful', 'delighted', 'delightful', 'glad', 'wonderful', 'love',
    'loved', 'lovely', 'great', 'excited', 'thrilled', 'cheerful', 'awesome', 'fantastic',
    'grateful', 'pleased', 'yay', 'enjoy', 'fun',
  ],
  sadness: [
    'sad', 'sadness', 'unhappy', 'miserable', 'heartbroken', 'depressed', 'cry', 'crying',
    'cried', 'tears', 'lonely', 'grief', 'sorrow', 'gloomy', 'hopeless', 'upset', 'hurt',
    'devastated', 'disappointed', 'sorry',
  ],
  surprise: [
    'surprised', 'surprise', 'surprising', 'astonished', 'amazed', 'astounded', 'shocked',
    'shocking', 'stunned', 'wow', 'whoa', 'woah', 'unexpected', 'suddenly', 'omg', 'unbelievable',
    'incredible', 'startled', 'speechless',
  ],
};

/** Everyday content words: a small push to "neutral". */
const NEUTRAL_WORDS = [
  'meeting', 'today', 'table', 'noon', 'report', 'schedule', 'office', 'email', 'tomorrow',
  'weather', 'train', 'lunch', 'monday', 'update', 'file', 'book', 'morning', 'window',
];

/** Function words: whole-word tokens (so they tokenize like a real vocab) with zero weight. */
const FUNCTION_WORDS = [
  'the', 'a', 'an', 'is', 'are', 'was', 'be', 'am', 'to', 'of', 'and', 'in', 'on', 'at', 'for',
  'with', 'about', 'this', 'that', 'it', 'my', 'me', 'you', 'we', 'they', 'he', 'she', 'so',
  'very', 'really', 'just', 'not', 'but', 'feel', 'felt', 'have', 'had', 'what', 'there',
  'will', 'can', 'how', 'no', 'yes',
];

/**
 * Words that also get a capitalized, no-Ġ variant ("Wow, ..."), i.e. common
 * sentence starters. Other capitalized words fall back to smaller pieces.
 */
const CAPITALIZED = new Set([
  'the', 'this', 'that', 'it', 'my', 'we', 'you', 'they', 'he', 'she', 'so', 'what', 'there',
  'how', 'no', 'yes', 'today', 'wow', 'whoa', 'omg', 'ew', 'yuck', 'yay', 'sorry',
]);

/** Contraction pieces, as split by the GPT-2/RoBERTa pre-tokenizer regex. */
const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

const EMOTION_WEIGHT = 6.0;
const NEUTRAL_WORD_WEIGHT = 1.0;
const NEUTRAL_BIAS = 2.0;

// ---------------------------------------------------------------------------
// Byte-level BPE tokenizer
// ---------------------------------------------------------------------------

/** GPT-2 `bytes_to_unicode`: byte -> printable unicode char. Returns [bytesInOrder, charOf]. */
function bytesToUnicode() {
  const bs = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const charOf = new Array(256);
  bs.forEach((b, i) => (charOf[b] = String.fromCharCode(cs[i])));
  return { order: bs, charOf };
}

export const BYTE_LEVEL = bytesToUnicode();

export function toByteLevel(text) {
  return Array.from(Buffer.from(text, 'utf8'), (b) => BYTE_LEVEL.charOf[b]);
}

/** Plain rank-based BPE (lowest rank first, leftmost on ties), as in HF tokenizers. */
function applyBpe(symbols, ranks) {
  const parts = symbols.slice();
  while (parts.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) break;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
  return parts;
}

export const SPECIAL_TOKENS = [
  { id: 0, content: '<s>' },
  { id: 1, content: '<pad>' },
  { id: 2, content: '</s>' },
  { id: 3, content: '<unk>' },
];
export const MASK = '<mask>';

function capitalize(w) {
  return w[0].toUpperCase() + w.slice(1);
}

/**
 * Builds vocab + merges so that every listed word tokenizes to exactly one
 * token, both as "word" (text start / after punctuation) and as "Ġword"
 * (after a space); a few sentence starters also get a "Word" variant.
 *
 * Like real BPE training, merges are appended one at a time on top of what the
 * current merges already produce for the word: the bare word is built up
 * left to right ("f u", "fu r", "fur i", ...; prefixes are shared between
 * words), then its Ġ variant costs a single extra merge ("Ġ furious").
 * Each new merge has the highest rank so far, which can never change how an
 * already-processed word is tokenized (all its pairs are merged before the
 * new merge would be considered), so the invariant holds for the whole list.
 */
function buildBpe() {
  /** @type {Map<string, number>} */
  const vocab = new Map();
  for (const t of SPECIAL_TOKENS) vocab.set(t.content, t.id);
  for (const b of BYTE_LEVEL.order) vocab.set(BYTE_LEVEL.charOf[b], vocab.size);

  const merges = [];
  const ranks = new Map();

  /** every word variant -> its whole-word token, with the label it votes for */
  const wordTokens = [];

  const addWord = (text) => {
    const symbols = toByteLevel(text);
    for (;;) {
      const parts = applyBpe(symbols, ranks);
      if (parts.length === 1) return parts[0];
      const key = `${parts[0]} ${parts[1]}`;
      if (ranks.has(key)) throw new Error(`BPE invariant broken for ${text}`);
      ranks.set(key, merges.length);
      merges.push(key);
      const merged = parts[0] + parts[1];
      if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    }
  };

  const groups = [
    ...LABELS.filter((l) => l !== 'neutral').map((label) => ({ label, words: EMOTION_WORDS[label] })),
    { label: 'neutral', words: NEUTRAL_WORDS },
    { label: null, words: FUNCTION_WORDS },
  ];
  for (const { label, words } of groups) {
    for (const w of words) {
      const variants = [w, ` ${w}`];
      if (CAPITALIZED.has(w)) variants.push(capitalize(w));
      for (const variant of variants) {
        wordTokens.push({ label, text: variant, token: addWord(variant) });
      }
    }
  }
  for (const c of CONTRACTIONS) addWord(c);

  vocab.set(MASK, vocab.size);

  // Sanity: every variant is a single token, and no token belongs to 2 labels.
  const tokenLabel = new Map();
  for (const { label, text, token } of wordTokens) {
    const parts = applyBpe(toByteLevel(text), ranks);
    if (parts.length !== 1 || parts[0] !== token) throw new Error(`"${text}" is not a single token`);
    const prev = tokenLabel.get(token);
    if (prev !== undefined && prev !== label) throw new Error(`token ${token} has two labels`);
    tokenLabel.set(token, label);
  }
  return { vocab, merges, wordTokens };
}

// ---------------------------------------------------------------------------
// Ordered JSON (keeps Map insertion order even for integer-like keys, which
// plain objects would hoist; formatted like HF's pretty-printed JSON)
// ---------------------------------------------------------------------------

function toJson(value, indent = 0) {
  const pad = '  '.repeat(indent);
  const padIn = '  '.repeat(indent + 1);
  if (value instanceof Map || (value && typeof value === 'object' && !Array.isArray(value))) {
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${padIn}${JSON.stringify(String(k))}: ${toJson(v, indent + 1)}`).join(',\n')}\n${pad}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // Short scalar arrays (e.g. ["</s>", 2]) on one line, like HF does.
    if (value.every((v) => v === null || typeof v !== 'object') && value.length <= 4) {
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    }
    return `[\n${value.map((v) => `${padIn}${toJson(v, indent + 1)}`).join(',\n')}\n${pad}]`;
  }
  return JSON.stringify(value);
}

const jsonFile = (value) => Buffer.from(toJson(value) + '\n', 'utf8');

/** Single-line JSON (what `tokenizer.save(path, pretty=False)` writes), Map-order preserving. */
function toCompactJson(value) {
  if (value instanceof Map || (value && typeof value === 'object' && !Array.isArray(value))) {
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${toCompactJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toCompactJson).join(',')}]`;
  return JSON.stringify(value);
}
const compactJsonFile = (value) => Buffer.from(toCompactJson(value), 'utf8');

// ---------------------------------------------------------------------------
// ONNX (schema and helpers in scripts/lib/onnx-proto.mjs)
// ---------------------------------------------------------------------------


/**
 * @param {{ embedding: Float32Array, vocabSize: number, bias: number[], quantized: boolean }} o
 */
function buildOnnx({ embedding, vocabSize, bias, quantized }) {
  const numLabels = LABELS.length;
  const initializer = [];
  const nodes = [];

  if (quantized) {
    const { q, scale, zeroPoint } = quantizeUint8(embedding);
    initializer.push(
      tensor('token_scores.weight_quantized', DT.UINT8, [vocabSize, numLabels], q),
      tensor('token_scores.weight_scale', DT.FLOAT, [], f32Bytes([scale])),
      tensor('token_scores.weight_zero_point', DT.UINT8, [], Buffer.from([zeroPoint])),
    );
    nodes.push(
      node(
        'DequantizeLinear',
        ['token_scores.weight_quantized', 'token_scores.weight_scale', 'token_scores.weight_zero_point'],
        ['token_scores.weight'],
        'token_scores.weight_DequantizeLinear',
      ),
    );
  } else {
    initializer.push(
      tensor('token_scores.weight', DT.FLOAT, [vocabSize, numLabels], Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength)),
    );
  }
  initializer.push(
    tensor('classifier.bias', DT.FLOAT, [numLabels], f32Bytes(bias)),
    tensor('const_axes_last', DT.INT64, [1], i64Bytes([-1])),
    tensor('const_axes_seq', DT.INT64, [1], i64Bytes([1])),
  );
  nodes.push(
    node('Gather', ['token_scores.weight', 'input_ids'], ['per_token_scores'], 'Gather_token_scores', [['axis', 0]]),
    node('Cast', ['attention_mask'], ['attention_mask_f'], 'Cast_attention_mask', [['to', DT.FLOAT]]),
    node('Unsqueeze', ['attention_mask_f', 'const_axes_last'], ['attention_mask_3d'], 'Unsqueeze_attention_mask'),
    node('Mul', ['per_token_scores', 'attention_mask_3d'], ['masked_scores'], 'Mul_mask'),
    node('ReduceSum', ['masked_scores', 'const_axes_seq'], ['summed_scores'], 'ReduceSum_sequence', [['keepdims', 0]]),
    node('Add', ['summed_scores', 'classifier.bias'], ['logits'], 'Add_bias'),
  );

  return encodeGraph(
    {
      name: 'moodlens_tiny_emotion',
      node: nodes,
      initializer,
      input: [
        valueInfo('input_ids', DT.INT64, ['batch_size', 'sequence_length']),
        valueInfo('attention_mask', DT.INT64, ['batch_size', 'sequence_length']),
      ],
      output: [valueInfo('logits', DT.FLOAT, ['batch_size', numLabels])],
    },
    { producer: 'moodlens-fixture', modelVersion: 1, doc: `Tiny bag-of-words emotion classifier (test fixture, ${quantized ? 'q8' : 'fp32'}). Not a real model.` },
  );
}

/**
 * The RoBERTa tokenizer files (HF tokenizers format) for a byte-level BPE vocab and its merges;
 * `vocab` must hold the 4 special tokens at ids 0-3 and `<mask>`.
 * @param {Map<string, number>} vocab
 * @param {string[]} merges
 * @returns {Map<string, Buffer>}
 */
export function robertaTokenizerFiles(vocab, merges) {
  const maskId = vocab.get(MASK);
  if (maskId === undefined) throw new Error('the vocab has no <mask> token');
  const addedToken = (id, content, extra = {}) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
    ...extra,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      ...SPECIAL_TOKENS.map((t) => addedToken(t.id, t.content)),
      addedToken(maskId, MASK, { lstrip: true, normalized: false }),
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', 2],
      cls: ['<s>', 0],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };

  const specialDecoder = new Map(
    tokenizer.added_tokens.map((t) => [
      String(t.id),
      { content: t.content, lstrip: t.lstrip, normalized: t.normalized, rstrip: t.rstrip, single_word: t.single_word, special: t.special },
    ]),
  );
  const tokenizerConfig = {
    add_prefix_space: false,
    added_tokens_decoder: specialDecoder,
    bos_token: '<s>',
    clean_up_tokenization_spaces: true,
    cls_token: '<s>',
    eos_token: '</s>',
    errors: 'replace',
    mask_token: '<mask>',
    model_max_length: 512,
    pad_token: '<pad>',
    sep_token: '</s>',
    tokenizer_class: 'RobertaTokenizer',
    trim_offsets: true,
    unk_token: '<unk>',
  };
  const specialTokensMap = {
    bos_token: '<s>',
    cls_token: '<s>',
    eos_token: '</s>',
    mask_token: { content: '<mask>', lstrip: true, normalized: false, rstrip: false, single_word: false },
    pad_token: '<pad>',
    sep_token: '</s>',
    unk_token: '<unk>',
  };

  return new Map([
    ['tokenizer.json', compactJsonFile(tokenizer)],
    ['tokenizer_config.json', jsonFile(tokenizerConfig)],
    ['special_tokens_map.json', jsonFile(specialTokensMap)],
  ]);
}

// ---------------------------------------------------------------------------
// Fixture assembly
// ---------------------------------------------------------------------------

/** @returns {Map<string, Buffer>} relative path -> file bytes (deterministic) */
export function buildFixtureFiles() {
  const { vocab, merges, wordTokens } = buildBpe();
  const vocabSize = vocab.size;
  const id2label = new Map(LABELS.map((l, i) => [String(i), l]));
  const label2id = new Map(LABELS.map((l, i) => [l, i]));

  // --- weights
  const numLabels = LABELS.length;
  const embedding = new Float32Array(vocabSize * numLabels);
  for (const { label, token } of wordTokens) {
    if (label === null) continue;
    const row = vocab.get(token) * numLabels;
    if (label === 'neutral') embedding[row + NEUTRAL] = NEUTRAL_WORD_WEIGHT;
    else embedding[row + LABELS.indexOf(label)] = EMOTION_WEIGHT;
  }
  const bias = LABELS.map((l) => (l === 'neutral' ? NEUTRAL_BIAS : 0));

  // --- config.json (shape of the real j-hartmann config, tiny dimensions)
  const config = {
    _name_or_path: MODEL_ID,
    architectures: ['RobertaForSequenceClassification'],
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    classifier_dropout: null,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: numLabels,
    id2label,
    initializer_range: 0.02,
    intermediate_size: numLabels,
    label2id,
    layer_norm_eps: 1e-5,
    max_position_embeddings: 514,
    model_type: 'roberta',
    num_attention_heads: 1,
    num_hidden_layers: 1,
    pad_token_id: 1,
    position_embedding_type: 'absolute',
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
    type_vocab_size: 1,
    use_cache: true,
    vocab_size: vocabSize,
  };

  return new Map([
    ['config.json', jsonFile(config)],
    ...robertaTokenizerFiles(vocab, merges),
    ['onnx/model.onnx', buildOnnx({ embedding, vocabSize, bias, quantized: false })],
    ['onnx/model_quantized.onnx', buildOnnx({ embedding, vocabSize, bias, quantized: true })],
  ]);
}

/**
 * Writes the fixture into `outDir`.
 * @returns {{ file: string, bytes: number, sha256: string }[]}
 */
export function writeFixture(outDir = DEFAULT_OUT_DIR) {
  const files = buildFixtureFiles();
  const written = [];
  for (const [rel, data] of files) {
    const full = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
    written.push({ file: rel, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  }
  return written;
}

function main(argv) {
  let outDir = DEFAULT_OUT_DIR;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      if (!argv[i + 1]) throw new Error('--out needs a directory');
      outDir = path.resolve(argv[++i]);
    } else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('usage: node scripts/make-fixture-model.mjs [--out <dir>]');
      return;
    } else {
      throw new Error(`unknown argument: ${argv[i]}`);
    }
  }
  const written = writeFixture(outDir);
  const rel = path.relative(process.cwd(), outDir) || '.';
  console.log(`wrote ${MODEL_ID} fixture to ${rel}/`);
  let total = 0;
  for (const { file, bytes, sha256 } of written) {
    total += bytes;
    console.log(`  ${file.padEnd(28)} ${String(bytes).padStart(7)} B  sha256:${sha256.slice(0, 16)}`);
  }
  console.log(`  ${'total'.padEnd(28)} ${String(total).padStart(7)} B`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
