// How a picture request is shaped, and how the next attempt changes after one that gave no answer:
// the request policy for vision models, reasoning ones included, as pure functions.
//
// Reasoning models (Groq's Qwen vision models, thinking models on Ollama or llama.cpp) spend output
// tokens on reasoning before the answer; with a small budget the answer is cut off, and Groq's JSON
// mode then fails with `json_validate_failed`. So the first request asks for no reasoning
// (`reasoning_effort: "none"`, reasoning apart from the answer with `reasoning_format: "parsed"`)
// and gives a budget that fits a little reasoning plus the JSON. A provider that refuses a
// parameter or a value says so in a 400; the policy reads which, and the next attempt goes without
// it (or with an allowed value). What was learned is kept per model for the session (`ModelQuirks`),
// so later pictures do not pay for it again. A cut-off answer is retried once with a larger budget.
// All attempts of one picture, transient retries (429, 5xx) included, are at most MAX_REQUESTS.
// Nothing depends on the provider's name or on one model id: only on what the provider answers.

/** Requests one picture may take in all. */
export const MAX_REQUESTS = 3;
/** The first budget: the JSON answer needs about 150 tokens; the rest leaves room for a little reasoning. */
export const FIRST_BUDGET = 1024;
/** The budget after a cut-off answer: reasoning plus the JSON. */
export const LARGE_BUDGET = 4096;
/** The largest budget asked for when nothing else is known (Groq's limit for its vision models). */
export const OUTPUT_LIMIT = 16_384;

/** Values of `reasoning_effort`, least reasoning first. */
const EFFORT_PREFERENCE = ['none', 'minimal', 'low', 'default', 'medium', 'high'] as const;
/** Values of `reasoning_format` that keep reasoning out of the answer, best first. */
const FORMAT_PREFERENCE = ['parsed', 'hidden'] as const;

/** The request parameter that carries the output budget. */
export type BudgetParam = 'max_tokens' | 'max_completion_tokens';

/** What is known this session about the parameters a model takes. */
export interface ModelQuirks {
  /** Ask for a JSON object (`response_format`); false once the model refused it. */
  readonly jsonMode: boolean;
  /** The `reasoning_effort` value to send; null: send none. */
  readonly reasoningEffort: string | null;
  /** The `reasoning_format` value to send; null: send none. */
  readonly reasoningFormat: string | null;
  /** The budget the first attempt asks for. */
  readonly budget: number;
  /** The model's output limit (listed, or learned from a 400). */
  readonly maxBudget: number;
  readonly budgetParam: BudgetParam;
}

/** What a model is assumed to take until it says otherwise. */
export function initialQuirks(listedMaxCompletionTokens: number | null = null): ModelQuirks {
  const maxBudget = listedMaxCompletionTokens ?? OUTPUT_LIMIT;
  return {
    jsonMode: true,
    reasoningEffort: 'none',
    reasoningFormat: 'parsed',
    budget: Math.min(FIRST_BUDGET, maxBudget),
    maxBudget,
    budgetParam: 'max_tokens',
  };
}

/** One attempt's request parameters. */
export interface RequestPlan {
  readonly jsonMode: boolean;
  readonly reasoningEffort: string | null;
  readonly reasoningFormat: string | null;
  readonly maxTokens: number;
  readonly budgetParam: BudgetParam;
  /** The budget was already raised after a cut-off (that happens once per picture). */
  readonly raised: boolean;
}

/** The first attempt under what is known of the model. */
export function firstPlan(quirks: ModelQuirks): RequestPlan {
  return {
    jsonMode: quirks.jsonMode,
    reasoningEffort: quirks.reasoningEffort,
    reasoningFormat: quirks.reasoningFormat,
    maxTokens: Math.min(quirks.budget, quirks.maxBudget),
    budgetParam: quirks.budgetParam,
    raised: false,
  };
}

/** The parameters of `plan` as they go into the request body. */
export function planParams(plan: RequestPlan): Record<string, unknown> {
  return {
    [plan.budgetParam]: plan.maxTokens,
    ...(plan.jsonMode ? { response_format: { type: 'json_object' } } : {}),
    ...(plan.reasoningEffort !== null ? { reasoning_effort: plan.reasoningEffort } : {}),
    ...(plan.reasoningFormat !== null ? { reasoning_format: plan.reasoningFormat } : {}),
  };
}

/** Why an attempt gave no answer, in the terms the policy acts on. */
export type AttemptFailure =
  /** A 400 whose message (and `param` field, if any) may name a parameter the model refuses. */
  | { readonly kind: 'refused'; readonly message: string; readonly param?: string }
  /** The answer was cut off (finish_reason "length", or nothing but unfinished reasoning). */
  | { readonly kind: 'cut-off' }
  /** Groq's 400 `json_validate_failed`: the JSON could not be completed (usually a cut-off). */
  | { readonly kind: 'json-failed' };

/** The parameter a 400 refuses, and the values it allows when it lists them. */
export interface RefusedParam {
  readonly param: 'reasoning_effort' | 'reasoning_format' | 'response_format' | 'budget';
  readonly allowed: readonly string[] | null;
  /** For the budget: the limit the message names. */
  readonly limit?: number;
  /** For the budget: the parameter the provider wants instead, when it says. */
  readonly use?: BudgetParam;
}

/** Reads which parameter a 400 refuses; null when it names none the policy can change. */
export function refusedParam(message: string, param?: string): RefusedParam | null {
  const text = `${param ?? ''} ${message}`;
  const allowed = allowedValues(message);
  // A refused reasoning format that mentions JSON mode is the raw format's conflict: the format.
  if (/reasoning_format/iu.test(text)) return { param: 'reasoning_format', allowed };
  if (/reasoning_effort/iu.test(text)) return { param: 'reasoning_effort', allowed };
  if (/max_completion_tokens|max_tokens/iu.test(text)) {
    const limit = message.match(/(?:less than or equal to|at most|maximum(?: value)?(?: of| is)?|<=)\D{0,20}(\d{3,7})/iu);
    const wantsCompletion = /use\W+max_completion_tokens|max_tokens\W+is not supported/iu.test(message);
    return {
      param: 'budget',
      allowed: null,
      ...(limit ? { limit: Number(limit[1]) } : {}),
      ...(wantsCompletion ? { use: 'max_completion_tokens' as const } : {}),
    };
  }
  if (/response_format|json[_ ]?(mode|object)/iu.test(text)) return { param: 'response_format', allowed };
  return null;
}

/** The values a message lists after "one of" (quoted or not), lower-case; null when none. */
function allowedValues(message: string): string[] | null {
  const m = message.match(/one of\W*([^.;\n]*)/iu);
  if (!m?.[1]) return null;
  const values = [...m[1].matchAll(/[a-z_]+/giu)].map((v) => v[0].toLowerCase()).filter((v) => v !== 'or' && v !== 'and');
  return values.length > 0 ? values : null;
}

/** The next attempt, what the model taught, and the sentence the user sees; null: give up. */
export interface NextStep {
  readonly plan: RequestPlan;
  readonly quirks: ModelQuirks;
  /** E.g. "retrying without reasoning options". */
  readonly note: string;
}

/** What to try after `failure` of `plan`; null when nothing the policy can change would help. */
export function nextPlan(plan: RequestPlan, failure: AttemptFailure, quirks: ModelQuirks): NextStep | null {
  if (failure.kind === 'refused') {
    const refused = refusedParam(failure.message, failure.param);
    return refused ? afterRefusal(plan, refused, quirks) : null;
  }
  // Cut off, or JSON that could not be completed: once, with room for reasoning and the answer.
  if (plan.raised || plan.maxTokens >= quirks.maxBudget) return null;
  const maxTokens = Math.min(Math.max(LARGE_BUDGET, plan.maxTokens * 4), quirks.maxBudget);
  return {
    plan: { ...plan, maxTokens, raised: true },
    quirks: { ...quirks, budget: maxTokens },
    note: `retrying with room for the model's reasoning (${maxTokens} tokens)`,
  };
}

function afterRefusal(plan: RequestPlan, refused: RefusedParam, quirks: ModelQuirks): NextStep | null {
  switch (refused.param) {
    case 'reasoning_effort': {
      const value = refused.allowed ? EFFORT_PREFERENCE.find((v) => refused.allowed?.includes(v) && v !== plan.reasoningEffort) : undefined;
      if (value) {
        return {
          plan: { ...plan, reasoningEffort: value },
          quirks: { ...quirks, reasoningEffort: value },
          note: `retrying with reasoning effort "${value}", which the model takes`,
        };
      }
      return withoutReasoning(plan, quirks);
    }
    case 'reasoning_format': {
      const value = refused.allowed ? FORMAT_PREFERENCE.find((v) => refused.allowed?.includes(v) && v !== plan.reasoningFormat) : undefined;
      if (value) {
        return { plan: { ...plan, reasoningFormat: value }, quirks: { ...quirks, reasoningFormat: value }, note: `retrying with reasoning format "${value}"` };
      }
      // A model that refuses the format outright does not know reasoning parameters at all.
      return withoutReasoning(plan, quirks);
    }
    case 'response_format':
      if (!plan.jsonMode) return null;
      return { plan: { ...plan, jsonMode: false }, quirks: { ...quirks, jsonMode: false }, note: 'retrying without JSON mode, which the model refuses' };
    case 'budget': {
      const maxBudget = refused.limit !== undefined && refused.limit < quirks.maxBudget ? refused.limit : quirks.maxBudget;
      const budgetParam = refused.use ?? plan.budgetParam;
      const maxTokens = Math.min(plan.maxTokens, maxBudget);
      if (maxTokens === plan.maxTokens && budgetParam === plan.budgetParam) return null;
      return {
        plan: { ...plan, maxTokens, budgetParam },
        quirks: { ...quirks, maxBudget, budget: Math.min(quirks.budget, maxBudget), budgetParam },
        note: budgetParam !== plan.budgetParam ? `retrying with ${budgetParam}, which the model asks for` : `retrying within the model's output limit (${maxBudget} tokens)`,
      };
    }
  }
}

function withoutReasoning(plan: RequestPlan, quirks: ModelQuirks): NextStep | null {
  if (plan.reasoningEffort === null && plan.reasoningFormat === null) return null;
  return {
    plan: { ...plan, reasoningEffort: null, reasoningFormat: null },
    quirks: { ...quirks, reasoningEffort: null, reasoningFormat: null },
    note: 'retrying without reasoning options, which the model does not take',
  };
}
