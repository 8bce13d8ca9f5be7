// What was said, in one window of at most 30 s, with a Whisper model loaded by transformers.js's
// `automatic-speech-recognition` pipeline: its feature extractor, its encoder run ONCE per window,
// then two uses of that encoding:
// 1. the language: one decoder step after <|startoftranscript|>, the most likely language token
//    (transformers.js 4.3 does not detect it: it assumes English);
// 2. the words: greedy decoding with timestamps (<|sot|> <|lang|> <|transcribe|>), read back into
//    timed pieces of text (speech.ts).
// The pipeline's own call is not used: it would encode the window again for each of the two, and
// it has no language detection. Used by the voice worker and by the Node tests.
import { InterruptableStoppingCriteria, StoppingCriteriaList, Tensor, type AutomaticSpeechRecognitionPipeline } from '@huggingface/transformers';
import { timedTexts, type TimedText } from './speech';

/** One window's transcript. */
export interface WindowTranscript {
  /** The language detected (ISO 639-1 as Whisper writes it: en, de, ...), or null for an English-only model. */
  readonly language: string | null;
  readonly pieces: readonly TimedText[];
  /** Where the time went: features and encoder, the language step, the decoding; and the tokens said. */
  readonly cost: { readonly encodeMs: number; readonly languageMs: number; readonly decodeMs: number; readonly tokens: number };
}

/** A loaded speech-recognition model. */
export interface SpeechModel {
  readonly modelId: string;
  /** Reads one window of 16 kHz mono sound (at most 30 s). */
  transcribe(samples: Float32Array, signal?: AbortSignal): Promise<WindowTranscript>;
  dispose(): Promise<void>;
}

/** The parts of a Whisper generation config this reader uses. */
interface WhisperGeneration {
  readonly decoder_start_token_id: number;
  readonly no_timestamps_token_id: number;
  readonly is_multilingual?: boolean | null;
  readonly lang_to_id?: Readonly<Record<string, number>> | null;
  readonly task_to_id?: Readonly<Record<string, number>> | null;
  readonly max_length?: number | null;
}

/** What of the model's (version-pinned) internals the reader reaches, typed here once. */
interface WhisperModelInternals {
  forward_params: string[];
  readonly generation_config: WhisperGeneration | null;
  readonly config: { readonly model_type?: string; readonly max_target_positions?: number };
  _prepare_encoder_decoder_kwargs_for_generation(args: {
    inputs_tensor: Tensor;
    model_inputs: Record<string, Tensor>;
    model_input_name: string;
    generation_config: { guidance_scale: number | null };
  }): Promise<{ encoder_outputs: Tensor }>;
  (inputs: Record<string, Tensor>): Promise<{ logits: Tensor }>;
  generate(options: Record<string, unknown>): Promise<Tensor>;
}

/** Reads windows with `pipe`, a loaded Whisper `automatic-speech-recognition` pipeline. */
export function whisperReader(pipe: AutomaticSpeechRecognitionPipeline, modelId: string): SpeechModel {
  const model = pipe.model as unknown as WhisperModelInternals;
  if (model.config.model_type !== 'whisper' && model.config.model_type !== 'lite-whisper') {
    throw new Error(`${modelId} is a ${model.config.model_type ?? 'unknown'} model; the voice channel reads speech with Whisper models (model_type whisper).`);
  }
  const generation = model.generation_config;
  if (!generation || typeof generation.decoder_start_token_id !== 'number' || typeof generation.no_timestamps_token_id !== 'number') {
    throw new Error(`${modelId} has no generation_config.json with Whisper's start and timestamp tokens.`);
  }
  const sot = generation.decoder_start_token_id;
  const timestampBegin = generation.no_timestamps_token_id + 1;
  const languages = generation.is_multilingual ? Object.entries(generation.lang_to_id ?? {}) : [];
  const transcribeId = generation.task_to_id?.transcribe ?? null;
  if (generation.is_multilingual && (languages.length === 0 || transcribeId === null)) {
    throw new Error(`${modelId} is multilingual but its generation_config.json lacks lang_to_id or task_to_id.`);
  }
  const maxLength = model.config.max_target_positions ?? generation.max_length ?? 448;
  // generate() keeps only the inputs it knows: let it take the window's encoding as computed once.
  if (!model.forward_params.includes('encoder_outputs')) model.forward_params = [...model.forward_params, 'encoder_outputs'];
  const decode = (ids: number[]) => pipe.tokenizer.decode(ids, { skip_special_tokens: true });

  return {
    modelId,
    async transcribe(samples, signal) {
      const started = performance.now();
      const features = ((await pipe.processor(samples)) as { input_features: Tensor }).input_features;
      const { encoder_outputs } = await model._prepare_encoder_decoder_kwargs_for_generation({
        inputs_tensor: features,
        model_inputs: { input_features: features },
        model_input_name: 'input_features',
        generation_config: { guidance_scale: null },
      });
      signal?.throwIfAborted();
      const encoded = performance.now();
      let language: string | null = null;
      const prompt = [sot];
      if (languages.length > 0) {
        const { logits } = await model({ input_features: features, encoder_outputs, decoder_input_ids: new Tensor('int64', BigInt64Array.of(BigInt(sot)), [1, 1]) });
        const row = logits.data as Float32Array;
        const last = row.length - logits.dims.at(-1)!;
        let best = languages[0]!;
        for (const entry of languages) if (row[last + entry[1]]! > row[last + best[1]]!) best = entry;
        language = best[0].replace(/^<\|(.*)\|>$/, '$1');
        prompt.push(best[1], transcribeId!);
      }
      signal?.throwIfAborted();
      const detected = performance.now();
      const stop = new InterruptableStoppingCriteria();
      const onAbort = () => stop.interrupt();
      signal?.addEventListener('abort', onAbort);
      const criteria = new StoppingCriteriaList();
      criteria.push(stop);
      try {
        const output = await model.generate({
          inputs: features,
          encoder_outputs,
          decoder_input_ids: prompt,
          return_timestamps: true,
          // Set, so transformers.js decodes the window in one pass (no second encoding of a rest).
          max_new_tokens: maxLength - prompt.length,
          stopping_criteria: criteria,
        });
        signal?.throwIfAborted();
        const tokens = (output.tolist() as bigint[][])[0]!.map(Number).slice(prompt.length);
        const cost = { encodeMs: encoded - started, languageMs: detected - encoded, decodeMs: performance.now() - detected, tokens: tokens.length };
        return { language, pieces: timedTexts(tokens, timestampBegin, decode), cost };
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    dispose: () => pipe.dispose(),
  };
}
