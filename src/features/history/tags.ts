// Tags on History entries (an account, a campaign, a source): read from what the user typed,
// compared without regard to case, and grouped for the filter and the side-by-side comparison.
// Pure.

/** Tags an entry keeps at most, and the longest tag. */
export const MAX_TAGS = 12;
export const MAX_TAG_LENGTH = 40;

/** A tag as kept: trimmed, inner spaces collapsed, at most MAX_TAG_LENGTH characters. */
export function cleanTag(raw: string): string {
  return [...raw.replace(/\s+/gu, ' ').trim()].slice(0, MAX_TAG_LENGTH).join('').trim();
}

/** How two tags are compared: "Campaign A" and "campaign a" are one tag. */
export function tagKey(tag: string): string {
  return cleanTag(tag).toLocaleLowerCase('und');
}

/**
 * The tags in what the user typed: separated by commas, semicolons or line breaks, cleaned,
 * repeats (in any case) dropped with the first spelling kept, at most MAX_TAGS.
 */
export function parseTags(typed: string): string[] {
  return uniqueTags(typed.split(/[,;\n\r]+/u));
}

/** Cleaned, without empties or repeats (first spelling kept), at most MAX_TAGS. */
export function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = cleanTag(raw);
    const key = tag.toLocaleLowerCase('und');
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
    if (out.length === MAX_TAGS) break;
  }
  return out;
}

/** Tags as the user types them: "campaign a, @account". */
export function formatTags(tags: readonly string[]): string {
  return tags.join(', ');
}

/** True when the two lists are the same tags, spelled and ordered the same (nothing to save). */
export function identicalTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** True when `tags` holds `tag` (ignoring case). */
export function hasTag(tags: readonly string[], tag: string): boolean {
  const key = tagKey(tag);
  return tags.some((t) => tagKey(t) === key);
}

/** One tag in use: its first spelling and how many entries carry it. */
export interface TagCount {
  readonly tag: string;
  readonly count: number;
}

/** Every tag used in `lists`, with its count, most used first, then alphabetically. */
export function countTags(lists: Iterable<readonly string[]>): TagCount[] {
  const counts = new Map<string, { tag: string; count: number }>();
  for (const tags of lists) {
    for (const tag of tags) {
      const key = tagKey(tag);
      const entry = counts.get(key);
      if (entry) entry.count += 1;
      else counts.set(key, { tag, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}
