// What the page says about a text before and beside its result: how many words it has (in any
// script: Chinese and Japanese put no spaces between words), and whether it is probably not
// English, which the emotion model (trained on English) cannot read well. Pure.

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null;

/** Words in `text`, by Unicode word segmentation (so "今日はとても嬉しい" is several words, not one). */
export function countWords(text: string): number {
  if (text.trim() === '') return 0;
  if (!segmenter) return text.trim().split(/\s+/u).length;
  let n = 0;
  // An emoji is read by the model like a word ("😢" alone is analyzed), so it counts as one.
  for (const s of segmenter.segment(text)) if (s.isWordLike || EMOJI.test(s.segment)) n += 1;
  return n;
}

const EMOJI = /\p{Extended_Pictographic}/u;

// Frequent short words that mark a language. English and other Latin-script languages the model
// is most often given instead; a text in, say, Spanish uses several of its own and few English ones.
const ENGLISH = new Set(
  'the a an and or but is are was were be been am i you he she it we they me my your our his her their this that these those to of in on at for with from by not no so just very what when how why do does did have has had will would can could should i\'m it\'s don\'t can\'t feel feeling today really'.split(' '),
);
const OTHER = new Set(
  [
    // Spanish
    'el la los las y o pero es son fue estoy está estoy muy que de en con por para no mi tu su yo me se lo una uno del al como más hoy',
    // French
    'le la les et ou mais est sont suis je tu il elle nous vous ils très que de en avec pour pas ne mon ma mes un une des du au comme aujourd\'hui',
    // German
    'der die das und oder aber ist sind bin ich du er sie wir ihr sehr dass zu mit für nicht kein mein dein ein eine den dem des heute',
    // Italian and Portuguese
    'il lo gli e ma è sono io molto che di con per non mio una uno del oggi o os as eu você muito não com uma um hoje',
  ]
    .join(' ')
    .split(' ')
    .filter((w) => !ENGLISH.has(w)),
);

/** Why a text is probably not English; null when it probably is, or is too short to tell. */
export type LanguageHint = 'other-script' | 'other-language' | null;

/** A guess good enough for a warning, not a language detector. */
export function languageHint(text: string): LanguageHint {
  const letters = [...text].filter((c) => /\p{L}/u.test(c));
  if (letters.length < 4) return null;
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  if (latin / letters.length < 0.5) return 'other-script';
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  if (words.length < 4) return null;
  let english = 0;
  let other = 0;
  for (const w of words) {
    if (ENGLISH.has(w)) english += 1;
    else if (OTHER.has(w)) other += 1;
  }
  return other >= 2 && other > english * 2 ? 'other-language' : null;
}

/** The sentence shown beside a text result for a hint. */
export function describeLanguageHint(hint: Exclude<LanguageHint, null>): string {
  return hint === 'other-script'
    ? 'This text is probably not English. The emotion model was trained on English only, so this result may be wrong.'
    : 'This text looks like it is not in English. The emotion model was trained on English only, so this result may be wrong.';
}
