// Issue 16, the exported report: the JSON holds the figures as computed; the HTML page is
// self-contained (no script to run, nothing to load, a policy forbidding both), escapes every
// string that came from the user's file, and carries the same JSON inside it.
import { describe, expect, it } from 'vitest';
import { EMOTIONS, type Emotion } from '../../src/shared/emotions';
import { reportHtml, reportJson, type ReportContext } from '../../src/features/evaluation/report';
import { evaluate } from '../../src/features/evaluation/evaluation';

const K = EMOTIONS.length;
const at = (top: Emotion, p: number) => EMOTIONS.map((e) => (e === top ? p : (1 - p) / (K - 1)));

function sample() {
  const gold: Emotion[] = ['joy', 'joy', 'anger', 'sadness', 'fear', 'joy'];
  const textTops: Emotion[] = ['joy', 'anger', 'anger', 'sadness', 'joy', 'joy'];
  const faceTops: Emotion[] = ['joy', 'joy', 'sadness', 'sadness', 'fear', 'neutral'];
  const n = gold.length;
  const text = new Float32Array(n * K);
  const face = new Float32Array(n * K);
  const fused = new Float32Array(n * K);
  gold.forEach((_, i) => {
    text.set(at(textTops[i]!, 0.6), i * K);
    face.set(at(faceTops[i]!, 0.8), i * K);
    fused.set(at(textTops[i]!, 0.6).map((v, k) => (v + face[i * K + k]!) / 2), i * K);
  });
  return evaluate({ gold: Int8Array.from(gold.map((g) => EMOTIONS.indexOf(g))), scores: { text, face, fused } }, { resamples: 100 });
}

const context: ReportContext = {
  batch: '<script>alert(1)</script>.csv',
  labelColumn: 'mood"><img src=x onerror=alert(2)>',
  rows: 7,
  labelRows: { labelled: 6, empty: 1, unmapped: 0, ignored: 0 },
  values: [{ value: '<b>happy</b>', key: '<b>happy</b>', rows: 3, emotion: 'joy', source: 'user' }],
  mapping: { '<b>happy</b>': 'joy' },
  models: ['fixture/model', 'faces/model'],
  runTextShare: 0.5,
  created: new Date('2026-12-02T10:00:00Z'),
  app: 'Moodlens',
};

describe('evaluation report files', () => {
  it('the JSON holds every channel, the sweep and the agreement, rounded but equal to the figures', () => {
    const report = sample();
    const json = JSON.parse(JSON.stringify(reportJson(report, context))) as {
      channels: { channel: string; accuracy: number; macroF1: number; confusion: number[][]; confusionRowNormalised: number[][] }[];
      weightSweep: { textShare: number }[];
      best: { textShare: number };
      labels: { column: string };
    };
    expect(json.channels.map((c) => c.channel)).toEqual(['text', 'face', 'fused']);
    report.channels.forEach((c, i) => {
      expect(json.channels[i]!.accuracy).toBeCloseTo(c.accuracy, 6);
      expect(json.channels[i]!.macroF1).toBeCloseTo(c.macroF1, 6);
      expect(json.channels[i]!.confusion).toEqual(c.confusion);
      json.channels[i]!.confusionRowNormalised.forEach((row) => expect(row.reduce((a, b) => a + b, 0) === 0 || Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5).toBe(true));
    });
    expect(json.weightSweep).toHaveLength(21);
    expect(json.best.textShare).toBe(report.best!.textShare);
    expect(json.labels.column).toBe(context.labelColumn);
  });

  it('the HTML page is self-contained, escapes what came from the file, and carries the JSON', () => {
    const report = sample();
    const html = reportHtml(report, context);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    // Nothing to load or run: no src/href attributes, no script but the JSON data block.
    expect(html).not.toMatch(/<[a-z][^>]*\s(?:src|href|srcset|action|formaction)=/iu);
    expect(html.match(/<script\b[^>]*>/giu)).toEqual(['<script type="application/json" id="moodlens-figures">']);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>happy');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.csv');
    // One SVG per channel for the confusion and one for reliability, and the sweep.
    expect(html.match(/<svg\b/gu)).toHaveLength(report.channels.length * 2 + 1);
    const block = html.slice(html.indexOf('id="moodlens-figures">') + 'id="moodlens-figures">'.length, html.indexOf('</script>'));
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual(JSON.parse(JSON.stringify(reportJson(report, context))));
  });
});
