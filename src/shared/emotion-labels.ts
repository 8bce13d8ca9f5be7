// The one table of words that name each of the seven emotions ("happy", "Happiness", "calm"),
// used wherever a label comes from outside: a vision model's reply, a label column of a batch, a
// speech-emotion model's own labels (its config's id2label).
import { EMOTIONS, type Emotion } from './emotions';

export const SYNONYMS: Readonly<Record<Emotion, readonly string[]>> = {
  anger: ['anger', 'angry', 'ang', 'rage', 'mad', 'annoyed', 'annoyance', 'irritated', 'irritation', 'furious', 'fury', 'hostile'],
  disgust: ['disgust', 'disgusted', 'revulsion', 'revolted', 'contempt', 'aversion'],
  fear: ['fear', 'fearful', 'afraid', 'scared', 'anxious', 'anxiety', 'worried', 'worry', 'terror', 'terrified', 'nervous'],
  joy: ['joy', 'joyful', 'happy', 'hap', 'happiness', 'amusement', 'amused', 'delight', 'delighted', 'cheerful', 'glad', 'content', 'contentment', 'excitement', 'excited'],
  neutral: ['neutral', 'neu', 'neutrality', 'calm', 'none', 'indifferent', 'expressionless'],
  sadness: ['sadness', 'sad', 'sorrow', 'sorrowful', 'grief', 'unhappy', 'unhappiness', 'melancholy', 'depressed', 'upset'],
  surprise: ['surprise', 'surprised', 'shock', 'shocked', 'astonished', 'astonishment', 'amazed', 'amazement', 'startled'],
};

const LABEL_OF = new Map<string, Emotion>(EMOTIONS.flatMap((e) => SYNONYMS[e].map((s) => [s, e] as const)));

/** The emotion a label names ("Happiness", "angry", " SAD "), or undefined. */
export function emotionOfLabel(label: string): Emotion | undefined {
  return LABEL_OF.get(label.toLowerCase().replace(/[^a-z]/gu, ''));
}
