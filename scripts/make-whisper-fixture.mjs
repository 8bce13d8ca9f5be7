// A TINY speech-recognition model with the file layout and signatures of the transformers.js
// export of a multilingual Whisper (onnx-community/whisper-base), so tests run transformers.js's
// real Whisper code (feature extractor, tokenizer, encoder, merged decoder with its key/value
// cache, greedy generation with the timestamp rules) offline, in milliseconds:
//
//   tests/fixtures/model/moodlens/tiny-whisper/
//     config.json                WhisperForConditionalGeneration, max_source_positions 1500
//     generation_config.json     lang_to_id (Whisper's 99 languages), task_to_id, notimestamps
//     preprocessor_config.json   WhisperFeatureExtractor: 80 mels, 16 kHz, 30 s windows
//     tokenizer.json, tokenizer_config.json   byte-level BPE + Whisper's special and timestamp tokens
//     onnx/encoder_model.onnx, onnx/encoder_model_quantized.onnx
//     onnx/decoder_model_merged.onnx, onnx/decoder_model_merged_quantized.onnx
//
// It is not a real model: it "hears" where the speech is and how loud, not what is said.
// - The encoder takes the log-mel features of one 30 s window, finds the stretches of sound in it
//   (20 ms positions within 40 dB of the window's loudest; gaps under about 0.6 s closed),
//   and writes into its hidden states, per stretch, its start, its end and its loudness class:
//   loud (class 2), quiet (1), very quiet (0).
// - The decoder is a table: for a stretch of class c it says SCRIPTS[c] between the stretch's
//   start and end timestamps, stretch after stretch, then <|endoftext|>. Asked for the language
//   (one step after <|startoftranscript|>), it answers the class of the loudest stretch's language.
//   The scripts are the fixture recording's two sentences (tests/fixtures/audio/two-sentences.wav:
//   a happy sentence said loud, a sad one said quietly) and a German sentence for very quiet
//   speech, so the language detection and non-ASCII text are exercised too.
// Batches of one (as the app sends). Deterministic bytes.
import { toByteLevel, BYTE_LEVEL } from './make-fixture-model.mjs';
import { ATTR, DT, encodeGraph, f32Bytes, i64Bytes, onnxNode as node, tensor, valueInfo } from './lib/onnx-proto.mjs';

export const WHISPER_MODEL_ID = 'moodlens/tiny-whisper';

/** Whisper's languages, in its token order (openai/whisper tokenizer.py LANGUAGES). */
const LANGUAGES = (
  'en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su'
).split(' ');

/** What each loudness class "says", and in which language (every script has SCRIPT_WORDS tokens). */
export const SCRIPTS = [
  { language: 'de', text: ' Ich bin heute wirklich sehr müde und so traurig.' },
  { language: 'en', text: ' This is terrible news. I feel very sad.' },
  { language: 'en', text: ' I am so happy today, everything went well.' },
];
const SCRIPT_WORDS = 10;

/** Features (log10 mel power, Whisper-normalised: (log10 + 4) / 4) above which a stretch is quiet, loud. */
const QUIET_ABOVE = 0.5;
const LOUD_ABOVE = 1.15;
/** A position has sound when its loudest mel is within this of the window's loudest (1.0 = 40 dB). */
const ACTIVE_BELOW_MAX = 1.0;
/** Gaps shorter than this many positions (20 ms each) do not split a stretch. */
const CLOSE_POSITIONS = 31;
/** At most this many stretches per window. */
const MAX_STRETCHES = 16;
const POSITIONS = 1500;
const FRAMES = 3000;
const MELS = 80;

/** The words of `text` as byte-level tokens: a space starts a word, punctuation is its own token. */
function scriptTokens(text) {
  const pieces = text.match(/ ?[\p{L}]+|[.,!?]/gu) ?? [];
  if (pieces.length !== SCRIPT_WORDS) throw new Error(`"${text}" has ${pieces.length} tokens, not ${SCRIPT_WORDS}`);
  return pieces.map((p) => toByteLevel(p).join(''));
}

/**
 * A Whisper vocabulary: `vocab` (text tokens, ids from 0), then Whisper's special tokens in its
 * order (<|endoftext|>, <|startoftranscript|>, the 99 languages, the tasks, ..., <|notimestamps|>,
 * then the 1501 timestamps <|0.00|> to <|30.00|>).
 * @param {Map<string, number>} vocab
 */
export function whisperTokens(vocab) {
  const words = vocab.size;
  const special = ['<|endoftext|>', '<|startoftranscript|>', ...LANGUAGES.map((l) => `<|${l}|>`), '<|translate|>', '<|transcribe|>', '<|startoflm|>', '<|startofprev|>', '<|nocaptions|>', '<|notimestamps|>'];
  const timestamps = Array.from({ length: POSITIONS + 1 }, (_, i) => `<|${(i * 0.02).toFixed(2)}|>`);
  const added = [...special, ...timestamps].map((content, i) => ({ id: words + i, content }));
  const id = Object.fromEntries(added.map((t) => [t.content, t.id]));
  return { vocab, words, added, id, size: words + added.length, timestampBegin: id['<|notimestamps|>'] + 1 };
}

/** The fixture's vocabulary: the 256 byte symbols and the scripts' words. */
export function whisperVocab() {
  const vocab = new Map();
  for (const b of BYTE_LEVEL.order) vocab.set(BYTE_LEVEL.charOf[b], vocab.size);
  for (const s of SCRIPTS) for (const t of scriptTokens(s.text)) if (!vocab.has(t)) vocab.set(t, vocab.size);
  return whisperTokens(vocab);
}

const ints = (name, values) => ({ name, type: ATTR.INTS, ints: values });
const int = (name, value) => ({ name, type: ATTR.INT, i: value });
const withAttrs = (n, attrs) => ({ ...n, attribute: attrs });

/** input_features [1, 80, 3000] -> last_hidden_state [1, 1500, 2] (see the file's head). */
function encoderGraph() {
  const K = MAX_STRETCHES;
  const n = [];
  // Loudest mel per 20 ms position: [1, 80, 3000] -> [1, 3000] -> [1500, 2] -> [1500].
  n.push(withAttrs(node('ReduceMax', ['input_features'], ['frame_max'], 'frame_max'), [ints('axes', [1]), int('keepdims', 0)]));
  n.push(node('Reshape', ['frame_max', 'pairs_shape'], ['pairs'], 'pairs'));
  n.push(withAttrs(node('ReduceMax', ['pairs'], ['level'], 'level'), [ints('axes', [1]), int('keepdims', 0)]));
  n.push(withAttrs(node('ReduceMax', ['level'], ['window_max'], 'window_max'), [int('keepdims', 0)]));
  // Sound: within ACTIVE_BELOW_MAX of the window's loudest; short gaps closed (dilate, then erode).
  n.push(node('Sub', ['window_max', 'active_below'], ['active_floor'], 'active_floor'));
  n.push(node('Greater', ['level', 'active_floor'], ['active_raw_b'], 'active_raw_b'));
  n.push(withAttrs(node('Cast', ['active_raw_b'], ['active_raw'], 'active_raw'), [int('to', DT.FLOAT)]));
  n.push(node('Reshape', ['active_raw', 'pool_shape'], ['active_pool_in'], 'active_pool_in'));
  const half = (CLOSE_POSITIONS - 1) / 2;
  const pool = [ints('kernel_shape', [CLOSE_POSITIONS]), ints('pads', [half, half]), ints('strides', [1])];
  n.push(withAttrs(node('MaxPool', ['active_pool_in'], ['dilated'], 'dilate'), pool));
  n.push(node('Neg', ['dilated'], ['dilated_neg'], 'dilated_neg'));
  n.push(withAttrs(node('MaxPool', ['dilated_neg'], ['eroded_neg'], 'erode'), pool));
  n.push(node('Neg', ['eroded_neg'], ['closed'], 'closed'));
  n.push(node('Reshape', ['closed', 'flat_shape'], ['active'], 'active'));
  // Starts and ends of the stretches; each position's stretch number (1-based, 0 in gaps).
  n.push(node('Slice', ['active', 'zero_1', 'last_1'], ['active_head'], 'active_head'));
  n.push(node('Concat', ['zero_f1', 'active_head'], ['before'], 'before', [['axis', 0]]));
  n.push(node('Slice', ['active', 'one_1', 'big_1'], ['active_tail'], 'active_tail'));
  n.push(node('Concat', ['active_tail', 'zero_f1'], ['after'], 'after', [['axis', 0]]));
  n.push(node('Sub', ['one_f', 'before'], ['not_before'], 'not_before'));
  n.push(node('Mul', ['active', 'not_before'], ['starts'], 'starts'));
  n.push(node('Sub', ['one_f', 'after'], ['not_after'], 'not_after'));
  n.push(node('Mul', ['active', 'not_after'], ['ends'], 'ends'));
  n.push(node('CumSum', ['starts', 'zero_i'], ['running'], 'running'));
  n.push(node('Mul', ['running', 'active'], ['stretch_of'], 'stretch_of'));
  n.push(node('ReduceSum', ['starts'], ['count'], 'count', [['keepdims', 0]]));
  // One row per stretch number: [K, 1500] masks, then each row's start, end and loudest level.
  n.push(node('Reshape', ['stretch_of', 'row_shape'], ['stretch_row'], 'stretch_row'));
  n.push(node('Equal', ['stretch_row', 'stretch_numbers'], ['member_b'], 'member_b'));
  n.push(withAttrs(node('Cast', ['member_b'], ['member'], 'member'), [int('to', DT.FLOAT)]));
  n.push(node('Mul', ['member', 'starts'], ['member_starts'], 'member_starts'));
  n.push(node('ArgMax', ['member_starts'], ['start_at'], 'start_at', [['axis', 1], ['keepdims', 0]]));
  n.push(node('Mul', ['member', 'ends'], ['member_ends'], 'member_ends'));
  n.push(node('ArgMax', ['member_ends'], ['end_at'], 'end_at', [['axis', 1], ['keepdims', 0]]));
  n.push(node('Mul', ['member', 'level'], ['member_level'], 'member_level'));
  n.push(node('Sub', ['member', 'one_f'], ['member_off'], 'member_off'));
  n.push(node('Mul', ['member_off', 'hundred'], ['member_penalty'], 'member_penalty'));
  n.push(node('Add', ['member_level', 'member_penalty'], ['stretch_levels'], 'stretch_levels'));
  n.push(withAttrs(node('ReduceMax', ['stretch_levels'], ['stretch_max'], 'stretch_max'), [ints('axes', [1]), int('keepdims', 0)]));
  // Loudness class: (level > quiet) + (level > loud), per stretch and for the window.
  for (const [level, out] of [['stretch_max', 'stretch_class'], ['window_max', 'window_class']]) {
    n.push(node('Greater', [level, 'quiet_above'], [`${out}_q_b`], `${out}_q_b`));
    n.push(node('Greater', [level, 'loud_above'], [`${out}_l_b`], `${out}_l_b`));
    n.push(withAttrs(node('Cast', [`${out}_q_b`], [`${out}_q`], `${out}_q`), [int('to', DT.FLOAT)]));
    n.push(withAttrs(node('Cast', [`${out}_l_b`], [`${out}_l`], `${out}_l`), [int('to', DT.FLOAT)]));
    n.push(node('Add', [`${out}_q`, `${out}_l`], [out], out));
  }
  // Hidden states: channel 0 = [starts(K), ends(K), classes(K), count, window class, 0...],
  // channel 1 = each position's level (unused by the decoder).
  n.push(withAttrs(node('Cast', ['start_at'], ['start_f'], 'start_f'), [int('to', DT.FLOAT)]));
  n.push(withAttrs(node('Cast', ['end_at'], ['end_f'], 'end_f'), [int('to', DT.FLOAT)]));
  n.push(node('Reshape', ['count', 'one_shape'], ['count_1'], 'count_1'));
  n.push(node('Reshape', ['window_class', 'one_shape'], ['window_class_1'], 'window_class_1'));
  n.push(node('Concat', ['start_f', 'end_f', 'stretch_class', 'count_1', 'window_class_1', 'hidden_pad'], ['channel0'], 'channel0', [['axis', 0]]));
  n.push(node('Unsqueeze', ['channel0', 'axis_1'], ['channel0_c'], 'channel0_c'));
  n.push(node('Unsqueeze', ['level', 'axis_1'], ['channel1_c'], 'channel1_c'));
  n.push(node('Concat', ['channel0_c', 'channel1_c'], ['hidden'], 'hidden', [['axis', 1]]));
  n.push(node('Unsqueeze', ['hidden', 'axis_0'], ['last_hidden_state'], 'last_hidden_state'));

  const f = (name, values, dims = [values.length]) => tensor(name, DT.FLOAT, dims, f32Bytes(values));
  const i = (name, values, dims = [values.length]) => tensor(name, DT.INT64, dims, i64Bytes(values));
  return encodeGraph(
    {
      name: 'moodlens_tiny_whisper_encoder',
      node: n,
      initializer: [
        i('pairs_shape', [POSITIONS, 2]),
        i('pool_shape', [1, 1, POSITIONS]),
        i('flat_shape', [POSITIONS]),
        i('row_shape', [1, POSITIONS]),
        i('one_shape', [1]),
        i('zero_1', [0]),
        i('one_1', [1]),
        i('last_1', [POSITIONS - 1]),
        i('big_1', [POSITIONS]),
        i('zero_i', [0], []),
        i('axis_0', [0]),
        i('axis_1', [1]),
        f('zero_f1', [0]),
        f('one_f', [1], []),
        f('hundred', [100], []),
        f('active_below', [ACTIVE_BELOW_MAX], []),
        f('quiet_above', [QUIET_ABOVE], []),
        f('loud_above', [LOUD_ABOVE], []),
        f('stretch_numbers', Array.from({ length: K }, (_, k) => k + 1), [K, 1]),
        f('hidden_pad', new Array(POSITIONS - 3 * K - 2).fill(0)),
      ],
      input: [valueInfo('input_features', DT.FLOAT, [1, MELS, FRAMES])],
      output: [valueInfo('last_hidden_state', DT.FLOAT, [1, POSITIONS, 2])],
    },
    { producer: 'moodlens-fixture', modelVersion: 1, doc: 'Tiny Whisper-shaped encoder (test fixture): finds stretches of sound. Not a real model.' },
  );
}

/**
 * The merged decoder: input_ids [1, n], encoder_hidden_states [1, 1500, 2], the key/value cache of
 * its one layer, use_cache_branch -> logits [1, n, vocab] and the cache's next state. Each row's
 * token is looked up from its position (the cache's length + the row), see the file's head.
 */
function decoderGraph(v) {
  const K = MAX_STRETCHES;
  const L = SCRIPT_WORDS + 2; // start timestamp, the words, end timestamp
  const scripts = SCRIPTS.map((s) => scriptTokens(s.text).map((t) => v.vocab.get(t)));
  const languageOf = SCRIPTS.map((s) => v.id[`<|${s.language}|>`]);
  const n = [];
  const cast = (input, output, to) => withAttrs(node('Cast', [input], [output], output), [int('to', to)]);
  // What the encoder found (channel 0 of the hidden states).
  n.push(node('Gather', ['encoder_hidden_states', 'zero_s'], ['states'], 'states', [['axis', 0]]));
  n.push(node('Gather', ['states', 'zero_s'], ['found_f'], 'found_f', [['axis', 1]]));
  n.push(cast('found_f', 'found', DT.INT64));
  n.push(node('Slice', ['found', 'k0', 'k1'], ['start_at'], 'start_at'));
  n.push(node('Slice', ['found', 'k1', 'k2'], ['end_at'], 'end_at'));
  n.push(node('Slice', ['found', 'k2', 'k3'], ['stretch_class'], 'stretch_class'));
  n.push(node('Gather', ['found', 'k3_s'], ['count'], 'count', [['axis', 0]]));
  n.push(node('Gather', ['found', 'k3p1_s'], ['window_class'], 'window_class', [['axis', 0]]));
  // Each row's position p = cache length + row; g = p - 2 counts the tokens generated after
  // <|startoftranscript|> <|lang|> <|transcribe|>; stretch k = g / L, place j = g mod L.
  n.push(withAttrs(node('Shape', ['past_key_values.0.decoder.key'], ['past_dims'], 'past_dims'), []));
  n.push(node('Gather', ['past_dims', 'two_s'], ['past_len'], 'past_len', [['axis', 0]]));
  n.push(withAttrs(node('Shape', ['input_ids'], ['ids_dims'], 'ids_dims'), []));
  n.push(node('Gather', ['ids_dims', 'one_s'], ['rows'], 'rows', [['axis', 0]]));
  n.push(node('Add', ['past_len', 'rows'], ['total_len'], 'total_len'));
  n.push(node('Range', ['past_len', 'total_len', 'one_s'], ['position'], 'position'));
  n.push(node('Sub', ['position', 'two_s'], ['generated_raw'], 'generated_raw'));
  n.push(node('Max', ['generated_raw', 'zero_s'], ['generated'], 'generated'));
  n.push(node('Div', ['generated', 'L_s'], ['stretch_raw'], 'stretch_raw'));
  n.push(node('Mod', ['generated', 'L_s'], ['place'], 'place'));
  n.push(node('Min', ['stretch_raw', 'last_k_s'], ['stretch'], 'stretch'));
  n.push(node('Gather', ['start_at', 'stretch'], ['start_pos'], 'start_pos', [['axis', 0]]));
  n.push(node('Gather', ['end_at', 'stretch'], ['end_pos'], 'end_pos', [['axis', 0]]));
  n.push(node('Add', ['start_pos', 'ts_begin_s'], ['start_token'], 'start_token'));
  n.push(node('Add', ['end_pos', 'ts_begin_s'], ['end_token'], 'end_token'));
  n.push(node('Gather', ['stretch_class', 'stretch'], ['row_class'], 'row_class', [['axis', 0]]));
  n.push(node('Mul', ['row_class', 'words_s'], ['script_at'], 'script_at'));
  n.push(node('Sub', ['place', 'one_s'], ['word_raw'], 'word_raw'));
  n.push(node('Max', ['word_raw', 'zero_s'], ['word_lo'], 'word_lo'));
  n.push(node('Min', ['word_lo', 'last_word_s'], ['word'], 'word'));
  n.push(node('Add', ['script_at', 'word'], ['word_at'], 'word_at'));
  n.push(node('Gather', ['script_tokens', 'word_at'], ['word_token'], 'word_token', [['axis', 0]]));
  // Choose: a word, else the stretch's start or end, else the end of text past the last stretch.
  n.push(node('Equal', ['place', 'zero_s'], ['at_start'], 'at_start'));
  n.push(node('Equal', ['place', 'last_place_s'], ['at_end'], 'at_end'));
  n.push(node('Where', ['at_end', 'end_token', 'word_token'], ['token_a'], 'token_a'));
  n.push(node('Where', ['at_start', 'start_token', 'token_a'], ['token_b'], 'token_b'));
  n.push(node('GreaterOrEqual', ['stretch_raw', 'count'], ['past_last'], 'past_last'));
  n.push(node('Where', ['past_last', 'eot_s', 'token_b'], ['token_c'], 'token_c'));
  // No stretch at all: one timestamp (the rules ask for one first), then the end of text.
  n.push(node('Equal', ['count', 'zero_s'], ['silent'], 'silent'));
  n.push(node('Equal', ['generated_raw', 'zero_s'], ['first'], 'first'));
  n.push(node('And', ['silent', 'first'], ['silent_first'], 'silent_first'));
  n.push(node('Where', ['silent_first', 'ts_begin_s', 'token_c'], ['token_d'], 'token_d'));
  // Before generation: row 0 answers the language, row 1 the task.
  n.push(node('Gather', ['languages', 'window_class'], ['language'], 'language', [['axis', 0]]));
  n.push(node('Equal', ['position', 'one_s'], ['at_task'], 'at_task'));
  n.push(node('Where', ['at_task', 'transcribe_s', 'token_d'], ['token_e'], 'token_e'));
  n.push(node('Equal', ['position', 'zero_s'], ['at_language'], 'at_language'));
  n.push(node('Where', ['at_language', 'language', 'token_e'], ['token'], 'token'));
  n.push(withAttrs(node('OneHot', ['token', 'vocab_size', 'logit_values'], ['row_logits'], 'row_logits'), [int('axis', -1)]));
  n.push(node('Unsqueeze', ['row_logits', 'axis_0'], ['logits'], 'logits'));
  // The cache grows by one zero entry per row; the encoder's part is a constant.
  n.push(withAttrs(node('Shape', ['input_ids'], ['rows_1'], 'rows_1'), [int('start', 1), int('end', 2)]));
  n.push(node('Concat', ['one_1', 'one_1', 'rows_1', 'two_1'], ['new_kv_shape'], 'new_kv_shape', [['axis', 0]]));
  n.push(node('Expand', ['kv_zero', 'new_kv_shape'], ['new_kv'], 'new_kv'));
  for (const part of ['key', 'value']) {
    n.push(node('Concat', [`past_key_values.0.decoder.${part}`, 'new_kv'], [`present.0.decoder.${part}`], `present_decoder_${part}`, [['axis', 2]]));
    n.push(node('Identity', ['kv_zero'], [`present.0.encoder.${part}`], `present_encoder_${part}`));
  }

  const i = (name, values, dims = [values.length]) => tensor(name, DT.INT64, dims, i64Bytes(values));
  const s = (name, value) => i(name, [value], []);
  const kv = (name, seq) => valueInfo(name, DT.FLOAT, ['batch_size', 1, seq, 2]);
  return encodeGraph(
    {
      name: 'moodlens_tiny_whisper_decoder',
      node: n,
      initializer: [
        i('k0', [0]), i('k1', [K]), i('k2', [2 * K]), i('k3', [3 * K]),
        s('k3_s', 3 * K), s('k3p1_s', 3 * K + 1),
        s('zero_s', 0), s('one_s', 1), s('two_s', 2), s('L_s', L), s('last_k_s', K - 1),
        s('words_s', SCRIPT_WORDS), s('last_word_s', SCRIPT_WORDS - 1), s('last_place_s', L - 1),
        s('ts_begin_s', v.timestampBegin), s('eot_s', v.id['<|endoftext|>']), s('transcribe_s', v.id['<|transcribe|>']),
        s('vocab_size', v.size),
        i('axis_0', [0]), i('one_1', [1]), i('two_1', [2]),
        i('script_tokens', scripts.flat()),
        i('languages', languageOf),
        tensor('logit_values', DT.FLOAT, [2], f32Bytes([0, 20])),
        tensor('kv_zero', DT.FLOAT, [1, 1, 1, 2], f32Bytes([0, 0])),
      ],
      input: [
        valueInfo('input_ids', DT.INT64, ['batch_size', 'decoder_sequence_length']),
        valueInfo('encoder_hidden_states', DT.FLOAT, ['batch_size', 'encoder_sequence_length', 2]),
        kv('past_key_values.0.decoder.key', 'past_decoder_sequence_length'),
        kv('past_key_values.0.decoder.value', 'past_decoder_sequence_length'),
        kv('past_key_values.0.encoder.key', 'encoder_sequence_length_out'),
        kv('past_key_values.0.encoder.value', 'encoder_sequence_length_out'),
        valueInfo('use_cache_branch', DT.BOOL, [1]),
      ],
      output: [
        valueInfo('logits', DT.FLOAT, ['batch_size', 'decoder_sequence_length', v.size]),
        kv('present.0.decoder.key', 'present_decoder_sequence_length'),
        kv('present.0.decoder.value', 'present_decoder_sequence_length'),
        kv('present.0.encoder.key', 'encoder_sequence_length_out'),
        kv('present.0.encoder.value', 'encoder_sequence_length_out'),
      ],
    },
    { producer: 'moodlens-fixture', modelVersion: 1, doc: 'Tiny Whisper-shaped merged decoder (test fixture): a lookup table. Not a real model.' },
  );
}

/**
 * The JSON files of a Whisper model in the hub layout, for the vocabulary `v` (whisperTokens),
 * `shape` (config.json's sizes) and the tokenizer's BPE `merges`.
 */
export function whisperJsonFiles(v, { modelId, shape, merges = [] }) {
  const eot = v.id['<|endoftext|>'];
  const sot = v.id['<|startoftranscript|>'];
  const json = (value) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  const config = {
    _name_or_path: modelId,
    architectures: ['WhisperForConditionalGeneration'],
    model_type: 'whisper',
    is_encoder_decoder: true,
    ...shape,
    num_mel_bins: MELS,
    max_source_positions: POSITIONS,
    max_target_positions: 448,
    vocab_size: v.size,
    bos_token_id: eot,
    eos_token_id: eot,
    pad_token_id: eot,
    decoder_start_token_id: sot,
    median_filter_width: 7,
    transformers_version: '4.46.0',
  };
  const generation = {
    alignment_heads: [[0, 0]],
    begin_suppress_tokens: [],
    bos_token_id: eot,
    decoder_start_token_id: sot,
    eos_token_id: eot,
    pad_token_id: eot,
    is_multilingual: true,
    lang_to_id: Object.fromEntries(LANGUAGES.map((l) => [`<|${l}|>`, v.id[`<|${l}|>`]])),
    task_to_id: { transcribe: v.id['<|transcribe|>'], translate: v.id['<|translate|>'] },
    max_initial_timestamp_index: 50,
    max_length: 448,
    no_timestamps_token_id: v.id['<|notimestamps|>'],
    prev_sot_token_id: v.id['<|startofprev|>'],
    return_timestamps: false,
    suppress_tokens: [],
    transformers_version: '4.46.0',
  };
  const preprocessor = {
    chunk_length: 30,
    feature_extractor_type: 'WhisperFeatureExtractor',
    feature_size: MELS,
    hop_length: 160,
    n_fft: 400,
    n_samples: 480000,
    nb_max_frames: FRAMES,
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    sampling_rate: 16000,
  };
  const addedToken = (t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: !/^<\|\d/.test(t.content) });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: v.added.map(addedToken),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: Object.fromEntries(v.vocab), merges },
  };
  const tokenizerConfig = {
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    clean_up_tokenization_spaces: true,
    eos_token: '<|endoftext|>',
    errors: 'replace',
    model_max_length: 1024,
    pad_token: '<|endoftext|>',
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    tokenizer_class: 'WhisperTokenizer',
    unk_token: '<|endoftext|>',
  };
  return new Map([
    ['config.json', json(config)],
    ['generation_config.json', json(generation)],
    ['preprocessor_config.json', json(preprocessor)],
    ['tokenizer.json', Buffer.from(`${JSON.stringify(tokenizer)}\n`)],
    ['tokenizer_config.json', json(tokenizerConfig)],
  ]);
}

/** The model's files, by path in the hub layout. */
export function whisperModelFiles() {
  const v = whisperVocab();
  const encoder = encoderGraph();
  const decoder = decoderGraph(v);
  return new Map([
    ...whisperJsonFiles(v, { modelId: WHISPER_MODEL_ID, shape: { d_model: 2, encoder_layers: 1, encoder_attention_heads: 1, decoder_layers: 1, decoder_attention_heads: 1 } }),
    ['onnx/encoder_model.onnx', encoder],
    ['onnx/encoder_model_quantized.onnx', encoder],
    ['onnx/decoder_model_merged.onnx', decoder],
    ['onnx/decoder_model_merged_quantized.onnx', decoder],
  ]);
}
