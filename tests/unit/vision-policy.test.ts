// The request policy for vision models, pure: what the first request asks for, and what the next
// one changes after a refusal or a cut-off, with the messages real providers send.
import { describe, expect, it } from 'vitest';
import {
  LARGE_BUDGET,
  firstPlan,
  initialQuirks,
  nextPlan,
  planParams,
  refusedParam,
  type RequestPlan,
} from '../../src/features/vision/policy';

const GROQ_EFFORT = '"reasoning_effort" must be one of: "none", "default"';
const OPENAI_FORMAT = 'Unrecognized request argument supplied: reasoning_format';
const OPENAI_EFFORT = 'Unrecognized request argument supplied: reasoning_effort';
const RAW_WITH_JSON = '`reasoning_format` "raw" is not supported with JSON mode (`response_format`); use "parsed" or "hidden"';
const LIMIT = '`max_completion_tokens` must be less than or equal to `8192`, the maximum value for `max_completion_tokens` is less than the `context_window` for this model';
const OPENAI_MAX_TOKENS = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";

describe('the first request', () => {
  it('asks for JSON, no reasoning kept apart from the answer, and a budget for a little reasoning plus the JSON', () => {
    const plan = firstPlan(initialQuirks());
    expect(planParams(plan)).toEqual({
      max_tokens: 1024,
      response_format: { type: 'json_object' },
      reasoning_effort: 'none',
      reasoning_format: 'parsed',
    });
  });

  it('stays within an output limit the model list gives', () => {
    expect(firstPlan(initialQuirks(512)).maxTokens).toBe(512);
  });
});

describe('refusedParam', () => {
  it('reads the parameter and the allowed values from real messages', () => {
    expect(refusedParam(GROQ_EFFORT)).toEqual({ param: 'reasoning_effort', allowed: ['none', 'default'] });
    expect(refusedParam(OPENAI_FORMAT, 'reasoning_format')).toEqual({ param: 'reasoning_format', allowed: null });
    expect(refusedParam(RAW_WITH_JSON)).toMatchObject({ param: 'reasoning_format' });
    expect(refusedParam('response_format is not supported with this model')).toMatchObject({ param: 'response_format' });
    expect(refusedParam(LIMIT)).toEqual({ param: 'budget', allowed: null, limit: 8192 });
    expect(refusedParam(OPENAI_MAX_TOKENS)).toMatchObject({ param: 'budget', use: 'max_completion_tokens' });
    expect(refusedParam('Invalid image URL')).toBeNull();
  });
});

describe('nextPlan', () => {
  const first = firstPlan(initialQuirks());

  it('a refused reasoning effort value: the least reasoning the model allows, learned for the model', () => {
    const plan: RequestPlan = { ...first, reasoningEffort: 'low' };
    const step = nextPlan(plan, { kind: 'refused', message: GROQ_EFFORT }, { ...initialQuirks(), reasoningEffort: 'low' });
    expect(step?.plan.reasoningEffort).toBe('none');
    expect(step?.quirks.reasoningEffort).toBe('none');
    expect(step?.note).toContain('"none"');
  });

  it('a model that does not know reasoning parameters: both go, at once', () => {
    for (const message of [OPENAI_FORMAT, OPENAI_EFFORT]) {
      const step = nextPlan(first, { kind: 'refused', message }, initialQuirks());
      expect(step?.plan).toMatchObject({ reasoningEffort: null, reasoningFormat: null, jsonMode: true });
      expect(step?.note).toBe('retrying without reasoning options, which the model does not take');
    }
  });

  it('JSON mode refused: retried without it; refused again: nothing left to change', () => {
    const step = nextPlan(first, { kind: 'refused', message: 'response_format is not supported with this model' }, initialQuirks());
    expect(step?.plan.jsonMode).toBe(false);
    expect(nextPlan(step!.plan, { kind: 'refused', message: 'response_format is not supported' }, step!.quirks)).toBeNull();
  });

  it('a budget over the model limit, or the wrong budget parameter', () => {
    const big = { ...first, maxTokens: 16384 };
    const limited = nextPlan(big, { kind: 'refused', message: LIMIT }, initialQuirks());
    expect(limited?.plan.maxTokens).toBe(8192);
    expect(limited?.quirks.maxBudget).toBe(8192);
    const renamed = nextPlan(first, { kind: 'refused', message: OPENAI_MAX_TOKENS }, initialQuirks());
    expect(planParams(renamed!.plan)).toMatchObject({ max_completion_tokens: 1024 });
    expect(planParams(renamed!.plan)).not.toHaveProperty('max_tokens');
  });

  it('a cut-off answer or json_validate_failed: once, with room for reasoning; not twice', () => {
    for (const failure of [{ kind: 'cut-off' }, { kind: 'json-failed' }] as const) {
      const step = nextPlan(first, failure, initialQuirks());
      expect(step?.plan.maxTokens).toBe(LARGE_BUDGET);
      expect(step?.quirks.budget).toBe(LARGE_BUDGET);
      expect(step?.note).toContain('room for the model');
      expect(nextPlan(step!.plan, failure, step!.quirks)).toBeNull();
    }
  });

  it('an error that names no parameter is not the policy\'s to change', () => {
    expect(nextPlan(first, { kind: 'refused', message: 'Invalid image URL' }, initialQuirks())).toBeNull();
  });
});
