// The evaluation as files a researcher can keep or share: the figures as JSON, and one
// self-contained HTML page (no script, no request: the charts are inline SVG, the styles inline,
// and its Content Security Policy forbids loading anything), so it opens offline in any browser. Every value goes in through
// shared/html.ts's `html` template, which escapes it unless it is markup the code made.
import { EMOTIONS } from '../../shared/emotions';
import { formatPercent } from '../../shared/format';
import type { ChannelReport, EvalChannel, EvaluationReport, SweepPoint } from './evaluation';
import type { LabelMap, LabelValue } from './labels';
import { rowNormalised } from './metrics';
import { html, trustedHtml, type Html } from '../../shared/html';

/** What the report is about. */
export interface ReportContext {
  /** The batch's file name. */
  readonly batch: string;
  readonly labelColumn: string;
  readonly rows: number;
  readonly labelRows: { readonly labelled: number; readonly empty: number; readonly unmapped: number; readonly ignored: number };
  readonly values: readonly LabelValue[];
  readonly mapping: LabelMap;
  /** The model ids that read the rows. */
  readonly models: readonly string[];
  /** The text's share of the fused answer when the batch ran (null without faces). */
  readonly runTextShare: number | null;
  readonly created: Date;
  readonly app: string;
}

export const CHANNEL_NAMES: Readonly<Record<EvalChannel, string>> = { text: 'Text', face: 'Faces', vision: 'Picture (cloud)', voice: 'Voice', fused: 'Fused' };

const round = (x: number, digits = 6) => Number(x.toFixed(digits));

/** The report as a plain object (what the JSON file holds). */
export function reportJson(report: EvaluationReport, context: ReportContext): unknown {
  return {
    tool: context.app,
    created: context.created.toISOString(),
    batch: { file: context.batch, rows: context.rows, models: context.models, runTextShare: context.runTextShare },
    labels: {
      column: context.labelColumn,
      rows: context.labelRows,
      values: context.values.map((v) => ({ value: v.value, rows: v.rows, emotion: v.emotion, source: v.source })),
      mapping: context.mapping,
    },
    emotions: EMOTIONS,
    bootstrap: { resamples: report.resamples, seed: report.seed, level: 0.95, method: 'percentile' },
    conventions: {
      macroF1: 'unweighted mean of per-class F1 over the labels present in gold or predictions (scikit-learn average="macro", zero_division=0)',
      ece: '10 equal-width bins of the top probability, (lo, hi], weighted by rows',
      confusion: 'rows are gold labels, columns predictions, in the order of "emotions"',
    },
    channels: report.channels.map((c) => ({
      channel: c.channel,
      rows: c.rows,
      accuracy: round(c.accuracy),
      accuracyCI95: [round(c.accuracyCI.low), round(c.accuracyCI.high)],
      macroF1: round(c.macroF1),
      macroF1CI95: [round(c.macroF1CI.low), round(c.macroF1CI.high)],
      ece: round(c.ece),
      perClass: c.classes.map((k) => ({ emotion: k.emotion, precision: round(k.precision), recall: round(k.recall), f1: round(k.f1), support: k.support })),
      confusion: c.confusion,
      confusionRowNormalised: rowNormalised(c.confusion).map((r) => r.map((v) => round(v))),
      reliability: c.reliability.map((b) => ({ lo: b.lo, hi: b.hi, rows: b.count, accuracy: round(b.accuracy), confidence: round(b.confidence) })),
    })),
    weightSweep: report.sweep?.map((p) => ({ textShare: p.textShare, faceShare: round(1 - p.textShare, 2), macroF1: round(p.macroF1), accuracy: round(p.accuracy) })) ?? null,
    best: report.best ? { textShare: report.best.textShare, faceShare: round(1 - report.best.textShare, 2), macroF1: round(report.best.macroF1) } : null,
    agreement: report.agreement,
  };
}

const pct = formatPercent;
const f3 = (x: number) => x.toFixed(3);

/** A confusion matrix as an SVG heat map (row-normalized shade, counts written in). */
function confusionSvg(c: ChannelReport): Html {
  const cell = 44;
  const left = 78;
  const top = 70;
  const norm = rowNormalised(c.confusion);
  const size = EMOTIONS.length * cell;
  const cells = EMOTIONS.map((gold, g) => [
    html`<text x="${left - 6}" y="${top + g * cell + cell / 2 + 4}" text-anchor="end">${gold}</text>`,
    EMOTIONS.map((_, p) => {
      const v = norm[g]![p]!;
      const x = left + p * cell;
      const y = top + g * cell;
      return html`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="rgba(58,120,208,${(0.06 + 0.94 * v).toFixed(3)})"/><text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${v > 0.55 ? '#fff' : '#1b1d22'}">${c.confusion[g]![p]}</text>`;
    }),
  ]);
  const columns = EMOTIONS.map((pred, p) => {
    const x = left + p * cell + cell / 2;
    return html`<text x="${x}" y="${top - 8}" text-anchor="start" transform="rotate(-40 ${x} ${top - 8})">${pred}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${left + size + 10}" height="${top + size + 10}" role="img" aria-label="${CHANNEL_NAMES[c.channel]}: confusion matrix, rows are gold labels"><g font-size="11" font-family="system-ui, sans-serif">${cells}${columns}<text x="${left + size / 2}" y="14" text-anchor="middle" font-weight="600">predicted</text><text x="12" y="${top + size / 2}" text-anchor="middle" font-weight="600" transform="rotate(-90 12 ${top + size / 2})">gold</text></g></svg>`;
}

/** A chart frame: axes from 0 to 1 on both sides, with `body` drawn in (x, y in 0..1). */
function frame(label: string, xName: string, yName: string, body: (x: (v: number) => number, y: (v: number) => number) => Html): Html {
  const w = 320;
  const h = 220;
  const l = 44;
  const b = 36;
  const x = (v: number) => l + v * (w - l - 10);
  const y = (v: number) => h - b - v * (h - b - 10);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => html`<line x1="${x(0)}" x2="${x(1)}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text><text x="${x(t)}" y="${h - b + 14}" text-anchor="middle">${t}</text>`,
  );
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${label}"><g font-size="11" font-family="system-ui, sans-serif">${ticks}<line x1="${x(0)}" x2="${x(0)}" y1="${y(0)}" y2="${y(1)}" stroke="#888"/><line x1="${x(0)}" x2="${x(1)}" y1="${y(0)}" y2="${y(0)}" stroke="#888"/>${body(x, y)}<text x="${x(0.5)}" y="${h - 4}" text-anchor="middle">${xName}</text><text x="10" y="${y(0.5)}" text-anchor="middle" transform="rotate(-90 10 ${y(0.5)})">${yName}</text></g></svg>`;
}

function reliabilitySvg(c: ChannelReport): Html {
  return frame(`${CHANNEL_NAMES[c.channel]}: reliability diagram`, 'confidence', 'accuracy', (x, y) => {
    const bars = c.reliability
      .filter((bin) => bin.count > 0)
      .map(
        (bin) =>
          html`<rect x="${x(bin.lo) + 1}" y="${y(bin.accuracy)}" width="${x(bin.hi) - x(bin.lo) - 2}" height="${y(0) - y(bin.accuracy)}" fill="#3a78d0" opacity="0.8"><title>${bin.lo.toFixed(1)}-${bin.hi.toFixed(1)}: ${bin.count} rows, accuracy ${pct(bin.accuracy)}</title></rect>`,
      );
    return html`${bars}<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#d0409b" stroke-dasharray="4 3"/>`;
  });
}

function sweepSvg(sweep: readonly SweepPoint[], best: SweepPoint | null): Html {
  return frame('Weight sweep: macro-F1 of the fused answer by the text share', 'text share (faces: the rest)', 'macro-F1', (x, y) => {
    const line = sweep.map((p, i) => `${i ? 'L' : 'M'}${x(p.textShare).toFixed(1)} ${y(p.macroF1).toFixed(1)}`).join(' ');
    const mark = best
      ? html`<circle cx="${x(best.textShare)}" cy="${y(best.macroF1)}" r="5" fill="#d0409b"><title>best: text ${best.textShare.toFixed(2)}, macro-F1 ${f3(best.macroF1)}</title></circle>`
      : null;
    return html`<path d="${line}" fill="none" stroke="#5b5fe0" stroke-width="2"/>${mark}`;
  });
}

function channelSection(c: ChannelReport): Html {
  const norm = rowNormalised(c.confusion);
  const head = html`<tr><th scope="col">gold \\ predicted</th>${EMOTIONS.map((e) => html`<th scope="col">${e}</th>`)}</tr>`;
  const body = EMOTIONS.map(
    (g, gi) => html`<tr><th scope="row">${g}</th>${EMOTIONS.map((_, pi) => html`<td>${c.confusion[gi]![pi]} <small>(${pct(norm[gi]![pi]!)})</small></td>`)}</tr>`,
  );
  const classes = c.classes
    .filter((k) => k.support > 0 || c.confusion.some((row) => row[EMOTIONS.indexOf(k.emotion)]! > 0))
    .map((k) => html`<tr><th scope="row">${k.emotion}</th><td>${f3(k.precision)}</td><td>${f3(k.recall)}</td><td>${f3(k.f1)}</td><td>${k.support}</td></tr>`);
  return html`<section><h2>${CHANNEL_NAMES[c.channel]}</h2>
<p>${c.rows} rows. Accuracy <b>${f3(c.accuracy)}</b> (95 % CI ${f3(c.accuracyCI.low)}–${f3(c.accuracyCI.high)}), macro-F1 <b>${f3(c.macroF1)}</b> (95 % CI ${f3(c.macroF1CI.low)}–${f3(c.macroF1CI.high)}), expected calibration error <b>${f3(c.ece)}</b>.</p>
<div class="charts">${confusionSvg(c)}${reliabilitySvg(c)}</div>
<table><caption>Confusion matrix: counts (row share)</caption><thead>${head}</thead><tbody>${body}</tbody></table>
<table><caption>Per class</caption><thead><tr><th scope="col">emotion</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">F1</th><th scope="col">support</th></tr></thead><tbody>${classes}</tbody></table>
</section>`;
}

/**
 * The whole report as one HTML page; `json` (reportJson's text) is kept inside it as a data block
 * a script or a reader can take the exact figures from.
 */
export function reportHtml(report: EvaluationReport, context: ReportContext, json = JSON.stringify(reportJson(report, context))): string {
  const title = `Moodlens evaluation: ${context.batch}`;
  const summary = report.channels.map(
    (c) =>
      html`<tr><th scope="row">${CHANNEL_NAMES[c.channel]}</th><td>${c.rows}</td><td>${f3(c.accuracy)} <small>[${f3(c.accuracyCI.low)}, ${f3(c.accuracyCI.high)}]</small></td><td>${f3(c.macroF1)} <small>[${f3(c.macroF1CI.low)}, ${f3(c.macroF1CI.high)}]</small></td><td>${f3(c.ece)}</td></tr>`,
  );
  const values = context.values.map(
    (v) =>
      html`<tr><td>${v.value}</td><td>${v.rows}</td><td>${v.emotion ?? (v.source === 'user' ? 'left out' : 'not mapped')}</td><td>${v.source === 'user' ? 'you' : v.source === 'auto' ? 'synonyms' : ''}</td></tr>`,
  );
  const fusedRows = report.channels.find((c) => c.channel === 'fused')?.rows ?? '';
  const sweep = report.sweep
    ? html`<section><h2>Weight sweep</h2><p>Macro-F1 of the fused answer for the text's share from 0 to 1 in steps of 0.05 (the faces take the rest), over the ${fusedRows} rows read by both.${report.best ? ` Best: text ${report.best.textShare.toFixed(2)}, faces ${(1 - report.best.textShare).toFixed(2)}, macro-F1 ${f3(report.best.macroF1)}.` : ''}${context.runTextShare !== null ? ` The batch ran with text ${context.runTextShare.toFixed(2)}.` : ''}</p>${sweepSvg(report.sweep, report.best)}
<table><caption>Macro-F1 by text share</caption><thead><tr><th scope="col">text share</th><th scope="col">macro-F1</th><th scope="col">accuracy</th></tr></thead><tbody>${report.sweep.map((p) => html`<tr${p === report.best ? trustedHtml(' class="best"') : ''}><td>${p.textShare.toFixed(2)}</td><td>${f3(p.macroF1)}</td><td>${f3(p.accuracy)}</td></tr>`)}</tbody></table></section>`
    : null;
  const agreement = report.agreement
    ? html`<section><h2>Agreement and correctness</h2><p>How often the fused answer is right when text and faces agree (consistent), partly agree (mixed) or disagree (divergent).</p><table><thead><tr><th scope="col">verdict</th><th scope="col">rows</th><th scope="col">right</th><th scope="col">accuracy</th></tr></thead><tbody>${report.agreement.map((a) => html`<tr><th scope="row">${a.verdict}</th><td>${a.rows}</td><td>${a.correct}</td><td>${a.rows ? pct(a.accuracy) : '–'}</td></tr>`)}</tbody></table></section>`
    : null;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1d22;background:#fff}
table{border-collapse:collapse;margin:0.75rem 0;font-size:0.85rem}th,td{border:1px solid #ccd;padding:0.2rem 0.45rem;text-align:right}th[scope=row],caption{text-align:left}
caption{font-weight:600;padding:0.2rem 0}small{color:#555}.charts{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}tr.best{background:#fde7f3}
section{margin-top:2rem;border-top:1px solid #ccd}
</style></head><body>
<h1>${title}</h1>
<p>Made with ${context.app} on ${context.created.toISOString()}. ${context.rows} rows; labels from the column <b>${context.labelColumn}</b>: ${context.labelRows.labelled} usable, ${context.labelRows.empty} empty, ${context.labelRows.unmapped} not mapped, ${context.labelRows.ignored} left out. Model${context.models.length === 1 ? '' : 's'}: ${context.models.join(', ') || 'unknown'}.</p>
<p>Intervals are 95 % percentile bootstrap intervals (${report.resamples} resamples, seed ${report.seed}). Macro-F1 averages F1 over the labels present in the gold labels or the predictions, as scikit-learn does.</p>
<table><caption>Summary</caption><thead><tr><th scope="col">answer</th><th scope="col">rows</th><th scope="col">accuracy [95 % CI]</th><th scope="col">macro-F1 [95 % CI]</th><th scope="col">ECE</th></tr></thead><tbody>${summary}</tbody></table>
${sweep}
${agreement}
${report.channels.map((c) => html`${channelSection(c)}
`)}<script type="application/json" id="moodlens-figures">${trustedHtml(json.replace(/</gu, '\\u003c'))}</script>
<section><h2>Label values</h2><table><thead><tr><th scope="col">value</th><th scope="col">rows</th><th scope="col">counted as</th><th scope="col">by</th></tr></thead><tbody>${values}</tbody></table></section>
</body></html>
`.toString();
}
