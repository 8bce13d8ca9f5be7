// @vitest-environment node
// The fake OpenAI-compatible vision API (tests/support/fake-openai.mjs), spoken to with real
// fetch over 127.0.0.1, and the image fixtures written by scripts/make-image-fixtures.mjs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTENT,
  MODELS,
  REASONING,
  RETIRED_MODELS,
  SCENARIOS,
  createFakeOpenAI,
  type FakeOpenAI,
  type VisionScenario,
} from '../support/fake-openai.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const IMAGES = join(ROOT, 'tests/fixtures/images');
const LABELS = ['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise'];
const MODEL = 'meta-llama/llama-4-scout-17b-16e-instruct';
const KEY = 'gsk_test_0123456789';

interface ApiError {
  error: { message: string; type: string; code?: string | null; param?: string | null };
}
interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; message: { role: string; content: string; reasoning?: string }; finish_reason: string }[];
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    completion_tokens_details?: { reasoning_tokens: number };
  };
}
interface ModelList {
  object: string;
  data: {
    id: string;
    object: string;
    created: number;
    owned_by: string;
    active: boolean;
    context_window: number;
    max_completion_tokens: number;
    input_modalities: string[];
  }[];
}
interface Analysis {
  description: string;
  scores: Record<string, number>;
}

async function listen(fake: FakeOpenAI): Promise<string> {
  await new Promise<void>((done) => fake.server.listen(0, '127.0.0.1', done));
  const { port } = fake.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

async function close(fake: FakeOpenAI): Promise<void> {
  fake.server.closeAllConnections();
  await new Promise<void>((done) => fake.server.close(() => done()));
}

function chatBody(extra: Record<string, unknown> = {}) {
  return {
    model: MODEL,
    temperature: 0,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe the visual emotional cues and score 7 emotions as JSON.' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
        ],
      },
    ],
    ...extra,
  };
}

let fake: FakeOpenAI;
let origin: string;
let api: string;

function chat(body: unknown = chatBody(), headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${api}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

function models(headers: Record<string, string> = { authorization: `Bearer ${KEY}` }): Promise<Response> {
  return fetch(`${api}/models`, { headers });
}

async function scenario(name: string): Promise<Response> {
  return fetch(`${origin}/__vision/scenario/${name}`, { method: 'POST' });
}

function chatLog() {
  return fake.log.filter((e) => e.method === 'POST' && e.path === '/openai/v1/chat/completions');
}

beforeAll(async () => {
  fake = createFakeOpenAI();
  origin = await listen(fake);
  api = `${origin}/openai/v1`;
});

afterAll(async () => {
  await close(fake);
});

beforeEach(async () => {
  const res = await fetch(`${origin}/__vision/reset`, { method: 'POST' });
  expect(res.status).toBe(200);
});

describe('fake OpenAI: HTTP basics', () => {
  it('answers a CORS preflight with 204 and the CORS headers', async () => {
    const res = await fetch(`${api}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:4173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(res.headers.get('access-control-expose-headers')?.split(', ')).toEqual([
      'retry-after',
      'x-request-id',
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ]);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(fake.log.map((e) => e.method)).toEqual(['OPTIONS']);
  });

  it('lists models in the OpenAI/Groq shape, with CORS headers', async () => {
    const res = await models();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as ModelList;
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(
      expect.arrayContaining([
        'meta-llama/llama-4-maverick-17b-128e-instruct',
        'meta-llama/llama-4-scout-17b-16e-instruct',
        'qwen/qwen2.5-vl-7b-instruct',
        'llama-3.1-8b-instant',
      ]),
    );
    for (const m of body.data) {
      expect(m).toMatchObject({ object: 'model', active: true });
      expect(typeof m.created).toBe('number');
      expect(typeof m.owned_by).toBe('string');
      expect(m.context_window).toBeGreaterThan(0);
    }
  });

  it('answers 401 invalid_api_key without an Authorization header', async () => {
    const res = await models({});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } });
  });

  it('answers unknown routes with a 404 in the real error shape', async () => {
    for (const [method, path] of [
      ['GET', `${api}/nope`],
      ['GET', `${api}/chat/completions`],
      ['POST', `${origin}/v1/chat/completions`],
    ] as const) {
      const res = await fetch(path, { method, headers: { authorization: `Bearer ${KEY}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const body = (await res.json()) as ApiError;
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'unknown_url' });
      expect(body.error.message).toContain('Unknown request URL');
    }
  });

  it('logs method, path, lower-case headers, query, parsed body, size and time; not control calls', async () => {
    const before = Date.now();
    const body = chatBody({ response_format: { type: 'json_object' } });
    const res = await fetch(`${api}/chat/completions?trace=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', 'X-Extra': 'yes' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await fetch(`${origin}/__vision/health`);
    const log = (await (await fetch(`${origin}/__vision/log`)).json()) as typeof fake.log;
    expect(log).toHaveLength(1);
    const [entry] = log;
    expect(entry).toMatchObject({ method: 'POST', path: '/openai/v1/chat/completions', query: '?trace=1', body });
    expect(entry?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(entry?.headers['content-type']).toBe('application/json');
    expect(entry?.headers['x-extra']).toBe('yes');
    expect(entry?.bodyBytes).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(entry?.at).toBeGreaterThanOrEqual(before);
    expect(fake.log).toEqual(log);
  });

  it('answers a malformed JSON body with 400 in the real shape, logs body null, and keeps serving', async () => {
    const res = await chat('{"model": "x", "messages": [');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiError;
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/parse the JSON body/);
    expect(fake.log[0]).toMatchObject({ body: null, bodyBytes: 28 });
    expect((await chat('')).status).toBe(400);
    expect((await chat('[1, 2]')).status).toBe(400);
    expect((await chat({ model: MODEL })).status).toBe(400);
    expect((await chat()).status).toBe(200);
  });

  it('accepts a body of several MB and answers 413 above 20 MB', async () => {
    const big = chatBody();
    const image = `data:image/jpeg;base64,${'A'.repeat(6 * 1024 * 1024)}`;
    (big.messages[0]?.content[1] as { image_url: { url: string } }).image_url.url = image;
    const ok = await chat(big);
    expect(ok.status).toBe(200);
    const usage = ((await ok.json()) as ChatCompletion).usage;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(fake.log[0]?.bodyBytes).toBeGreaterThan(6 * 1024 * 1024);

    const tooBig = await chat(JSON.stringify({ ...chatBody(), pad: 'x'.repeat(21 * 1024 * 1024) }));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as ApiError).error.message).toBe('Request Entity Too Large');
    expect(fake.log[1]).toMatchObject({ body: null });
    expect(fake.log[1]?.bodyBytes).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('sets scenarios through the control endpoint and refuses unknown ones', async () => {
    expect(SCENARIOS).toHaveLength(23);
    const res = await scenario('sad');
    expect(res.status).toBe(200);
    expect(fake.scenario).toBe('sad');
    expect((await scenario('nope')).status).toBe(400);
    expect(fake.scenario).toBe('sad');
    expect(() => fake.setScenario('nope' as VisionScenario)).toThrow(/unknown scenario/);
    fake.setScenario('garbage');
    expect(fake.scenario).toBe('garbage');
    await chat();
    const log = fake.log;
    fake.reset();
    expect(fake.scenario).toBe('ok');
    expect(log).toHaveLength(0); // emptied in place
  });
});

describe('fake OpenAI: scenarios', () => {
  async function completion(name: VisionScenario, body: { model: string } = chatBody()) {
    expect((await scenario(name)).status).toBe(200);
    const res = await chat(body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as ChatCompletion;
    expect(json).toMatchObject({ object: 'chat.completion', model: body.model });
    expect(json.id).toMatch(/^chatcmpl-/);
    expect(json.choices).toHaveLength(1);
    expect(json.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant' } });
    expect(typeof json.choices[0]?.message.content).toBe('string');
    return json;
  }

  async function failure(name: VisionScenario, status: number, body: unknown = chatBody()) {
    expect((await scenario(name)).status).toBe(200);
    const res = await chat(body);
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const json = (await res.json()) as ApiError;
    expect(typeof json.error.message).toBe('string');
    expect(typeof json.error.type).toBe('string');
    return { res, json };
  }

  it('ok: clean JSON with a description and 7 scores, joy first', async () => {
    const json = await completion('ok');
    expect(json.choices[0]?.finish_reason).toBe('stop');
    const analysis = JSON.parse(json.choices[0]?.message.content ?? '') as Analysis;
    expect(analysis.description).toMatch(/smiling/);
    expect(Object.keys(analysis.scores).sort()).toEqual(LABELS);
    const top = Object.entries(analysis.scores).sort((a, b) => b[1] - a[1])[0];
    expect(top?.[0]).toBe('joy');
    expect(Object.values(analysis.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('echoes the requested model', async () => {
    const json = await completion('ok', chatBody({ model: 'qwen/qwen2.5-vl-7b-instruct' }));
    expect(json.model).toBe('qwen/qwen2.5-vl-7b-instruct');
  });

  it('sad: clean JSON, sadness about 0.7', async () => {
    const analysis = JSON.parse((await completion('sad')).choices[0]?.message.content ?? '') as Analysis;
    expect(Object.keys(analysis.scores).sort()).toEqual(LABELS);
    expect(analysis.scores.sadness).toBeCloseTo(0.7, 1);
    expect(analysis.description).toMatch(/downturned mouth/i);
    expect(analysis.description).toMatch(/lowered gaze/i);
  });

  it('fenced: prose around a ```json block with label synonyms and percentages', async () => {
    const content = (await completion('fenced')).choices[0]?.message.content ?? '';
    expect(content).toBe(CONTENT.fenced);
    expect(() => JSON.parse(content)).toThrow();
    const inner = /```json\n([\s\S]*?)\n```/.exec(content)?.[1] ?? '';
    const analysis = JSON.parse(inner) as { description: string; scores: Record<string, number | string> };
    expect(analysis.scores).toMatchObject({ happiness: '72%', Angry: 3, surprised: 12 });
    expect(content.startsWith('Here is my analysis')).toBe(true);
    expect(content.trimEnd().endsWith('```')).toBe(false);
  });

  it('garbage: a refusal without JSON', async () => {
    const content = (await completion('garbage')).choices[0]?.message.content ?? '';
    expect(content).toBe("I'm sorry, I can't help with that.");
    expect(content).not.toContain('{');
  });

  it('truncated: cut mid-JSON with finish_reason length', async () => {
    const json = await completion('truncated');
    expect(json.choices[0]?.finish_reason).toBe('length');
    const content = json.choices[0]?.message.content ?? '';
    expect(content.startsWith('{')).toBe(true);
    expect(() => JSON.parse(content)).toThrow();
  });

  it('json-mode-rejected: 400 on response_format, ok without it', async () => {
    const { json } = await failure('json-mode-rejected', 400, chatBody({ response_format: { type: 'json_object' } }));
    expect(json.error).toEqual({
      message: 'response_format is not supported with this model',
      type: 'invalid_request_error',
      code: 'invalid_request_error',
      param: 'response_format',
    });
    const res = await chat();
    expect(res.status).toBe(200);
    expect(((await res.json()) as ChatCompletion).choices[0]?.message.content).toBe(CONTENT.ok);
  });

  it('unauthorized: chat 401 invalid_api_key, models still listed', async () => {
    const { json } = await failure('unauthorized', 401);
    expect(json.error).toEqual({ message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' });
    expect((await models()).status).toBe(200);
  });

  it('models-unauthorized: models 401 and chat 401', async () => {
    await failure('models-unauthorized', 401);
    const res = await models();
    expect(res.status).toBe(401);
    expect(((await res.json()) as ApiError).error.code).toBe('invalid_api_key');
  });

  it('retired: 404 model_decommissioned for a listed model, model_not_found otherwise', async () => {
    const { json } = await failure('retired', 404);
    expect(json.error.code).toBe('model_decommissioned');
    expect(json.error.message).toContain(`The model \`${MODEL}\` has been decommissioned`);
    const res = await chat(chatBody({ model: 'llava-v1.5-7b-4096-preview' }));
    expect(res.status).toBe(404);
    const other = (await res.json()) as ApiError;
    expect(other.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    expect(other.error.message).toBe('The model `llava-v1.5-7b-4096-preview` does not exist or you do not have access to it.');
  });

  it('too-large: 413 Request Entity Too Large', async () => {
    const { json } = await failure('too-large', 413);
    expect(json.error.message).toBe('Request Entity Too Large');
  });

  it('rate-limited: 429 with retry-after 2 (exposed to the page), then 200', async () => {
    const { res, json } = await failure('rate-limited', 429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(json.error.code).toBe('rate_limit_exceeded');
    expect(json.error.message).toMatch(/^Rate limit reached for model/);
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(200);
    // Setting the scenario again re-arms the 429.
    await scenario('rate-limited');
    expect((await chat()).status).toBe(429);
  });

  it('server-error: 500 once, then 200', async () => {
    const { json } = await failure('server-error', 500);
    expect(json).toEqual({ error: { message: 'Internal Server Error', type: 'internal_server_error' } });
    expect((await chat()).status).toBe(200);
  });

  it('always-500: every chat request 500', async () => {
    await failure('always-500', 500);
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(500);
  });

  it('slow: a client that gives up is let go, and the server keeps serving', async () => {
    await scenario('slow');
    const started = Date.now();
    const controller = new AbortController();
    const pending = chat(chatBody(), {}, controller.signal);
    setTimeout(() => controller.abort(), 300);
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(chatLog()).toHaveLength(1);
    await scenario('ok');
    expect((await chat()).status).toBe(200);
  });

  it('unauthorized-echo: 401 whose message quotes the whole key', async () => {
    const res = await scenario('unauthorized-echo');
    expect(res.status).toBe(200);
    const reply = await chat();
    expect(reply.status).toBe(401);
    expect(((await reply.json()) as ApiError).error.message).toContain(KEY);
  });

  it('invalid-json: 200 with a JSON content type and a body cut mid-way', async () => {
    await scenario('invalid-json');
    const reply = await chat();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    const text = await reply.text();
    expect(text.startsWith('{"id":"chatcmpl-')).toBe(true);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('hang-up: closes the connection without an answer, and keeps serving', async () => {
    await scenario('hang-up');
    await expect(chat()).rejects.toThrow();
    expect(chatLog()).toHaveLength(1);
    await scenario('ok');
    expect((await chat()).status).toBe(200);
  });

  it('custom: replies with the content the test set, and refuses a body without content', async () => {
    const bad = await fetch(`${origin}/__vision/reply`, { method: 'POST', body: '{"nope":1}' });
    expect(bad.status).toBe(400);
    const content = `<script>alert(1)</script>${'x'.repeat(1000)}`;
    const set = await fetch(`${origin}/__vision/reply`, { method: 'POST', body: JSON.stringify({ content, finishReason: 'length' }) });
    expect(await set.json()).toEqual({ ok: true, scenario: 'custom', contentChars: content.length });
    const reply = (await (await chat()).json()) as ChatCompletion;
    expect(reply.choices[0]?.message.content).toBe(content);
    expect(reply.choices[0]?.finish_reason).toBe('length');
  });

  it('slow: answers like ok after the delay (slowMs shortened for the test)', async () => {
    const quick = createFakeOpenAI({ slowMs: 400 });
    const quickOrigin = await listen(quick);
    try {
      quick.setScenario('slow');
      const started = Date.now();
      const res = await fetch(`${quickOrigin}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody()),
      });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(((await res.json()) as ChatCompletion).choices[0]?.message.content).toBe(CONTENT.ok);
    } finally {
      await close(quick);
    }
  });

  it('honours a custom basePath', async () => {
    const other = createFakeOpenAI({ basePath: '/v1/' });
    const otherOrigin = await listen(other);
    try {
      const res = await fetch(`${otherOrigin}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(res.status).toBe(200);
      expect((await fetch(`${otherOrigin}/openai/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(404);
    } finally {
      await close(other);
    }
  });
});

describe('fake OpenAI: model list', () => {
  it('lists a text and an audio model first, then the reasoning vision models, each with modalities and limits', async () => {
    const body = (await (await models()).json()) as ModelList;
    expect(body.data.map((m) => [m.id, m.input_modalities])).toEqual([
      ['llama-3.3-70b-versatile', ['text']],
      ['whisper-large-v3', ['audio']],
      ['qwen/qwen3.6-27b', ['text', 'image']],
      ['qwen/qwen3.8-27b', ['text', 'image']],
      ['meta-llama/llama-4-maverick-17b-128e-instruct', ['text', 'image']],
      ['meta-llama/llama-4-scout-17b-16e-instruct', ['text', 'image']],
      ['qwen/qwen2.5-vl-7b-instruct', ['text', 'image']],
      ['llama-3.1-8b-instant', ['text']],
    ]);
    for (const id of ['qwen/qwen3.6-27b', 'qwen/qwen3.8-27b']) {
      expect(body.data.find((m) => m.id === id)).toMatchObject({ context_window: 131072, max_completion_tokens: 16384 });
    }
    for (const m of body.data) expect(m.max_completion_tokens).toBeGreaterThan(0);
    expect(body.data.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));
  });

  it('models-bare: the same ids with only id and owned_by', async () => {
    expect((await scenario('models-bare')).status).toBe(200);
    const res = await models();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Record<string, unknown>[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));
    for (const m of body.data) expect(Object.keys(m).sort()).toEqual(['id', 'owned_by']);
    const reply = await chat();
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as ChatCompletion).choices[0]?.message.content).toBe(CONTENT.ok);
  });
});

describe('fake OpenAI: reasoning models', () => {
  const QWEN = 'qwen/qwen3.6-27b';
  const JSON_MODE = { response_format: { type: 'json_object' } };
  const anger = /\{"scores": \{"anger": 1\}\}/u;

  async function play(name: VisionScenario, extra: Record<string, unknown>) {
    expect((await scenario(name)).status).toBe(200);
    const res = await chat(chatBody({ model: QWEN, ...extra }));
    const json = (await res.json()) as ChatCompletion & ApiError;
    return { res, json, choice: json.choices?.[0], usage: json.usage };
  }

  function expectJoy(content: string | undefined) {
    expect(content).toBe(CONTENT.ok);
    const analysis = JSON.parse(content ?? '') as Analysis;
    expect(Object.entries(analysis.scores).sort((a, b) => b[1] - a[1])[0]?.[0]).toBe('joy');
  }

  it('documents its numbers: 1500 reasoning + 200 answer tokens, default budget 1024, limit 16384', () => {
    expect(REASONING).toMatchObject({ reasoningTokens: 1500, rawReasoningTokens: 300, answerTokens: 200, defaultBudget: 1024, maxCompletionTokens: 16384 });
    expect(REASONING.text.startsWith(REASONING.decoy)).toBe(true);
    expect(REASONING.decoy).toMatch(anger);
  });

  it('reasoning: a big budget with JSON mode answers the joyful JSON, reasoning (with the decoy) apart', async () => {
    const { res, choice, usage } = await play('reasoning', { ...JSON_MODE, max_completion_tokens: 4096 });
    expect(res.status).toBe(200);
    expect(choice?.finish_reason).toBe('stop');
    expectJoy(choice?.message.content);
    expect(choice?.message.reasoning).toBe(REASONING.text);
    expect(usage).toMatchObject({ completion_tokens: 1700, completion_tokens_details: { reasoning_tokens: 1500 } });
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('999');
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
  });

  it('reasoning: no reasoning parameters and no budget: default 1024 is cut off, 400 json_validate_failed in JSON mode', async () => {
    const { res, json } = await play('reasoning', JSON_MODE);
    expect(res.status).toBe(400);
    expect(json.error).toMatchObject({
      message: "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.",
      type: 'invalid_request_error',
      code: 'json_validate_failed',
    });
    const failed = (json.error as { failed_generation?: unknown }).failed_generation;
    expect(typeof failed).toBe('string');
    expect(failed).toMatch(/^<think>/u);
    expect(failed).not.toContain('</think>');
  });

  it('reasoning: a small budget with JSON mode gets 400 json_validate_failed (max_tokens or max_completion_tokens)', async () => {
    for (const extra of [{ max_tokens: 1024 }, { max_completion_tokens: 1699 }, { max_tokens: 20000, max_completion_tokens: 300 }]) {
      const { res, json } = await play('reasoning', { ...JSON_MODE, ...extra });
      expect(res.status).toBe(400);
      expect(json.error.code).toBe('json_validate_failed');
    }
    const { res } = await play('reasoning', { ...JSON_MODE, max_tokens: 1700 });
    expect(res.status).toBe(200);
  });

  it('reasoning: a small budget without JSON mode: 200, length, empty content, partial reasoning with the decoy', async () => {
    const { res, choice, usage } = await play('reasoning', { max_completion_tokens: 300, reasoning_format: 'parsed' });
    expect(res.status).toBe(200);
    expect(choice?.finish_reason).toBe('length');
    expect(choice?.message.content).toBe('');
    expect(choice?.message.reasoning).toMatch(anger);
    expect(REASONING.text.startsWith(choice?.message.reasoning ?? 'x')).toBe(true);
    expect(choice?.message.reasoning?.length).toBeLessThan(REASONING.text.length);
    expect(usage).toMatchObject({ completion_tokens: 300, completion_tokens_details: { reasoning_tokens: 300 } });
  });

  it('reasoning: between 1500 and 1700 the answer itself is cut', async () => {
    const { choice } = await play('reasoning', { max_completion_tokens: 1600, reasoning_format: 'hidden' });
    expect(choice?.finish_reason).toBe('length');
    expect(choice?.message.reasoning).toBeUndefined();
    expect(CONTENT.ok.startsWith(choice?.message.content ?? 'x')).toBe(true);
    expect(() => JSON.parse(choice?.message.content ?? '') as unknown).toThrow();
  });

  it('reasoning: reasoning_effort other than none/default gets 400 naming the parameter and the values', async () => {
    for (const effort of ['low', 'medium', 'high', 'minimal']) {
      const { res, json } = await play('reasoning', { ...JSON_MODE, reasoning_effort: effort });
      expect(res.status).toBe(400);
      expect(json.error).toEqual({
        message: '"reasoning_effort" must be one of: "none", "default"',
        type: 'invalid_request_error',
        param: 'reasoning_effort',
        code: 'invalid_request_error',
      });
    }
  });

  it('reasoning: reasoning_effort none answers directly, with no reasoning and reasoning_tokens 0', async () => {
    const { res, choice, usage } = await play('reasoning', { ...JSON_MODE, reasoning_effort: 'none', max_completion_tokens: 300 });
    expect(res.status).toBe(200);
    expect(choice?.finish_reason).toBe('stop');
    expectJoy(choice?.message.content);
    expect(choice?.message.reasoning).toBeUndefined();
    expect(usage).toMatchObject({ completion_tokens: 200, completion_tokens_details: { reasoning_tokens: 0 } });
    // Still a budget: below the answer's 200 tokens, JSON mode fails.
    const small = await play('reasoning', { ...JSON_MODE, reasoning_effort: 'none', max_completion_tokens: 100 });
    expect(small.json.error.code).toBe('json_validate_failed');
  });

  it('reasoning: reasoning_effort default with a big budget answers after reasoning', async () => {
    const { choice, usage } = await play('reasoning', { ...JSON_MODE, reasoning_effort: 'default', max_tokens: 2048 });
    expectJoy(choice?.message.content);
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(1500);
  });

  it('reasoning: reasoning_format raw with JSON mode gets 400 naming both', async () => {
    const { res, json } = await play('reasoning', { ...JSON_MODE, reasoning_format: 'raw', max_completion_tokens: 4096 });
    expect(res.status).toBe(400);
    expect(json.error).toEqual({
      message: '`reasoning_format` "raw" is not supported with JSON mode (`response_format`); use "parsed" or "hidden"',
      type: 'invalid_request_error',
      param: 'reasoning_format',
      code: 'invalid_request_error',
    });
  });

  it('reasoning: raw without JSON mode puts <think>...</think> and then the answer in content', async () => {
    const { res, choice, usage } = await play('reasoning', { reasoning_format: 'raw', max_completion_tokens: 4096 });
    expect(res.status).toBe(200);
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.reasoning).toBeUndefined();
    const content = choice?.message.content ?? '';
    expect(content).toBe(`<think>\n${REASONING.text}\n</think>\n\n${CONTENT.ok}`);
    expect(content.slice(0, content.indexOf('</think>'))).toMatch(anger);
    expectJoy(content.slice(content.indexOf('</think>') + '</think>'.length).trim());
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(1500);
  });

  it('reasoning: without JSON mode or reasoning_format the format is raw (Groq default); cut off, an unclosed <think>', async () => {
    const big = await play('reasoning', { max_completion_tokens: 4096 });
    expect(big.choice?.message.content.startsWith('<think>\n')).toBe(true);
    expect(big.choice?.message.content.endsWith(CONTENT.ok)).toBe(true);
    const small = await play('reasoning', {});
    expect(small.res.status).toBe(200);
    expect(small.choice?.finish_reason).toBe('length');
    expect(small.choice?.message.content).toMatch(/^<think>\n/u);
    expect(small.choice?.message.content).not.toContain('</think>');
    expect(small.usage).toMatchObject({ completion_tokens: 1024, completion_tokens_details: { reasoning_tokens: 1024 } });
  });

  it('reasoning: hidden returns the answer and no reasoning, but still spends it', async () => {
    const { choice, usage } = await play('reasoning', { ...JSON_MODE, reasoning_format: 'hidden', max_completion_tokens: 2000 });
    expectJoy(choice?.message.content);
    expect(choice?.message).not.toHaveProperty('reasoning');
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(1500);
  });

  it('reasoning: an unknown reasoning_format gets 400 naming the values', async () => {
    const { res, json } = await play('reasoning', { reasoning_format: 'summary' });
    expect(res.status).toBe(400);
    expect(json.error.message).toBe('"reasoning_format" must be one of: "parsed", "raw", "hidden"');
  });

  it('reasoning: a budget above 16384 gets 400 naming the parameter and 16384', async () => {
    for (const param of ['max_completion_tokens', 'max_tokens']) {
      const { res, json } = await play('reasoning', { ...JSON_MODE, [param]: 20000 });
      expect(res.status).toBe(400);
      expect(json.error).toEqual({
        message: `\`${param}\` must be less than or equal to \`16384\`, the maximum value for \`${param}\` is less than the \`context_window\` for this model`,
        type: 'invalid_request_error',
        param,
        code: 'invalid_request_error',
      });
    }
    expect((await play('reasoning', { ...JSON_MODE, max_completion_tokens: 16384 })).res.status).toBe(200);
    const bad = await play('reasoning', { max_tokens: 0 });
    expect(bad.res.status).toBe(400);
    expect(bad.json.error.param).toBe('max_tokens');
  });

  it('reasoning-raw: ignores reasoning parameters and always thinks aloud in content', async () => {
    for (const extra of [{}, JSON_MODE, { reasoning_effort: 'low', reasoning_format: 'parsed' }, { reasoning_effort: 'none', ...JSON_MODE }]) {
      const { res, choice, usage } = await play('reasoning-raw', { ...extra, max_tokens: 500 });
      expect(res.status).toBe(200);
      expect(choice?.finish_reason).toBe('stop');
      expect(choice?.message.reasoning).toBeUndefined();
      const content = choice?.message.content ?? '';
      expect(content).toBe(`<think>\n${REASONING.text}\n</think>\n\n${CONTENT.ok}`);
      expect(usage.completion_tokens).toBe(500);
      expect(usage).not.toHaveProperty('completion_tokens_details');
    }
    // A budget above Groq's limit is no business of this server.
    expect((await play('reasoning-raw', { max_completion_tokens: 20000 })).res.status).toBe(200);
  });

  it('reasoning-raw: under 500 it is cut off; under 300 an unclosed <think> holding the decoy', async () => {
    const mid = await play('reasoning-raw', { max_tokens: 400 });
    expect(mid.choice?.finish_reason).toBe('length');
    expect(mid.choice?.message.content).toContain('</think>');
    const tiny = await play('reasoning-raw', { ...JSON_MODE, max_completion_tokens: 200 });
    expect(tiny.res.status).toBe(200);
    expect(tiny.choice?.finish_reason).toBe('length');
    expect(tiny.choice?.message.content).toMatch(/^<think>\n/u);
    expect(tiny.choice?.message.content).toMatch(anger);
    expect(tiny.choice?.message.content).not.toContain('</think>');
  });

  it('no-reasoning-params: 400 Unrecognized request argument for reasoning_format (first) or reasoning_effort', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ reasoning_effort: 'none' }, 'reasoning_effort'],
      [{ reasoning_effort: null }, 'reasoning_effort'],
      [{ reasoning_format: 'hidden' }, 'reasoning_format'],
      [{ reasoning_effort: 'none', reasoning_format: 'parsed' }, 'reasoning_format'],
    ];
    for (const [extra, param] of cases) {
      const { res, json } = await play('no-reasoning-params', { ...JSON_MODE, ...extra });
      expect(res.status).toBe(400);
      expect(json).toEqual({
        error: { message: `Unrecognized request argument supplied: ${param}`, type: 'invalid_request_error', param, code: null },
      });
    }
    const { res, choice, usage } = await play('no-reasoning-params', { ...JSON_MODE, max_completion_tokens: 300 });
    expect(res.status).toBe(200);
    expectJoy(choice?.message.content);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('decommissioned: 400 model_decommissioned for the retired Llama 4 ids, reasoning for the others', async () => {
    expect((await scenario('decommissioned')).status).toBe(200);
    for (const id of RETIRED_MODELS) {
      const res = await chat(chatBody({ model: id, ...JSON_MODE }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          message: `The model \`${id}\` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.`,
          type: 'invalid_request_error',
          code: 'model_decommissioned',
        },
      });
    }
    const ok = await chat(chatBody({ model: 'qwen/qwen3.8-27b', ...JSON_MODE, max_completion_tokens: 2048 }));
    expect(ok.status).toBe(200);
    const json = (await ok.json()) as ChatCompletion;
    expect(json.model).toBe('qwen/qwen3.8-27b');
    expectJoy(json.choices[0]?.message.content);
    expect(json.choices[0]?.message.reasoning).toBe(REASONING.text);
    const small = await chat(chatBody({ model: 'qwen/qwen3.8-27b', ...JSON_MODE }));
    expect(((await small.json()) as ApiError).error.code).toBe('json_validate_failed');
    expect((await chat(chatBody({ model: QWEN, reasoning_effort: 'low' }))).status).toBe(400);
  });

  it('rate-limited: the 429 carries request and token rate-limit headers, all exposed to the page', async () => {
    expect((await scenario('rate-limited')).status).toBe(200);
    const res = await chat();
    expect(res.status).toBe(429);
    expect(Object.fromEntries([...res.headers].filter(([k]) => k === 'retry-after' || k.startsWith('x-ratelimit-')))).toEqual({
      'retry-after': '2',
      'x-ratelimit-limit-requests': '1000',
      'x-ratelimit-remaining-requests': '999',
      'x-ratelimit-reset-requests': '1m26.4s',
      'x-ratelimit-limit-tokens': '6000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '2s',
    });
    const exposed = res.headers.get('access-control-expose-headers')?.split(', ') ?? [];
    for (const name of ['retry-after', 'x-ratelimit-remaining-requests', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-tokens']) {
      expect(exposed).toContain(name);
    }
    const next = await chat();
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining-requests')).toBe('998');
  });

  it('every chat completion of every content scenario carries usage', async () => {
    const scenarios: VisionScenario[] = ['ok', 'sad', 'fenced', 'garbage', 'truncated', 'json-mode-rejected', 'models-bare', 'no-reasoning-params', 'reasoning', 'reasoning-raw', 'decommissioned'];
    for (const name of scenarios) {
      expect((await scenario(name)).status).toBe(200);
      const res = await chat(chatBody({ model: QWEN, max_completion_tokens: 4096 }));
      expect(res.status).toBe(200);
      const { usage } = (await res.json()) as ChatCompletion;
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    }
    await fetch(`${origin}/__vision/reply`, { method: 'POST', body: JSON.stringify({ content: '{}' }) });
    expect(((await (await chat()).json()) as ChatCompletion).usage.total_tokens).toBeGreaterThan(0);
  });
});

// --- image fixtures --------------------------------------------------------------------------

function readIfd(tiff: Buffer, offset: number, little: boolean): Map<number, { type: number; count: number; value: number }> {
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const entries = new Map<number, { type: number; count: number; value: number }>();
  const n = u16(offset);
  for (let i = 0; i < n; i++) {
    const at = offset + 2 + i * 12;
    entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), value: u32(at + 8) });
  }
  return entries;
}

/** IFD0 and GPS IFD tags of sharp's `metadata().exif` buffer ("Exif\0\0" + TIFF). */
function parseExif(exif: Buffer) {
  expect(exif.subarray(0, 6).toString('latin1')).toBe('Exif\0\0');
  const tiff = exif.subarray(6);
  const little = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = readIfd(tiff, u32(4), little);
  const gpsPointer = ifd0.get(0x8825);
  const gps = gpsPointer ? readIfd(tiff, gpsPointer.value, little) : null;
  const ascii = (tag: number) => {
    const entry = ifd0.get(tag);
    if (!entry) return null;
    const at = entry.count <= 4 ? null : entry.value;
    return at === null ? null : tiff.subarray(at, at + entry.count - 1).toString('latin1');
  };
  const rationals = (entry: { count: number; value: number } | undefined) =>
    entry ? Array.from({ length: entry.count }, (_, i) => u32(entry.value + i * 8) / u32(entry.value + i * 8 + 4)) : null;
  return { ifd0, gps, ascii, rationals };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function pixel(image: ReturnType<typeof sharp>, left: number, top: number): Promise<number[]> {
  return [...(await image.extract({ left, top, width: 1, height: 1 }).removeAlpha().raw().toBuffer())];
}

describe('image fixtures', () => {
  const file = (name: string) => join(IMAGES, name);

  it('are all present and small', () => {
    const names = readdirSync(IMAGES).filter((n) => n !== 'README.md').sort();
    expect(names).toEqual(
      ['anim.gif', 'huge.png', 'not-an-image.jpg', 'photo.webp', 'rotated.jpg', 'sample.heic', 'small.png', 'smile.jpg', 'truncated.jpg'],
    );
    const total = names.reduce((sum, n) => sum + statSync(file(n)).size, 0);
    expect(total).toBeLessThan(300 * 1024);
  });

  it('huge.png is under 1 KB, a valid PNG header declaring 20000x20000 RGB', async () => {
    const bytes = readFileSync(file('huge.png'));
    expect(bytes.length).toBeLessThan(1024);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(8)).toBe(13);
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(bytes.readUInt32BE(16)).toBe(20000);
    expect(bytes.readUInt32BE(20)).toBe(20000);
    expect([bytes[24], bytes[25]]).toEqual([8, 2]);
    expect(bytes.readUInt32BE(29)).toBe(crc32(bytes.subarray(12, 29)));
    expect(bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
    // Header-only reads see the declared size; sharp refuses it under its default pixel limit.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 20000, 20000]);
    await expect(sharp(bytes).metadata()).rejects.toThrow(/pixel limit/);
  });

  it('rotated.jpg is stored 400x200 red over blue with EXIF orientation 6, upright 200x400', async () => {
    const bytes = readFileSync(file('rotated.jpg'));
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.orientation]).toEqual(['jpeg', 400, 200, 6]);
    const [r1, g1, b1] = await pixel(sharp(bytes), 200, 50);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(g1).toBeLessThan(60);
    const [r2, , b2] = await pixel(sharp(bytes), 200, 150);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);

    const upright = await sharp(bytes).autoOrient().png().toBuffer();
    const uprightMeta = await sharp(upright).metadata();
    expect([uprightMeta.width, uprightMeta.height]).toEqual([200, 400]);
    const [, , leftBlue] = await pixel(sharp(upright), 50, 200);
    const [rightRed] = await pixel(sharp(upright), 150, 200);
    const [, topRightGreen] = await pixel(sharp(upright), 185, 15);
    expect(leftBlue).toBeGreaterThan(200);
    expect(rightRed).toBeGreaterThan(200);
    expect(topRightGreen).toBeGreaterThan(200);
  });

  it('smile.jpg is a 640x480 JPEG with EXIF camera tags and a GPS position', async () => {
    const meta = await sharp(file('smile.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 480]);
    expect(meta.exif).toBeDefined();
    const exif = parseExif(meta.exif as Buffer);
    expect(exif.ascii(0x010f)).toBe('MoodlensTestCam'); // Make
    expect(exif.gps).not.toBeNull();
    const latitude = exif.rationals(exif.gps?.get(0x0002));
    expect(latitude?.[0]).toBe(48);
    expect(latitude?.[1]).toBe(51);
    expect(latitude?.[2]).toBeCloseTo(24.12, 2);
    expect(exif.rationals(exif.gps?.get(0x0004))?.[0]).toBe(2);
  });

  it('the other formats decode as declared; the broken ones do not', async () => {
    const small = await sharp(file('small.png')).metadata();
    expect([small.format, small.width, small.height]).toEqual(['png', 64, 64]);
    const webp = await sharp(file('photo.webp')).metadata();
    expect([webp.format, webp.width, webp.height]).toEqual(['webp', 320, 240]);
    const gif = await sharp(file('anim.gif')).metadata();
    expect([gif.format, gif.width, gif.pages]).toEqual(['gif', 64, 2]);

    await expect(sharp(file('not-an-image.jpg')).metadata()).rejects.toThrow();
    expect(readFileSync(file('not-an-image.jpg'), 'utf8')).toMatch(/not an image/);

    const smile = readFileSync(file('smile.jpg'));
    const truncated = readFileSync(file('truncated.jpg'));
    expect(truncated.length).toBe(Math.floor(smile.length * 0.4));
    expect(smile.subarray(0, truncated.length).equals(truncated)).toBe(true);
    await expect(sharp(truncated, { failOn: 'truncated' }).raw().toBuffer()).rejects.toThrow();

    const heic = readFileSync(file('sample.heic'));
    expect(heic.subarray(4, 12).toString('latin1')).toBe('ftypheic');
    expect(heic.length).toBeLessThan(1024);
  });
});
