// The channels an analysis can have, named once: the text (on the device), the faces in the
// picture (on the device), the picture as the vision model reads it (the user's provider) and the
// voice of a recording (its tone, on the device).
// Everything that loops over channels (runs, fusion, weights, History) takes its list from here.

/** A channel of an analysis. */
export type ChannelId = 'text' | 'face' | 'vision' | 'voice';

/** In the order they are shown. */
export const CHANNEL_IDS: readonly ChannelId[] = ['text', 'face', 'vision', 'voice'];

/** Words for a channel in sentences ("the text", "the faces", "the picture", "the voice"). */
export const CHANNEL_NOUNS: Readonly<Record<ChannelId, string>> = { text: 'text', face: 'faces', vision: 'picture', voice: 'voice' };

/** A channel's name as a label ("Text weight", "Faces weight"). */
export const CHANNEL_TITLES: Readonly<Record<ChannelId, string>> = { text: 'Text', face: 'Faces', vision: 'Vision model', voice: 'Voice' };

export function isChannelId(value: unknown): value is ChannelId {
  return CHANNEL_IDS.includes(value as ChannelId);
}

/**
 * How the channels of one answer are named in data attributes and exports: `text`, `vision` and
 * `both` (text and vision) as before the face channel, otherwise the channels joined by `+`
 * (`text+face`, `face`, `text+face+vision`).
 */
export function channelsLabel(present: readonly ChannelId[]): string {
  const set = CHANNEL_IDS.filter((c) => present.includes(c));
  if (set.length === 2 && set[0] === 'text' && set[1] === 'vision') return 'both';
  return set.join('+');
}

/** Weight of each channel in the fused answer, as stored (renormalised over the channels present). */
export type ChannelWeights = Readonly<Record<ChannelId, number>>;

/** Every channel counts the same. */
export const EQUAL_WEIGHTS: ChannelWeights = { text: 0.5, face: 0.5, vision: 0.5, voice: 0.5 };
