#!/usr/bin/env node
// Test fixtures of the voice channel (issue 30), made by this script and committed:
//
// 1. A TINY speech-emotion ("tone") model with the file layout and signature of the
//    transformers.js export of `Dpngtm/wav2vec2-emotion-recognition`
//    (onnx-community/wav2vec2-emotion-recognition-ONNX), so tests run the REAL
//    `audio-classification` pipeline offline:
//      tests/fixtures/model/moodlens/tiny-tone/
//        config.json              Wav2Vec2ForSequenceClassification, its 8 labels
//        preprocessor_config.json Wav2Vec2FeatureExtractor, 16 kHz, no normalisation
//        onnx/model.onnx          fp32 (dtype 'fp32')
//        onnx/model_quantized.onnx  the same graph (dtype 'q8'; nothing to quantise)
//    The "model" reads loudness only: logits = W * (log(mean(x^2) + 1e-8) - log(0.005)) + b, so a
//    segment at an everyday speaking level reads neutral, a louder one happy (then angry), a
//    quieter one sad (then calm). Deterministic, and not a real model.
//
// 2. Speech made with Debian's espeak-ng, sox and ffmpeg (only when asked: `--audio`; the WAVs are
//    committed, so tests and CI need neither tool):
//      tests/fixtures/audio/two-sentences.wav   16 kHz mono, 0.5 s silence, a happy sentence said
//                                               loud, 1.5 s silence, a sad sentence said quietly,
//                                               0.5 s silence (the tone fixture reads loudness)
//      tests/fixtures/audio/two-sentences.ogg   the same as Ogg/Opus, 48 kHz stereo (decoding a
//                                               compressed file and resampling it to 16 kHz mono
//                                               are tested on it; needs Debian's ffmpeg)
//
//   node scripts/make-voice-fixtures.mjs           -> the tone model
//   node scripts/make-voice-fixtures.mjs --audio   -> the tone model and the WAVs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WHISPER_MODEL_ID, whisperModelFiles } from './make-whisper-fixture.mjs';
import { ATTR, DT, encodeGraph, f32Bytes, onnxNode as node, tensor, valueInfo } from './lib/onnx-proto.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TONE_MODEL_ID = 'moodlens/tiny-tone';
export const TONE_DIR = path.resolve(HERE, '..', 'tests', 'fixtures', 'model', ...TONE_MODEL_ID.split('/'));
export const WHISPER_DIR = path.resolve(HERE, '..', 'tests', 'fixtures', 'model', ...WHISPER_MODEL_ID.split('/'));
export const AUDIO_DIR = path.resolve(HERE, '..', 'tests', 'fixtures', 'audio');

/** The labels of Dpngtm/wav2vec2-emotion-recognition, in its order. */
export const TONE_LABELS = ['angry', 'calm', 'disgust', 'fearful', 'happy', 'neutral', 'sad', 'surprised'];
/** How each label follows loudness (log energy above an everyday level). */
const LOUDNESS_WEIGHT = { angry: 0.8, calm: -0.6, disgust: 0, fearful: 0, happy: 1, neutral: 0, sad: -1.2, surprised: 0 };
/** At the everyday level: neutral first, the others behind. */
const BIAS = { angry: -0.6, calm: -0.2, disgust: -1, fearful: -1, happy: 0.1, neutral: 0.5, sad: -0.2, surprised: -1 };
/** log(0.005): the mean square of speech at about -23 dBFS RMS. */
const EVERYDAY_LOG_ENERGY = Math.log(0.005);


/** The tone graph: input_values [batch, samples] -> logits [batch, 8]. */
export function toneGraph() {
  const n = TONE_LABELS.length;
  const weight = TONE_LABELS.map((l) => LOUDNESS_WEIGHT[l]);
  const bias = TONE_LABELS.map((l, i) => BIAS[l] - weight[i] * EVERYDAY_LOG_ENERGY);
  return encodeGraph(
    {
      name: 'moodlens_tiny_tone',
      node: [
        node('Mul', ['input_values', 'input_values'], ['squares'], 'Mul_square'),
        // Opset 17: the axes are an attribute (an input from opset 18).
        { ...node('ReduceMean', ['squares'], ['energy'], 'ReduceMean_time'), attribute: [{ name: 'axes', type: ATTR.INTS, ints: [1] }, { name: 'keepdims', type: ATTR.INT, i: 1 }] },
        node('Add', ['energy', 'epsilon'], ['energy_eps'], 'Add_epsilon'),
        node('Log', ['energy_eps'], ['log_energy'], 'Log_energy'),
        node('MatMul', ['log_energy', 'classifier.weight'], ['weighted'], 'MatMul_classifier'),
        node('Add', ['weighted', 'classifier.bias'], ['logits'], 'Add_bias'),
      ],
      initializer: [
        tensor('epsilon', DT.FLOAT, [], f32Bytes([1e-8])),
        tensor('classifier.weight', DT.FLOAT, [1, n], f32Bytes(weight)),
        tensor('classifier.bias', DT.FLOAT, [n], f32Bytes(bias)),
      ],
      input: [valueInfo('input_values', DT.FLOAT, ['batch_size', 'sequence_length'])],
      output: [valueInfo('logits', DT.FLOAT, ['batch_size', n])],
    },
    { producer: 'moodlens-fixture', modelVersion: 1, doc: 'Tiny loudness-only speech emotion classifier (test fixture). Not a real model.' },
  );
}

/** The tone model's files, by path in the hub layout. */
export function toneModelFiles() {
  const id2label = Object.fromEntries(TONE_LABELS.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(TONE_LABELS.map((l, i) => [l, i]));
  const config = {
    _name_or_path: TONE_MODEL_ID,
    architectures: ['Wav2Vec2ForSequenceClassification'],
    model_type: 'wav2vec2',
    id2label,
    label2id,
    num_labels: TONE_LABELS.length,
    problem_type: 'single_label_classification',
    transformers_version: '4.46.0',
  };
  const preprocessor = {
    do_normalize: false,
    feature_extractor_type: 'Wav2Vec2FeatureExtractor',
    feature_size: 1,
    padding_side: 'right',
    padding_value: 0,
    return_attention_mask: false,
    sampling_rate: 16000,
  };
  const graph = toneGraph();
  const json = (value) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  return new Map([
    ['config.json', json(config)],
    ['preprocessor_config.json', json(preprocessor)],
    ['onnx/model.onnx', graph],
    ['onnx/model_quantized.onnx', graph],
  ]);
}

function writeFiles(dir, files) {
  for (const [rel, data] of files) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
  }
}

/** The WAVs, from espeak-ng and sox (Debian's `espeak-ng` and `sox` packages). */
function makeAudio() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moodlens-voice-'));
  const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const say = (name, text, volume) => {
      run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', path.join(tmp, `${name}-raw.wav`), text]);
      run('sox', [path.join(tmp, `${name}-raw.wav`), '-r', '16000', '-c', '1', '-b', '16', path.join(tmp, `${name}.wav`), 'vol', String(volume)]);
    };
    say('happy', 'I am so happy today, everything went well.', 1.3);
    say('sad', 'This is terrible news. I feel very sad.', 0.3);
    const silence = (name, seconds) => run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', path.join(tmp, `${name}.wav`), 'trim', '0', String(seconds)]);
    silence('lead', 0.5);
    silence('pause', 1.5);
    fs.mkdirSync(AUDIO_DIR, { recursive: true });
    const out = path.join(AUDIO_DIR, 'two-sentences.wav');
    run('sox', [...['lead', 'happy', 'pause', 'sad', 'lead'].map((n) => path.join(tmp, `${n}.wav`)), out]);
    run('ffmpeg', ['-v', 'error', '-y', '-i', out, '-ac', '2', '-ar', '48000', '-c:a', 'libopus', '-b:a', '48k', '-map_metadata', '-1', '-fflags', '+bitexact', path.join(AUDIO_DIR, 'two-sentences.ogg')]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(argv) {
  writeFiles(TONE_DIR, toneModelFiles());
  console.log(`wrote ${path.relative(process.cwd(), TONE_DIR)}`);
  writeFiles(WHISPER_DIR, whisperModelFiles());
  console.log(`wrote ${path.relative(process.cwd(), WHISPER_DIR)}`);
  if (argv.includes('--audio')) {
    makeAudio();
    console.log(`wrote ${path.relative(process.cwd(), AUDIO_DIR)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
