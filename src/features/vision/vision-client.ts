// Calls an OpenAI-compatible chat-completions endpoint with one picture: a timeout, a user cancel
// that is not an error, and at most MAX_REQUESTS requests per picture in all. Between them, the
// request policy (policy.ts) changes what a model refused or where its answer was cut
// off by its reasoning, and transient failures (408/409/429/5xx, network) are retried honouring
// retry-after; every retry is announced (`onRetry`, `onWait`). Reasoning is never read as the
// answer. Every failure is a VisionError. The key goes only to the configured base URL, in the
// Authorization header, and never comes back out: any text of the provider's that reaches the
// user (an error message quoting the key) is redacted. Replies are read up to MAX_REPLY_BYTES; a
// larger or non-JSON body is a failure, not a freeze.
import { topEmotion, type Emotion, type EmotionScores } from '../../shared/emotions';
import { decideRetry } from './retry';
import type { TokenUsage } from '../analysis/run';
import { MAX_REQUESTS, firstPlan, initialQuirks, nextPlan, type AttemptFailure, type ModelQuirks, type RequestPlan } from './policy';
import { parseVisionReply } from './reply';
import { VisionError } from './errors';
import { buildVisionRequest } from './prompt';

/** The vision channel's answer for one picture. */
export interface VisionResult {
  readonly scores: EmotionScores;
  readonly top: Emotion;
  readonly topScore: number;
  readonly description: string;
  /** The model the provider says answered (or the one requested). */
  readonly model: string;
  readonly baseUrl: string;
  /** Wall time from the first request to the parsed answer, waits included, in ms. */
  readonly elapsedMs: number;
  /** Requests made (1 when nothing was retried). */
  readonly requests: number;
  /** Tokens the provider counted over all requests of this picture, when it said. */
  readonly usage: VisionUsage | null;
  /** The provider's request allowance after this picture, when its headers said. */
  readonly rateLimit: RateLimit | null;
}

/** Tokens used, summed over the requests of one picture. */
export type VisionUsage = TokenUsage;

/** What `x-ratelimit-*` headers say about requests left. */
export interface RateLimit {
  readonly remainingRequests: number | null;
  readonly limitRequests: number | null;
}

/** What a request needs. */
export interface VisionCall {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly imageDataUrl: string;
  readonly timeoutMs: number;
  /** Aborting it cancels the call; the promise then rejects with code `cancelled`. */
  readonly signal?: AbortSignal;
  /** What is known this session of the model's parameters (default: nothing yet). */
  readonly quirks?: ModelQuirks;
  /** Called before each wait between attempts (for a visible countdown). */
  readonly onWait?: (wait: { seconds: number; reason: 'rate-limit' | 'retry'; attempt: number; rateLimit: RateLimit | null }) => void;
  /** Called before a retry that changes the request, with the sentence to show. */
  readonly onRetry?: (note: string) => void;
  /** Called when the model taught something about its parameters (keep it for the session). */
  readonly onLearn?: (quirks: ModelQuirks) => void;
}

/** The outside world, injectable for tests. */
export interface VisionDeps {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

/** Real timers; `sleep` rejects with an AbortError when the signal fires. */
export const browserVisionDeps: VisionDeps = {
  fetch: (input, init) => fetch(input, init),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    }),
  now: () => Date.now(),
  random: () => Math.random(),
};

/** `{base}/chat/completions` etc., without doubling slashes. */
export function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/u, '')}/${path}`;
}

/** Analyses one picture; rejects with a VisionError. */
export async function analyzeImage(call: VisionCall, deps: VisionDeps = browserVisionDeps): Promise<VisionResult> {
  if (!call.baseUrl) throw new VisionError('no-base-url', 'No API base URL is set.');
  const started = deps.now();
  let quirks = call.quirks ?? initialQuirks();
  let plan = firstPlan(quirks);
  let transientRetries = 0;
  let requests = 0;
  let usage: VisionUsage | null = null;
  /** Applies a policy step: the next attempt goes with it, and what was learned is kept. */
  const step = (failure: AttemptFailure): boolean => {
    const next = requests < MAX_REQUESTS ? nextPlan(plan, failure, quirks) : null;
    if (!next) return false;
    plan = next.plan;
    if (next.quirks !== quirks) {
      quirks = next.quirks;
      call.onLearn?.(quirks);
    }
    call.onRetry?.(next.note);
    return true;
  };
  for (;;) {
    if (call.signal?.aborted) throw new VisionError('cancelled', 'Cancelled before sending.');
    requests += 1;
    const outcome = await attempt(call, plan, deps);
    if (outcome.kind !== 'network') usage = addUsage(usage, outcome.usage);
    if (outcome.kind === 'unreadable') throw new VisionError('bad-reply', outcome.detail);
    if (outcome.kind === 'ok') {
      const parsed = parseVisionReply(outcome.content, outcome.finishReason);
      if (parsed.ok) {
        const top = topEmotion(parsed.reading.scores);
        return {
          scores: parsed.reading.scores,
          top: top.emotion,
          topScore: top.score,
          description: parsed.reading.description,
          model: outcome.model || call.model,
          baseUrl: call.baseUrl,
          elapsedMs: deps.now() - started,
          requests,
          usage,
          rateLimit: outcome.rateLimit,
        };
      }
      if (parsed.failure === 'truncated' && step({ kind: 'cut-off' })) continue;
      throw new VisionError(parsed.failure === 'truncated' ? 'truncated' : 'bad-reply', parsed.detail);
    }
    if (outcome.kind === 'http' && outcome.status === 400) {
      const jsonFailed = outcome.code === 'json_validate_failed';
      if (step(jsonFailed ? { kind: 'json-failed' } : { kind: 'refused', message: outcome.message, param: outcome.param })) continue;
      if (jsonFailed) throw new VisionError('truncated', `HTTP 400 json_validate_failed: ${outcome.message}`.slice(0, 400));
    }
    const decision = decideRetry({
      status: outcome.kind === 'http' ? outcome.status : null,
      retriesSoFar: requests >= MAX_REQUESTS ? Number.POSITIVE_INFINITY : transientRetries,
      retryAfter: outcome.kind === 'http' ? outcome.retryAfter : null,
      nowMs: deps.now(),
      random: deps.random,
    });
    if (!decision.retry) throw toError(outcome, decision.retryAfterMs);
    transientRetries += 1;
    const rateLimited = outcome.kind === 'http' && outcome.status === 429;
    call.onWait?.({
      seconds: Math.ceil(decision.delayMs / 1000),
      reason: rateLimited ? 'rate-limit' : 'retry',
      attempt: transientRetries,
      rateLimit: outcome.kind === 'http' ? outcome.rateLimit : null,
    });
    try {
      await deps.sleep(decision.delayMs, call.signal);
    } catch {
      throw new VisionError('cancelled', 'Cancelled while waiting to retry.');
    }
  }
}

/** The most of a reply body that is read; a vision answer is a few hundred bytes. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

type Outcome =
  | { kind: 'ok'; content: unknown; finishReason: unknown; model: string; usage: VisionUsage | null; rateLimit: RateLimit | null }
  | { kind: 'unreadable'; detail: string; usage: null }
  | {
      kind: 'http';
      status: number;
      message: string;
      code: string;
      param: string | undefined;
      retryAfter: string | null;
      rateLimit: RateLimit | null;
      usage: null;
    }
  | { kind: 'network'; message: string };

async function attempt(call: VisionCall, plan: RequestPlan, deps: VisionDeps): Promise<Outcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('timeout', 'TimeoutError')), call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await deps.fetch(endpoint(call.baseUrl, 'chat/completions'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${call.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(buildVisionRequest({ model: call.model, imageDataUrl: call.imageDataUrl, plan })),
      signal,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const read = await readJson(response, MAX_REPLY_BYTES);
    const body = read.value;
    if (!response.ok) {
      const error = isRecord(body) && isRecord(body.error) ? body.error : {};
      const message = typeof error.message === 'string' ? error.message : typeof body === 'string' ? body : response.statusText;
      return {
        kind: 'http',
        status: response.status,
        message: redactKey(message, call.apiKey),
        code: typeof error.code === 'string' ? redactKey(error.code, call.apiKey) : '',
        param: typeof error.param === 'string' ? error.param.slice(0, 100) : undefined,
        retryAfter: response.headers.get('retry-after'),
        rateLimit: rateLimitOf(response.headers),
        usage: null,
      };
    }
    if (read.tooLarge) return { kind: 'unreadable', detail: `The reply was larger than ${MAX_REPLY_BYTES / 1024 / 1024} MB.`, usage: null };
    if (!read.json) return { kind: 'unreadable', detail: 'The provider sent a response that is not valid JSON.', usage: null };
    const choice = isRecord(body) && Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : null;
    const message = choice && isRecord(choice.message) ? choice.message : null;
    // `message.reasoning` (a parsed reasoning format) is reasoning, never the answer: not read.
    return {
      kind: 'ok',
      content: message?.content ?? null,
      finishReason: choice?.finish_reason ?? null,
      model: isRecord(body) ? servedModel(body.model) : '',
      usage: isRecord(body) ? usageOf(body.usage) : null,
      rateLimit: rateLimitOf(response.headers),
    };
  } catch (err) {
    if (call.signal?.aborted) throw new VisionError('cancelled', 'Cancelled by the user.');
    if (timeout.signal.aborted) throw new VisionError('timeout', `No answer within ${Math.round(call.timeoutMs / 1000)} s.`);
    return { kind: 'network', message: redactKey(err instanceof Error ? `${err.name}: ${err.message}` : String(err), call.apiKey) };
  } finally {
    clearTimeout(timer);
  }
}

/** The body parsed as JSON, or its first 300 characters when it is not JSON; at most `limit` bytes are read. */
async function readJson(response: Response, limit: number): Promise<{ value: unknown; json: boolean; tooLarge: boolean }> {
  const { text, tooLarge } = await readText(response, limit);
  if (tooLarge) return { value: text.slice(0, 300), json: false, tooLarge };
  try {
    return { value: JSON.parse(text) as unknown, json: true, tooLarge };
  } catch {
    return { value: text.slice(0, 300), json: false, tooLarge };
  }
}

async function readText(response: Response, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  if (!response.body) return { text: '', tooLarge: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), tooLarge: false };
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      return { text, tooLarge: true };
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** `text` with every occurrence of the key (at least 8 characters) replaced by "[your key]". */
export function redactKey(text: string, key: string): string {
  const secret = key.trim();
  if (secret.length < 8) return text;
  return text.split(secret).join('[your key]');
}

/** The model id the provider says answered, if it looks like one (shown on the page). */
function servedModel(value: unknown): string {
  if (typeof value !== 'string') return '';
  const clean = value.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return clean.length <= 200 ? clean : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Token counts of a reply's `usage`, when they are numbers. */
function usageOf(value: unknown): VisionUsage | null {
  if (!isRecord(value)) return null;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
  const prompt = count(value.prompt_tokens);
  const completion = count(value.completion_tokens);
  if (prompt === null && completion === null) return null;
  const details = isRecord(value.completion_tokens_details) ? value.completion_tokens_details : {};
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    reasoningTokens: count(details.reasoning_tokens),
    totalTokens: count(value.total_tokens) ?? (prompt ?? 0) + (completion ?? 0),
  };
}

function addUsage(sum: VisionUsage | null, more: VisionUsage | null): VisionUsage | null {
  if (!more) return sum;
  if (!sum) return more;
  return {
    promptTokens: sum.promptTokens + more.promptTokens,
    completionTokens: sum.completionTokens + more.completionTokens,
    reasoningTokens: sum.reasoningTokens === null && more.reasoningTokens === null ? null : (sum.reasoningTokens ?? 0) + (more.reasoningTokens ?? 0),
    totalTokens: sum.totalTokens + more.totalTokens,
  };
}

/** Requests left and allowed, from `x-ratelimit-*` headers (Groq, OpenAI and others send them). */
function rateLimitOf(headers: Headers): RateLimit | null {
  const number = (name: string) => {
    const v = Number(headers.get(name) ?? Number.NaN);
    return Number.isFinite(v) && v >= 0 ? v : null;
  };
  const remainingRequests = number('x-ratelimit-remaining-requests');
  const limitRequests = number('x-ratelimit-limit-requests');
  return remainingRequests === null && limitRequests === null ? null : { remainingRequests, limitRequests };
}

/** Maps a final failed attempt to the error the user sees. */
function toError(outcome: Extract<Outcome, { kind: 'http' | 'network' }>, retryAfterMs: number | null): VisionError {
  if (outcome.kind === 'network') return new VisionError('network', outcome.message);
  const { status, message, code } = outcome;
  const detail = `HTTP ${status}${code ? ` ${code}` : ''}: ${message}`.slice(0, 400);
  const opts = {
    status,
    retryAfterSec: retryAfterMs === null ? null : retryAfterMs / 1000,
    remainingRequests: outcome.rateLimit?.remainingRequests ?? null,
  };
  if (status === 401) return new VisionError('unauthorized', detail, opts);
  if (status === 403) return new VisionError('forbidden', detail, opts);
  if (status === 404 || /model_(not_found|decommissioned)/u.test(code) || /decommissioned|does not exist/iu.test(message)) {
    return new VisionError('model-not-found', detail, opts);
  }
  if (status === 413 || /too large|pixels|payload/iu.test(message)) return new VisionError('too-large', detail, opts);
  if (status === 429) return new VisionError('rate-limited', detail, opts);
  if (status >= 500 || status === 408 || status === 409) return new VisionError('server', detail, opts);
  return new VisionError('bad-request', message.slice(0, 200) || detail, opts);
}
