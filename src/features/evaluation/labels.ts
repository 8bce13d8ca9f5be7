// The user's own labels: which column holds them, and what each value means. Values are
// matched to the seven emotions by the synonym table the vision reply parser uses (case and
// punctuation ignored: "Happiness", "angry", " SAD "); a value it does not know is left for the
// user to map or ignore, never guessed. Rows without a usable label are counted, not evaluated.
import { EMOTIONS, type Emotion } from '../../shared/emotions';
import { emotionOfLabel } from '../../shared/emotion-labels';
import type { Table } from '../batch/rows';

/** What the user said a label value means: an emotion, or to leave its rows out. */
export type LabelChoice = Emotion | 'ignore';

/** The user's choices, by normalized value (see `labelKey`). */
export type LabelMap = Readonly<Record<string, LabelChoice>>;

/** How one value of the label column was read. */
export type LabelSource = 'auto' | 'user' | 'unmapped';

/** A label value as the mapping shows it: its rows, and what it counts as. */
export interface LabelValue {
  /** The value as first seen in the file (trimmed). */
  readonly value: string;
  readonly key: string;
  readonly rows: number;
  /** The emotion it counts as, or null (unmapped, or ignored by the user). */
  readonly emotion: Emotion | null;
  readonly source: LabelSource;
}

/** The key a value is looked up by: trimmed, lower case, inner spaces collapsed. */
export function labelKey(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/gu, ' ');
}

/**
 * What a label cell counts as: an emotion; 'empty' (no label); 'ignored' (the user left the value
 * out); 'unmapped' (a value neither the synonym table nor the user maps).
 */
export function readLabel(cell: string | undefined, map: LabelMap): Emotion | 'empty' | 'ignored' | 'unmapped' {
  const key = labelKey(cell ?? '');
  if (key === '') return 'empty';
  const chosen = map[key];
  if (chosen === 'ignore') return 'ignored';
  if (chosen) return chosen;
  return emotionOfLabel(key) ?? 'unmapped';
}

const LABEL_NAME = /^(?:labels?|emotions?|gold(?:[ _-]?labels?)?|true[ _-]?(?:labels?|emotions?)|targets?|class(?:es)?|categor(?:y|ies)|moods?|feelings?|annotations?|y)$/iu;

/**
 * The column that probably holds labels, or null: one named like it (label, emotion, gold,
 * target, class...) or, failing that, one whose values are nearly all emotion names; never a
 * column already used for the text, id or picture.
 */
export function guessLabelColumn(table: Table, taken: readonly (number | null)[]): number | null {
  const free = table.header.map((_, i) => i).filter((i) => !taken.includes(i));
  const named = free.find((i) => LABEL_NAME.test((table.header[i] ?? '').trim()));
  if (named !== undefined) return named;
  const mapped = free.find((i) => {
    const values = table.rows.map((r) => labelKey(r[i] ?? '')).filter((v) => v !== '');
    return values.length >= 3 && values.filter((v) => emotionOfLabel(v)).length / values.length >= 0.8;
  });
  return mapped ?? null;
}

/** Counts the values of a label column (the first `limit` distinct ones; the rest are summed). */
export class LabelTally {
  readonly #values = new Map<string, { value: string; rows: number }>();
  #others = 0;

  constructor(readonly limit = 200) {}

  add(cell: string | undefined): void {
    const value = (cell ?? '').trim();
    const key = labelKey(value);
    if (key === '') return;
    const seen = this.#values.get(key);
    if (seen) seen.rows += 1;
    else if (this.#values.size < this.limit) this.#values.set(key, { value, rows: 1 });
    else this.#others += 1;
  }

  /** Rows whose value was past the limit (not listed). */
  get others(): number {
    return this.#others;
  }

  /** Every value listed, most rows first, with what it counts as under `map`. */
  values(map: LabelMap): LabelValue[] {
    return [...this.#values.entries()]
      .map(([key, { value, rows }]): LabelValue => {
        const chosen = map[key];
        if (chosen) return { value, key, rows, emotion: chosen === 'ignore' ? null : chosen, source: 'user' };
        const auto = emotionOfLabel(key);
        return { value, key, rows, emotion: auto ?? null, source: auto ? 'auto' : 'unmapped' };
      })
      .sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key));
  }
}

/** True for a value the map may hold. */
export function isLabelChoice(value: unknown): value is LabelChoice {
  return value === 'ignore' || (typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value));
}
