// A fake OpenAI-compatible (Groq-like) vision chat-completions API on 127.0.0.1, for tests.
// Run by hand with `node tests/support/fake-openai.mjs` (port $VISION_PORT, default 4300), or
// import `createFakeOpenAI()` and listen on port 0 from a Node test.
//
// API routes (under basePath, default /openai/v1), answered like the real service:
//   GET  {base}/models            the model list
//   POST {base}/chat/completions  plays the current scenario (see SCENARIOS below)
//   anything else                 404 in the real error shape
// Every API request must carry `Authorization: Bearer <something>`, or it gets 401 (as the real
// service answers). Bodies above 20 MB get 413; a body that is not JSON gets 400.
// Every response carries CORS headers; OPTIONS preflights get 204.
//
// Control endpoints (called by tests from Node, never by the app; not logged):
//   GET  /__vision/log              the request log, as JSON
//   GET  /__vision/health           {"ok":true,"scenario":...}
//   POST /__vision/reset            clear the log, scenario 'ok'
//   POST /__vision/scenario/<name>  set the scenario (global); unknown names get 400
//   POST /__vision/reply            scenario 'custom': every chat request gets this JSON body's
//                                   {"content": string, "finishReason"?: string, "model"?: string}
//                                   as the reply (model: what the reply says answered)
//
// Every request to anything but a control endpoint is logged, OPTIONS preflights included:
// filter on method and path when counting chat requests.
//
// GET {base}/models lists MODELS in order: a text-only and an audio model first (so taking the
// first listed model is wrong), then two reasoning vision models, then the older ids. Entries carry
// input_modalities, context_window and max_completion_tokens, as Groq's do.
// Every 200 chat completion carries `usage`; those of the content scenarios also carry
// x-ratelimit-limit-requests / x-ratelimit-remaining-requests (1000, minus the chat requests since
// the scenario was set). The x-ratelimit-* headers and retry-after are exposed to pages via CORS.
//
// Scenarios added for reasoning models (numbers are in REASONING below):
//   models-bare          the model list has only `id` and `owned_by` per entry (same ids); chat as ok
//   reasoning            a Groq reasoning vision model (qwen/qwen3.6-27b): reasoning on by default,
//                        spending 1500 output tokens before the 200-token answer (the ok JSON), so a
//                        budget (max_completion_tokens, else max_tokens, else 1024) under 1700 is cut
//                        off: 200, finish_reason "length", empty content while still reasoning (a
//                        cut answer past 1500), or with JSON mode (response_format json_object or
//                        json_schema) 400 json_validate_failed instead. A budget above 16384 gets 400.
//                        reasoning_effort: "none" (no reasoning, needs 200) or "default"; anything
//                        else 400. reasoning_format: "parsed" (message.reasoning, whose text starts
//                        with a JSON-like decoy scoring anger), "raw" (<think>...</think> then the
//                        answer in content; 400 with JSON mode), "hidden" (no reasoning returned).
//                        Without reasoning_format: "parsed" with JSON mode, "raw" without (as Groq).
//                        usage.completion_tokens_details.reasoning_tokens says what reasoning spent.
//   reasoning-raw        a server that ignores reasoning parameters (Ollama, llama.cpp running a
//                        thinking model): any reasoning_* value is accepted; content is always
//                        <think>decoy reasoning</think> then the ok JSON; reasoning spends 300
//                        tokens, so a budget under 500 is cut off (an unclosed <think> under 300,
//                        finish_reason "length"); JSON mode is accepted and changes nothing; no
//                        output limit, no reasoning_tokens in usage.
//   no-reasoning-params  a plain OpenAI-style model: a body with a `reasoning_format` key, else one
//                        with a `reasoning_effort` key (any value, null included), gets 400
//                        "Unrecognized request argument supplied: <that key>"; otherwise as ok.
//   decommissioned       400 model_decommissioned for the retired Llama 4 ids (RETIRED_MODELS);
//                        any other model answers as in 'reasoning'. ('retired' stays 404 for all.)
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export const SCENARIOS = Object.freeze([
  'ok',
  'sad',
  'fenced',
  'garbage',
  'truncated',
  'json-mode-rejected',
  'unauthorized',
  'retired',
  'too-large',
  'rate-limited',
  'server-error',
  'always-500',
  'slow',
  'models-unauthorized',
  // Issue 7 (hostile servers): a 401 whose message echoes the whole key back, a 200 whose body is
  // not JSON, a server that closes the connection without answering, and a reply set by the test.
  'unauthorized-echo',
  'invalid-json',
  'hang-up',
  'custom',
  // Reasoning models (late 2026): see the header.
  'models-bare',
  'reasoning',
  'reasoning-raw',
  'no-reasoning-params',
  'decommissioned',
]);

const TEXT = Object.freeze(['text']);
const TEXT_IMAGE = Object.freeze(['text', 'image']);
const AUDIO = Object.freeze(['audio']);

// The order matters: the first two cannot see pictures.
export const MODELS = Object.freeze([
  { id: 'llama-3.3-70b-versatile', owned_by: 'Meta', input_modalities: TEXT, context_window: 131072, max_completion_tokens: 32768 },
  { id: 'whisper-large-v3', owned_by: 'OpenAI', input_modalities: AUDIO, context_window: 448, max_completion_tokens: 448 },
  { id: 'qwen/qwen3.6-27b', owned_by: 'Alibaba Cloud', input_modalities: TEXT_IMAGE, context_window: 131072, max_completion_tokens: 16384 },
  { id: 'qwen/qwen3.8-27b', owned_by: 'Alibaba Cloud', input_modalities: TEXT_IMAGE, context_window: 131072, max_completion_tokens: 16384 },
  { id: 'meta-llama/llama-4-maverick-17b-128e-instruct', owned_by: 'Meta', input_modalities: TEXT_IMAGE, context_window: 131072, max_completion_tokens: 8192 },
  { id: 'meta-llama/llama-4-scout-17b-16e-instruct', owned_by: 'Meta', input_modalities: TEXT_IMAGE, context_window: 131072, max_completion_tokens: 8192 },
  { id: 'qwen/qwen2.5-vl-7b-instruct', owned_by: 'Alibaba Cloud', input_modalities: TEXT_IMAGE, context_window: 32768, max_completion_tokens: 8192 },
  { id: 'llama-3.1-8b-instant', owned_by: 'Meta', input_modalities: TEXT, context_window: 131072, max_completion_tokens: 131072 },
].map((m) => Object.freeze(m)));

/** The ids the 'decommissioned' scenario refuses with 400 model_decommissioned. */
export const RETIRED_MODELS = Object.freeze([
  'meta-llama/llama-4-maverick-17b-128e-instruct',
  'meta-llama/llama-4-scout-17b-16e-instruct',
]);

/** What the reasoning scenarios spend and allow, in tokens, and the reasoning text they send. */
export const REASONING = Object.freeze({
  /** Reasoning spent by 'reasoning' (and 'decommissioned') before the answer, unless effort is "none". */
  reasoningTokens: 1500,
  /** Reasoning spent by 'reasoning-raw'. */
  rawReasoningTokens: 300,
  /** What the answer (CONTENT.ok) costs in these scenarios. */
  answerTokens: 200,
  /** The budget when the request sets neither max_completion_tokens nor max_tokens. */
  defaultBudget: 1024,
  /** The largest budget 'reasoning' accepts. */
  maxCompletionTokens: 16384,
  /** The JSON-like decoy the reasoning starts with: read as the answer, it says anger. */
  decoy: 'Maybe {"scores": {"anger": 1}}... no, the face smiles.',
  /** The whole reasoning text (starts with the decoy). */
  text:
    'Maybe {"scores": {"anger": 1}}... no, the face smiles. The cheeks are raised and the eyes are bright, ' +
    'the posture is relaxed and open. Joy is clearly the strongest, a little neutral, the rest close to zero. ' +
    'I will answer with the JSON object only.',
});

const MODEL_CREATED = 1_743_877_158;

export const CONTENT = Object.freeze({
  ok: JSON.stringify({
    description: 'A smiling face with raised cheeks and bright eyes; relaxed open posture.',
    scores: { anger: 0.01, disgust: 0.01, fear: 0.02, joy: 0.86, neutral: 0.06, sadness: 0.02, surprise: 0.02 },
  }),
  sad: JSON.stringify({
    description: 'Downturned mouth corners and a lowered gaze; drooping eyelids and slumped shoulders.',
    scores: { anger: 0.03, disgust: 0.02, fear: 0.06, joy: 0.01, neutral: 0.14, sadness: 0.71, surprise: 0.03 },
  }),
  fenced:
    'Here is my analysis of the image:\n' +
    '```json\n' +
    '{"description": "Wide smile showing teeth, crinkled eyes and raised eyebrows.", ' +
    '"scores": {"happiness": "72%", "Angry": 3, "sad": 5, "fearful": 2, "disgusted": 1, "surprised": 12, "neutral": 5}}\n' +
    '```\n' +
    'Let me know if you would like a more detailed breakdown of the facial cues.',
  garbage: "I'm sorry, I can't help with that.",
  truncated: '{"description":"A smiling face with raised cheeks and bright eyes; relaxed open po',
});

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers':
    'retry-after, x-request-id, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, ' +
    'x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens',
  'cross-origin-resource-policy': 'cross-origin',
};

function requestId() {
  return `req_${randomBytes(13).toString('hex')}`;
}

function apiError(message, type, code, param) {
  const error = { message, type };
  if (param !== undefined) error.param = param;
  if (code !== undefined) error.code = code;
  return { error };
}

function send(res, status, body, extraHeaders = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'x-request-id': requestId(),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...extraHeaders,
  });
  res.end(text);
}

/** Reads the whole body; stops keeping bytes (but keeps draining) past MAX_BODY_BYTES. */
function readBody(req) {
  return new Promise((resolveBody) => {
    const chunks = [];
    let bytes = 0;
    req.on('data', (chunk) => {
      bytes += chunk.length;
      if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    const done = () => resolveBody({ bytes, tooLarge: bytes > MAX_BODY_BYTES, buffer: Buffer.concat(chunks) });
    req.on('end', done);
    req.on('error', done);
    req.on('aborted', done);
  });
}

function parseJson(buffer) {
  if (buffer.length === 0) return { ok: false, value: null };
  try {
    return { ok: true, value: JSON.parse(buffer.toString('utf8')) };
  } catch {
    return { ok: false, value: null };
  }
}

function estimateTokens(text) {
  return Math.max(1, Math.ceil(text.length / 4));
}

function completion(model, content, finishReason = 'stop', promptBytes = 0) {
  const prompt_tokens = 20 + Math.ceil(promptBytes / 1000);
  const completion_tokens = estimateTokens(content);
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  };
}

/**
 * A completion from a reasoning model. `answerTokens`/`reasoningTokens` are what was spent;
 * `reasoning` (parsed format) goes to message.reasoning; `details: false` leaves out
 * completion_tokens_details (servers that do not count reasoning apart).
 */
function reasoningCompletion(model, { content, reasoning, finishReason, promptBytes, reasoningTokens, answerTokens, details = true }) {
  const body = completion(model, content, finishReason, promptBytes);
  if (reasoning !== undefined) body.choices[0].message.reasoning = reasoning;
  const { prompt_tokens } = body.usage;
  const completion_tokens = reasoningTokens + answerTokens;
  body.usage = { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
  if (details) body.usage.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  return body;
}

/** The first part of `text` written with `spent` of its `total` tokens; never shorter than the decoy. */
function partial(text, spent, total) {
  if (spent >= total) return text;
  const chars = Math.max(REASONING.decoy.length, Math.floor((text.length * spent) / total));
  return text.slice(0, Math.min(chars, text.length - 1));
}

function isJsonMode(request) {
  const type = request.response_format?.type;
  return type === 'json_object' || type === 'json_schema';
}

/** Where a body's output budget comes from: max_completion_tokens wins over max_tokens. */
function budgetOf(request) {
  for (const param of ['max_completion_tokens', 'max_tokens']) {
    if (request[param] !== undefined && request[param] !== null) return { param, value: request[param] };
  }
  return { param: null, value: REASONING.defaultBudget };
}

function oneOfError(param, allowed) {
  return apiError(
    `"${param}" must be one of: ${allowed.map((v) => `"${v}"`).join(', ')}`,
    'invalid_request_error',
    'invalid_request_error',
    param,
  );
}

const ERRORS = {
  unauthorized: () => apiError('Invalid API Key', 'invalid_request_error', 'invalid_api_key'),
  tooLarge: () => apiError('Request Entity Too Large', 'invalid_request_error', 'request_too_large'),
  badJson: () =>
    apiError(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)",
      'invalid_request_error',
      'invalid_request_error',
    ),
  serverError: () => apiError('Internal Server Error', 'internal_server_error'),
};

function retiredError(model) {
  if (MODELS.some((m) => m.id === model)) {
    return apiError(
      `The model \`${model}\` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.`,
      'invalid_request_error',
      'model_decommissioned',
    );
  }
  return apiError(
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
  );
}

function jsonValidateFailed(failedGeneration) {
  const body = apiError(
    "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.",
    'invalid_request_error',
    'json_validate_failed',
  );
  body.error.failed_generation = failedGeneration;
  return body;
}

function rateLimitError(model) {
  return apiError(
    `Rate limit reached for model \`${model}\` in organization \`org_01moodlensfake\` service tier \`on_demand\` on tokens per minute (TPM): Limit 6000, Used 5790, Requested 1412. Please try again in 2s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing`,
    'tokens',
    'rate_limit_exceeded',
  );
}

/**
 * @param {{ basePath?: string, slowMs?: number }} [options]
 */
export function createFakeOpenAI({ basePath = '/openai/v1', slowMs = 8000 } = {}) {
  const base = basePath.replace(/\/+$/, '');
  const log = [];
  let scenario = 'ok';
  let chatCount = 0; // chat requests since the scenario was last set
  let custom = { content: '', finishReason: 'stop' };

  function setScenario(name) {
    if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario: ${name}`);
    scenario = name;
    chatCount = 0;
  }

  function reset() {
    log.length = 0;
    custom = { content: '', finishReason: 'stop' };
    setScenario('ok');
  }

  function handleControl(req, res, pathname) {
    if (pathname === '/__vision/log' && req.method === 'GET') return send(res, 200, log);
    if (pathname === '/__vision/health' && req.method === 'GET') return send(res, 200, { ok: true, scenario });
    if (pathname === '/__vision/reset' && req.method === 'POST') {
      reset();
      return send(res, 200, { ok: true, scenario });
    }
    if (pathname === '/__vision/reply' && req.method === 'POST') {
      return readBody(req).then(({ buffer }) => {
        const parsed = parseJson(buffer);
        const value = parsed.value;
        if (!parsed.ok || typeof value?.content !== 'string') return send(res, 400, { ok: false, error: 'expected {"content": string}' });
        custom = {
          content: value.content,
          finishReason: typeof value.finishReason === 'string' ? value.finishReason : 'stop',
          model: typeof value.model === 'string' ? value.model : undefined,
        };
        setScenario('custom');
        return send(res, 200, { ok: true, scenario, contentChars: custom.content.length });
      });
    }
    const match = pathname.match(/^\/__vision\/scenario\/([^/]+)$/);
    if (match && req.method === 'POST') {
      const name = decodeURIComponent(match[1] ?? '');
      if (!SCENARIOS.includes(name)) return send(res, 400, { ok: false, error: `unknown scenario: ${name}`, scenarios: SCENARIOS });
      setScenario(name);
      return send(res, 200, { ok: true, scenario });
    }
    return send(res, 404, { ok: false, error: `unknown control endpoint: ${req.method} ${pathname}` });
  }

  function models(res) {
    if (scenario === 'models-unauthorized') return send(res, 401, ERRORS.unauthorized());
    if (scenario === 'models-bare') {
      return send(res, 200, { object: 'list', data: MODELS.map((m) => ({ id: m.id, owned_by: m.owned_by })) });
    }
    return send(res, 200, {
      object: 'list',
      data: MODELS.map((m) => ({
        id: m.id,
        object: 'model',
        created: MODEL_CREATED,
        owned_by: m.owned_by,
        active: true,
        context_window: m.context_window,
        max_completion_tokens: m.max_completion_tokens,
        input_modalities: [...m.input_modalities],
        public_apps: null,
      })),
    });
  }

  /** The request-count headers a successful chat reply carries. */
  function requestHeaders() {
    return { 'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': String(Math.max(0, 1000 - chatCount)) };
  }

  /** Plays a Groq reasoning vision model (scenario 'reasoning'); see the header. */
  function groqReasoning(res, request, model, bodyBytes) {
    const budget = budgetOf(request);
    if (budget.param !== null && (!Number.isInteger(budget.value) || budget.value < 1)) {
      return send(res, 400, apiError(`\`${budget.param}\` must be an integer greater than or equal to 1`, 'invalid_request_error', 'invalid_request_error', budget.param));
    }
    if (budget.value > REASONING.maxCompletionTokens) {
      const max = REASONING.maxCompletionTokens;
      return send(
        res,
        400,
        apiError(
          `\`${budget.param}\` must be less than or equal to \`${max}\`, the maximum value for \`${budget.param}\` is less than the \`context_window\` for this model`,
          'invalid_request_error',
          'invalid_request_error',
          budget.param,
        ),
      );
    }
    const effort = request.reasoning_effort ?? 'default';
    if (effort !== 'none' && effort !== 'default') return send(res, 400, oneOfError('reasoning_effort', ['none', 'default']));
    const jsonMode = isJsonMode(request);
    const format = request.reasoning_format ?? (jsonMode ? 'parsed' : 'raw');
    if (!['parsed', 'raw', 'hidden'].includes(format)) return send(res, 400, oneOfError('reasoning_format', ['parsed', 'raw', 'hidden']));
    if (format === 'raw' && jsonMode) {
      return send(
        res,
        400,
        apiError(
          '`reasoning_format` "raw" is not supported with JSON mode (`response_format`); use "parsed" or "hidden"',
          'invalid_request_error',
          'invalid_request_error',
          'reasoning_format',
        ),
      );
    }

    const thinks = effort !== 'none';
    const reasoningTokens = thinks ? Math.min(budget.value, REASONING.reasoningTokens) : 0;
    const answerTokens = Math.min(budget.value - reasoningTokens, REASONING.answerTokens);
    const cut = answerTokens < REASONING.answerTokens;
    const reasoningText = thinks ? partial(REASONING.text, reasoningTokens, REASONING.reasoningTokens) : '';
    const answer = cut ? CONTENT.ok.slice(0, Math.floor((CONTENT.ok.length * answerTokens) / REASONING.answerTokens)) : CONTENT.ok;
    const closed = reasoningTokens === REASONING.reasoningTokens;
    const thinkBlock = thinks ? `<think>\n${reasoningText}${closed ? '\n</think>\n\n' : ''}` : '';
    if (cut && jsonMode) return send(res, 400, jsonValidateFailed(thinkBlock + answer));
    const body = reasoningCompletion(model, {
      content: format === 'raw' ? thinkBlock + answer : answer,
      reasoning: format === 'parsed' && thinks ? reasoningText : undefined,
      finishReason: cut ? 'length' : 'stop',
      promptBytes: bodyBytes,
      reasoningTokens,
      answerTokens,
    });
    return send(res, 200, body, requestHeaders());
  }

  /** Plays a server that ignores reasoning parameters and always thinks aloud ('reasoning-raw'). */
  function rawThinking(res, request, model, bodyBytes) {
    const { value } = budgetOf(request);
    const budget = Number.isInteger(value) && value > 0 ? value : REASONING.defaultBudget;
    const reasoningTokens = Math.min(budget, REASONING.rawReasoningTokens);
    const answerTokens = Math.min(budget - reasoningTokens, REASONING.answerTokens);
    const cut = answerTokens < REASONING.answerTokens;
    const closed = reasoningTokens === REASONING.rawReasoningTokens;
    const think = `<think>\n${partial(REASONING.text, reasoningTokens, REASONING.rawReasoningTokens)}${closed ? '\n</think>\n\n' : ''}`;
    const answer = cut ? CONTENT.ok.slice(0, Math.floor((CONTENT.ok.length * answerTokens) / REASONING.answerTokens)) : CONTENT.ok;
    const body = reasoningCompletion(model, {
      content: think + answer,
      finishReason: cut ? 'length' : 'stop',
      promptBytes: bodyBytes,
      reasoningTokens,
      answerTokens,
      details: false,
    });
    return send(res, 200, body, requestHeaders());
  }

  function chat(req, res, body, bodyBytes) {
    if (scenario === 'unauthorized' || scenario === 'models-unauthorized') return send(res, 401, ERRORS.unauthorized());
    if (scenario === 'unauthorized-echo') {
      // Some providers quote the key they refused; a careless one quotes all of it.
      const key = (req.headers.authorization ?? '').replace(/^Bearer\s+/iu, '');
      return send(res, 401, apiError(`Incorrect API key provided: ${key}. You can find your API key at https://console.groq.com/keys.`, 'invalid_request_error', 'invalid_api_key'));
    }
    if (scenario === 'hang-up') {
      req.socket.destroy();
      return undefined;
    }
    if (scenario === 'too-large') return send(res, 413, ERRORS.tooLarge());
    if (!body.ok) return send(res, 400, ERRORS.badJson());
    const request = body.value;
    if (typeof request !== 'object' || request === null || Array.isArray(request)) return send(res, 400, ERRORS.badJson());
    if (typeof request.model !== 'string' || request.model === '') {
      return send(res, 400, apiError("'model' : property 'model' is missing", 'invalid_request_error', 'invalid_request_error', 'model'));
    }
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      return send(res, 400, apiError("'messages' : property 'messages' is missing", 'invalid_request_error', 'invalid_request_error', 'messages'));
    }
    if (request.stream === true) {
      return send(res, 400, apiError('fake-openai: stream: true is not implemented', 'invalid_request_error', 'invalid_request_error', 'stream'));
    }
    chatCount += 1;
    const model = request.model;
    const ok = (content = CONTENT.ok, finish = 'stop') => send(res, 200, completion(model, content, finish, bodyBytes), requestHeaders());

    switch (scenario) {
      case 'sad':
        return ok(CONTENT.sad);
      case 'fenced':
        return ok(CONTENT.fenced);
      case 'garbage':
        return ok(CONTENT.garbage);
      case 'truncated':
        return ok(CONTENT.truncated, 'length');
      case 'json-mode-rejected':
        if (request.response_format !== undefined) {
          return send(
            res,
            400,
            apiError('response_format is not supported with this model', 'invalid_request_error', 'invalid_request_error', 'response_format'),
          );
        }
        return ok();
      case 'retired':
        return send(res, 404, retiredError(model));
      case 'rate-limited':
        if (chatCount === 1) {
          return send(res, 429, rateLimitError(model), {
            'retry-after': '2',
            'x-ratelimit-limit-requests': '1000',
            'x-ratelimit-remaining-requests': '999',
            'x-ratelimit-reset-requests': '1m26.4s',
            'x-ratelimit-limit-tokens': '6000',
            'x-ratelimit-remaining-tokens': '0',
            'x-ratelimit-reset-tokens': '2s',
          });
        }
        return ok();
      case 'server-error':
        if (chatCount === 1) return send(res, 500, ERRORS.serverError());
        return ok();
      case 'always-500':
        return send(res, 500, ERRORS.serverError());
      case 'reasoning':
        return groqReasoning(res, request, model, bodyBytes);
      case 'reasoning-raw':
        return rawThinking(res, request, model, bodyBytes);
      case 'decommissioned':
        if (RETIRED_MODELS.includes(model)) return send(res, 400, retiredError(model));
        return groqReasoning(res, request, model, bodyBytes);
      case 'no-reasoning-params':
        for (const param of ['reasoning_format', 'reasoning_effort']) {
          if (Object.hasOwn(request, param)) {
            return send(res, 400, apiError(`Unrecognized request argument supplied: ${param}`, 'invalid_request_error', null, param));
          }
        }
        return ok();
      case 'custom':
        return send(res, 200, completion(custom.model ?? model, custom.content, custom.finishReason, bodyBytes));
      case 'invalid-json':
        if (res.headersSent || res.destroyed) return undefined;
        res.writeHead(200, { ...CORS_HEADERS, 'x-request-id': requestId(), 'content-type': 'application/json' });
        res.end(`{"id":"chatcmpl-${randomBytes(12).toString('hex')}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\\"descr`);
        return undefined;
      case 'slow': {
        const timer = setTimeout(ok, slowMs);
        // 'close' on the response fires when it is sent or when the client goes away.
        res.on('close', () => clearTimeout(timer));
        return undefined;
      }
      default:
        return ok();
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = url.pathname;
    if (req.method === 'OPTIONS' && pathname.startsWith('/__vision/')) return send(res, 204);
    if (pathname.startsWith('/__vision/')) {
      req.resume();
      return handleControl(req, res, pathname);
    }

    const raw = await readBody(req);
    const body = parseJson(raw.buffer);
    log.push({
      method: req.method,
      path: pathname,
      headers: { ...req.headers },
      query: url.search,
      body: raw.tooLarge ? null : body.value,
      bodyBytes: raw.bytes,
      at: Date.now(),
    });

    if (req.method === 'OPTIONS') return send(res, 204);
    if (raw.tooLarge) return send(res, 413, ERRORS.tooLarge());

    const route = `${req.method} ${pathname}`;
    const known = route === `GET ${base}/models` || route === `POST ${base}/chat/completions`;
    if (!known) {
      return send(
        res,
        404,
        apiError(
          `Unknown request URL: ${req.method} ${pathname}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`,
          'invalid_request_error',
          'unknown_url',
        ),
      );
    }
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer\s+\S+/i.test(auth)) return send(res, 401, ERRORS.unauthorized());
    if (route === `GET ${base}/models`) return models(res);
    return chat(req, res, body, raw.bytes);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('fake-openai: handler failed', error);
      send(res, 500, ERRORS.serverError());
    });
  });
  // Never crash on a client that goes away or sends garbage.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  return { server, log, setScenario, reset, get scenario() { return scenario; } };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const port = Number(process.env.VISION_PORT ?? 4300);
  const host = '127.0.0.1';
  const { server } = createFakeOpenAI();
  server.listen(port, host, () => {
    console.log(`fake OpenAI-compatible vision API on http://${host}:${port}/openai/v1 (control: http://${host}:${port}/__vision/)`);
  });
}
