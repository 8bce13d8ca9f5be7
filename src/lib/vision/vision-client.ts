// Calls an OpenAI-compatible chat-completions endpoint with one picture: one request per user
// action, a timeout, a user cancel that is not an error, retries only where they can help
// (408/409/429/5xx, network errors; at most two, honouring retry-after), one retry without JSON
// mode where a provider rejects `response_format`, and every failure as a VisionError. The key goes
// only to the configured base URL, in the Authorization header, and never comes back out: any
// text of the provider's that reaches the user (an error message quoting the key) is redacted.
// Replies are read up to MAX_REPLY_BYTES; a larger or non-JSON body is a failure, not a freeze.
import { topEmotion, type Emotion, type EmotionScores } from '../domain/emotions';
import { decideRetry } from '../domain/retry';
import { parseVisionReply } from '../domain/vision-reply';
import { VisionError } from '../domain/vision-errors';
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
  /** Called before each wait between attempts (for a visible countdown). */
  readonly onWait?: (wait: { seconds: number; reason: 'rate-limit' | 'retry'; attempt: number }) => void;
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
  let jsonMode = true;
  let retries = 0;
  let requests = 0;
  for (;;) {
    if (call.signal?.aborted) throw new VisionError('cancelled', 'Cancelled before sending.');
    requests += 1;
    const outcome = await attempt(call, jsonMode, deps);
    if (outcome.kind === 'unreadable') throw new VisionError('bad-reply', outcome.detail);
    if (outcome.kind === 'ok') {
      const parsed = parseVisionReply(outcome.content, outcome.finishReason);
      if (!parsed.ok) {
        throw new VisionError(parsed.failure === 'truncated' ? 'truncated' : 'bad-reply', parsed.detail);
      }
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
      };
    }
    if (outcome.kind === 'http' && outcome.status === 400 && jsonMode && mentionsJsonMode(outcome.message)) {
      // Some providers or models refuse JSON mode: ask once more without it.
      jsonMode = false;
      continue;
    }
    const decision = decideRetry({
      status: outcome.kind === 'http' ? outcome.status : null,
      retriesSoFar: retries,
      retryAfter: outcome.kind === 'http' ? outcome.retryAfter : null,
      nowMs: deps.now(),
      random: deps.random,
    });
    if (!decision.retry) throw toError(outcome, decision.retryAfterMs);
    retries += 1;
    const rateLimited = outcome.kind === 'http' && outcome.status === 429;
    call.onWait?.({ seconds: Math.ceil(decision.delayMs / 1000), reason: rateLimited ? 'rate-limit' : 'retry', attempt: retries });
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
  | { kind: 'ok'; content: unknown; finishReason: unknown; model: string }
  | { kind: 'unreadable'; detail: string }
  | { kind: 'http'; status: number; message: string; code: string; retryAfter: string | null }
  | { kind: 'network'; message: string };

async function attempt(call: VisionCall, jsonMode: boolean, deps: VisionDeps): Promise<Outcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('timeout', 'TimeoutError')), call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await deps.fetch(endpoint(call.baseUrl, 'chat/completions'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${call.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(buildVisionRequest({ model: call.model, imageDataUrl: call.imageDataUrl, jsonMode })),
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
        retryAfter: response.headers.get('retry-after'),
      };
    }
    if (read.tooLarge) return { kind: 'unreadable', detail: `The reply was larger than ${MAX_REPLY_BYTES / 1024 / 1024} MB.` };
    if (!read.json) return { kind: 'unreadable', detail: 'The provider sent a response that is not valid JSON.' };
    const choice = isRecord(body) && Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : null;
    const message = choice && isRecord(choice.message) ? choice.message : null;
    return {
      kind: 'ok',
      content: message?.content ?? null,
      finishReason: choice?.finish_reason ?? null,
      model: isRecord(body) ? servedModel(body.model) : '',
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

function mentionsJsonMode(message: string): boolean {
  return /response_format|json[_ ]?(mode|object)/iu.test(message);
}

/** Maps a final failed attempt to the error the user sees. */
function toError(outcome: Extract<Outcome, { kind: 'http' | 'network' }>, retryAfterMs: number | null): VisionError {
  if (outcome.kind === 'network') return new VisionError('network', outcome.message);
  const { status, message, code } = outcome;
  const detail = `HTTP ${status}${code ? ` ${code}` : ''}: ${message}`.slice(0, 400);
  const opts = { status, retryAfterSec: retryAfterMs === null ? null : retryAfterMs / 1000 };
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
