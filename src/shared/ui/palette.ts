// One stable color per emotion, used by every chart and legend in the app.
import type { Emotion } from '../emotions';

/** Colors chosen to stay distinguishable on light and dark backgrounds. */
export const EMOTION_COLORS: Readonly<Record<Emotion, string>> = {
  anger: '#d64541',
  disgust: '#6f9a1b',
  fear: '#8b5cc7',
  joy: '#e8a800',
  neutral: '#8a8f98',
  sadness: '#3a78d0',
  surprise: '#e5731b',
};

/** One stable color per channel, used wherever channels are compared. */
export const CHANNEL_COLORS = {
  text: '#5b5fe0',
  face: '#c2612b',
  vision: '#12a594',
  voice: '#8a5cc7',
  fused: '#d0409b',
} as const;

/** Text and grid line colors for a chart on a dark or a light page. */
export function chartInk(dark: boolean): { readonly ink: string; readonly grid: string } {
  return { ink: dark ? '#d7dae0' : '#3d4149', grid: dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.08)' };
}
