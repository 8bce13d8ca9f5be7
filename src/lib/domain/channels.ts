// The channels an analysis can have, named once: the text (on the device) and the picture (the
// vision provider). Issue 14 adds the faces on the device; everything that loops over channels
// (runs, fusion, History) takes its list from here.

/** A channel of an analysis. */
export type ChannelId = 'text' | 'vision';

/** In the order they are shown. */
export const CHANNEL_IDS: readonly ChannelId[] = ['text', 'vision'];

/** Words for a channel in sentences ("the text", "the picture"). */
export const CHANNEL_NOUNS: Readonly<Record<ChannelId, string>> = { text: 'text', vision: 'picture' };
