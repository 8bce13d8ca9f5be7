// Which of a provider's models can read a picture, and which to pick when the user left the
// Vision model empty. Providers list every model they serve (text, audio, image); some entries say
// what they take (`input_modalities`), others only have an id. Nothing here hinges on one id or on
// the provider's name: declared modalities first, then the shapes of ids that vision models have
// had, and a model known not to take images is never picked. Pure.

/** One model of the provider's list. */
export interface ListedModel {
  readonly id: string;
  readonly ownedBy: string;
  /** What the model takes, when the list says (e.g. ["text", "image"]); null when it does not. */
  readonly inputModalities: readonly string[] | null;
  readonly contextWindow: number | null;
  /** The largest output budget the provider allows for this model, when listed. */
  readonly maxCompletionTokens: number | null;
}

/**
 * Ids of vision model families, best first: used to order the models that take pictures, and to
 * recognize them when the list does not say what a model takes. Within a family, newer first.
 */
const VISION_ID_PATTERNS: readonly RegExp[] = [
  /qwen[-_/ ]?3\.[5-9]|qwen[-_/ ]?[4-9](\.\d+)?[-_ ]/iu,
  /llama[-_ ]?4[-_ :]?(scout|maverick)/iu,
  /qwen[-_/ ]?\d+(\.\d+)?[-_ ]?vl/iu,
  /gemma[-_ ]?3(?!n)|gemma[-_ ]?4/iu,
  /gpt[-_ ]?4o|gpt[-_ ]?4\.1|gpt[-_ ]?5/iu,
  /gemini|claude/iu,
  /mistral[-_ ]?(small|medium)[-_ ]?3|pixtral/iu,
  /llama[-_ ]?3\.2[-_ ]?\d*b?[-_ ]?vision/iu,
  /\bvision\b/iu,
  /[-_/]vl[-_:]|[-_]vl$/iu,
  /llava|bakllava|moondream|minicpm[-_]?v|internvl|idefics|cogvlm|molmo/iu,
];

/** Ids of models that certainly take no picture (speech, embeddings, guards, text-only lines). */
const NOT_VISION_ID = /whisper|tts|speech|audio|embed|guard|rerank|moderation|playai|orpheus|distil|compound|instant|versatile|coder/iu;

/**
 * True when the model takes pictures, false when it does not, null when nothing says. Declared
 * modalities decide; otherwise the id.
 */
export function takesImages(model: ListedModel): boolean | null {
  if (model.inputModalities) return model.inputModalities.some((m) => m.toLowerCase() === 'image');
  if (NOT_VISION_ID.test(model.id)) return false;
  return VISION_ID_PATTERNS.some((p) => p.test(model.id)) ? true : null;
}

/** How much an id looks like a current vision model: lower is better (its pattern's index). */
function idRank(id: string): number {
  const i = VISION_ID_PATTERNS.findIndex((p) => p.test(id));
  return i === -1 ? VISION_ID_PATTERNS.length : i;
}

/** A number from a version-like part of the id ("qwen3.8" -> 3.8), for newer-first order. */
function versionOf(id: string): number {
  const m = id.match(/(\d+(?:\.\d+)?)/u);
  return m ? Number(m[1]) : 0;
}

/**
 * The list ordered for the picker: models that take pictures first (declared before guessed,
 * then by how well the id matches, newer versions first), then the unknown ones, then those that
 * take none.
 */
export function orderForPictures(models: readonly ListedModel[]): ListedModel[] {
  const group = (m: ListedModel) => {
    const t = takesImages(m);
    return t === true ? (m.inputModalities ? 0 : 1) : t === null ? 2 : 3;
  };
  return [...models].sort(
    (a, b) =>
      group(a) - group(b) ||
      idRank(a.id) - idRank(b.id) ||
      versionOf(b.id) - versionOf(a.id) ||
      (b.contextWindow ?? 0) - (a.contextWindow ?? 0) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * The model to use when the user left the Vision model empty: the best that takes pictures, or
 * null when the list has none (never a model that takes no pictures, nor one nothing is known of).
 * Retired ids can be left out with `except`.
 */
export function pickImageModel(models: readonly ListedModel[], except: ReadonlySet<string> = new Set()): ListedModel | null {
  return orderForPictures(models.filter((m) => !except.has(m.id))).find((m) => takesImages(m) === true) ?? null;
}

/** A model id that names Llama 4 Scout, whatever the provider's spelling. */
export function isScout(modelId: string): boolean {
  return /llama[-_ ]?4[-_ :]?scout/iu.test(modelId);
}
