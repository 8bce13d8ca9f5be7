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
]);

export const MODELS = Object.freeze([
  { id: 'meta-llama/llama-4-maverick-17b-128e-instruct', owned_by: 'Meta', context_window: 131072 },
  { id: 'meta-llama/llama-4-scout-17b-16e-instruct', owned_by: 'Meta', context_window: 131072 },
  { id: 'qwen/qwen2.5-vl-7b-instruct', owned_by: 'Alibaba Cloud', context_window: 32768 },
  { id: 'llama-3.1-8b-instant', owned_by: 'Meta', context_window: 131072 },
]);

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
  'access-control-expose-headers': 'retry-after, x-request-id',
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
    return send(res, 200, {
      object: 'list',
      data: MODELS.map((m) => ({
        id: m.id,
        object: 'model',
        created: MODEL_CREATED,
        owned_by: m.owned_by,
        active: true,
        context_window: m.context_window,
        public_apps: null,
      })),
    });
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
    const ok = (content = CONTENT.ok, finish = 'stop') => send(res, 200, completion(model, content, finish, bodyBytes));

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
