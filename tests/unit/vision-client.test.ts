import { describe, expect, it } from 'vitest';
import { VisionError, describeVisionError } from '../../src/features/vision/errors';
import { firstPlan, initialQuirks } from '../../src/features/vision/policy';
import { SYSTEM_PROMPT, buildVisionRequest } from '../../src/features/vision/prompt';
import { listModels } from '../../src/features/vision/model-list';
import { MAX_REPLY_BYTES, analyzeImage, redactKey, type VisionDeps } from '../../src/features/vision/vision-client';

const BASE = 'http://127.0.0.1:4999/openai/v1';
const KEY = 'gsk_test_0123456789';
const IMAGE = 'data:image/jpeg;base64,/9j/AAAA';
const OK_CONTENT = JSON.stringify({ description: 'Smiling.', scores: { joy: 0.9, neutral: 0.1 } });

interface Reply {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
}

const ok = (content: unknown = OK_CONTENT, finish = 'stop'): Reply => ({
  status: 200,
  body: { id: 'chatcmpl-1', object: 'chat.completion', model: 'served-model', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] },
});
const err = (status: number, message: string, code = '', headers: Record<string, string> = {}): Reply => ({
  status,
  body: { error: { message, type: 'invalid_request_error', code } },
  headers,
});

/** A scripted server: replies in order (the last repeats); records requests; fake clock. */
function fakeDeps(replies: Array<Reply | 'network'>) {
  const requests: Array<{ url: string; init: RequestInit; body: Record<string, unknown> }> = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const deps: VisionDeps = {
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({ url, init, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)]!;
      if (reply === 'network') throw new TypeError('Failed to fetch');
      return new Response(reply.raw ?? JSON.stringify(reply.body), { status: reply.status, headers: reply.headers ?? {} });
    }) as typeof fetch,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0,
  };
  return { deps, requests, sleeps };
}

const call = { baseUrl: BASE, apiKey: KEY, model: 'vision-model', imageDataUrl: IMAGE, timeoutMs: 5000 };

describe('vision request', () => {
  it('builds a chat-completions body: system prompt, picture as data URL, JSON mode, no reasoning, temperature 0, bounded', () => {
    const plan = firstPlan(initialQuirks());
    const body = buildVisionRequest({ model: 'm', imageDataUrl: IMAGE, plan });
    expect(body).toMatchObject({
      model: 'm',
      temperature: 0,
      max_tokens: 1024,
      response_format: { type: 'json_object' },
      reasoning_effort: 'none',
      reasoning_format: 'parsed',
    });
    expect(JSON.stringify(body)).toContain(IMAGE);
    expect(SYSTEM_PROMPT).toContain('visual evidence only');
    const plain = buildVisionRequest({ model: 'm', imageDataUrl: IMAGE, plan: { ...plan, jsonMode: false, reasoningEffort: null, reasoningFormat: null } });
    expect(plain).not.toHaveProperty('response_format');
    expect(plain).not.toHaveProperty('reasoning_effort');
    expect(plain).not.toHaveProperty('reasoning_format');
  });
});

describe('vision client', () => {
  it('sends one request with the key only in the Authorization header, and reads the answer', async () => {
    const { deps, requests } = fakeDeps([ok()]);
    const result = await analyzeImage(call, deps);
    expect(result).toMatchObject({ top: 'joy', description: 'Smiling.', model: 'served-model', requests: 1 });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req!.url).toBe(`${BASE}/chat/completions`);
    expect(new Headers(req!.init.headers).get('authorization')).toBe(`Bearer ${KEY}`);
    expect(req!.url).not.toContain(KEY);
    expect(JSON.stringify(req!.body)).not.toContain(KEY);
    expect(req!.init.credentials).toBe('omit');
  });

  it('retries once without JSON mode when the provider rejects response_format', async () => {
    const { deps, requests, sleeps } = fakeDeps([err(400, 'response_format is not supported with this model'), ok()]);
    await analyzeImage(call, deps);
    expect(requests.map((r) => 'response_format' in r.body)).toEqual([true, false]);
    expect(sleeps).toEqual([]);
  });

  it('waits as long as retry-after says on 429, and says so', async () => {
    const waits: number[] = [];
    const { deps, requests, sleeps } = fakeDeps([err(429, 'Rate limit reached', 'rate_limit_exceeded', { 'retry-after': '2' }), ok()]);
    const result = await analyzeImage({ ...call, onWait: (w) => waits.push(w.seconds) }, deps);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(waits).toEqual([2]);
    expect(result.requests).toBe(2);
  });

  it('backs off on 5xx and network errors, at most two retries', async () => {
    const { deps, requests, sleeps } = fakeDeps(['network', err(500, 'Internal Server Error'), err(503, 'busy')]);
    const e = await analyzeImage(call, deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VisionError);
    expect(e).toMatchObject({ code: 'server', status: 503 });
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('never retries 400, 401, 403, 404, 413, and maps each to its code', async () => {
    const cases: Array<[Reply, string]> = [
      [err(401, 'Invalid API Key', 'invalid_api_key'), 'unauthorized'],
      [err(403, 'Forbidden'), 'forbidden'],
      [err(404, 'The model `x` does not exist', 'model_not_found'), 'model-not-found'],
      [err(400, 'The model `x` has been decommissioned', 'model_decommissioned'), 'model-not-found'],
      [err(413, 'Request Entity Too Large'), 'too-large'],
      [err(400, 'messages: bad shape'), 'bad-request'],
    ];
    for (const [reply, code] of cases) {
      const { deps, requests } = fakeDeps([reply]);
      await expect(analyzeImage(call, deps)).rejects.toMatchObject({ code });
      expect(requests).toHaveLength(1);
    }
  });

  it('reports unreadable and truncated answers', async () => {
    await expect(analyzeImage(call, fakeDeps([ok("I can't help with that.")]).deps)).rejects.toMatchObject({ code: 'bad-reply' });
    await expect(analyzeImage(call, fakeDeps([ok('{"scores": {"joy": 0.', 'length')]).deps)).rejects.toMatchObject({ code: 'truncated' });
  });

  it('never lets the key out through a provider message that quotes it', async () => {
    const { deps } = fakeDeps([err(401, `Incorrect API key provided: ${KEY}. See the docs.`, `bad_key_${KEY}`)]);
    const error = (await analyzeImage(call, deps).catch((e: unknown) => e)) as VisionError;
    expect(error.code).toBe('unauthorized');
    expect(error.detail).toContain('Incorrect API key provided: [your key]');
    for (const text of [error.detail, error.message, describeVisionError(error, { model: 'm', host: 'h' })]) expect(text).not.toContain(KEY);
    const bad = fakeDeps([err(400, `the key ${KEY} cannot use this`)]);
    const badError = (await analyzeImage(call, bad.deps).catch((e: unknown) => e)) as VisionError;
    expect(badError.code).toBe('bad-request');
    expect(describeVisionError(badError, { model: 'm', host: 'h' })).toBe('h rejected the request: the key [your key] cannot use this');
    expect(redactKey('short', 'abc')).toBe('short');
  });

  it('reports a 200 whose body is not JSON, and a body over the limit, as unreadable answers without retrying', async () => {
    const cut = fakeDeps([{ status: 200, raw: '{"id":"chatcmpl-1","choices":[{"message":{"content":"{\\"descr' }]);
    await expect(analyzeImage(call, cut.deps)).rejects.toMatchObject({ code: 'bad-reply', detail: 'The provider sent a response that is not valid JSON.' });
    expect(cut.requests).toHaveLength(1);
    const huge = fakeDeps([{ status: 200, raw: `{"pad":"${'x'.repeat(MAX_REPLY_BYTES)}"}` }]);
    await expect(analyzeImage(call, huge.deps)).rejects.toMatchObject({ code: 'bad-reply', detail: 'The reply was larger than 4 MB.' });
    expect(huge.requests).toHaveLength(1);
  });

  it('shows the served model name only when it looks like one', async () => {
    const reply = (model: unknown): Reply => ({ status: 200, body: { ...(ok().body as object), model } });
    expect((await analyzeImage(call, fakeDeps([reply('x'.repeat(201))]).deps)).model).toBe('vision-model');
    expect((await analyzeImage(call, fakeDeps([reply({ html: '<b>' })]).deps)).model).toBe('vision-model');
    expect((await analyzeImage(call, fakeDeps([reply('llama\u202e-4\u0000')]).deps)).model).toBe('llama-4');
  });

  it('turns a user cancel into cancelled, also while waiting to retry', async () => {
    const controller = new AbortController();
    const { deps } = fakeDeps([err(500, 'oops')]);
    const slowSleep: VisionDeps = {
      ...deps,
      sleep: (_ms, signal) =>
        new Promise((_r, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
    };
    const p = analyzeImage({ ...call, signal: controller.signal, onWait: () => controller.abort() }, slowSleep);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('times out a request that does not answer, without retrying it', async () => {
    let calls = 0;
    const hanging: VisionDeps = {
      ...fakeDeps([]).deps,
      fetch: ((_url: string, init: RequestInit) => {
        calls += 1;
        return new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
      }) as typeof fetch,
    };
    await expect(analyzeImage({ ...call, timeoutMs: 20 }, hanging)).rejects.toMatchObject({ code: 'timeout' });
    expect(calls).toBe(1);
  });
});

describe('model list', () => {
  it('reads and sorts the ids of GET {base}/models, with what each entry says it takes', async () => {
    const fetchFn = (async (url: string, init: RequestInit) => {
      expect(url).toBe(`${BASE}/models`);
      expect(new Headers(init.headers).get('authorization')).toBe(`Bearer ${KEY}`);
      return new Response(
        JSON.stringify({
          object: 'list',
          data: [
            { id: 'b-model', owned_by: 'Meta', input_modalities: ['text', 'image'], context_window: 131072, max_completion_tokens: 16384 },
            { id: 'a-model', input_modalities: 'image', context_window: -1 },
            { nope: 1 },
          ],
        }),
      );
    }) as typeof fetch;
    expect(await listModels(BASE, KEY, fetchFn)).toEqual([
      { id: 'a-model', ownedBy: '', inputModalities: null, contextWindow: null, maxCompletionTokens: null },
      { id: 'b-model', ownedBy: 'Meta', inputModalities: ['text', 'image'], contextWindow: 131072, maxCompletionTokens: 16384 },
    ]);
  });

  it('maps 401 to unauthorized', async () => {
    const fetchFn = (async () => new Response('{}', { status: 401 })) as typeof fetch;
    await expect(listModels(BASE, KEY, fetchFn)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
