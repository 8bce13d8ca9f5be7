// @vitest-environment node
// The picture client against the fake provider's reasoning scenarios, over real HTTP on
// 127.0.0.1: every analysis ends with the real answer's scores in at most 3 requests, reasoning
// (with its JSON-like decoys) is never taken for the answer, each retry is announced, and what a
// model refused is learned so the next picture goes right the first time.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserVisionDeps, analyzeImage, type VisionCall } from '../../src/features/vision/vision-client';
import { initialQuirks, type ModelQuirks } from '../../src/features/vision/policy';
import { createFakeOpenAI, type FakeOpenAI, type VisionScenario } from '../support/fake-openai.mjs';

const KEY = 'gsk_reasoning_test_0123456789';
const IMAGE = 'data:image/jpeg;base64,/9j/AAAA';
let fake: FakeOpenAI;
let base = '';

beforeAll(async () => {
  fake = createFakeOpenAI();
  await new Promise<void>((done) => fake.server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/openai/v1`;
});

afterAll(async () => {
  fake.server.closeAllConnections();
  await new Promise<void>((done) => fake.server.close(() => done()));
});

beforeEach(() => fake.reset());

const chats = () => fake.log.filter((e) => e.method === 'POST' && e.path.endsWith('/chat/completions'));

/** Analyses the picture under `scenario`, recording the retry notes and what was learned. */
async function analyze(scenario: VisionScenario, quirks?: ModelQuirks, model = 'qwen/qwen3.6-27b') {
  fake.setScenario(scenario);
  const notes: string[] = [];
  let learned: ModelQuirks | undefined;
  const call: VisionCall = {
    baseUrl: base,
    apiKey: KEY,
    model,
    imageDataUrl: IMAGE,
    timeoutMs: 10_000,
    ...(quirks ? { quirks } : {}),
    onRetry: (note) => notes.push(note),
    onLearn: (q) => (learned = q),
  };
  const result = await analyzeImage(call, { ...browserVisionDeps, sleep: async () => undefined });
  return { result, notes, learned };
}

describe('reasoning vision models', () => {
  it('Groq-like reasoning model: one request, no reasoning asked, the real answer (not the decoy)', async () => {
    const { result, notes } = await analyze('reasoning');
    expect(result.top).toBe('joy');
    expect(result.requests).toBe(1);
    expect(notes).toEqual([]);
    expect(chats()[0]?.body).toMatchObject({ reasoning_effort: 'none', reasoning_format: 'parsed', response_format: { type: 'json_object' } });
    expect(result.usage).toMatchObject({ reasoningTokens: 0 });
    expect(result.rateLimit?.remainingRequests).toEqual(expect.any(Number));
  });

  it('a reasoning model with reasoning left on and a small budget: json_validate_failed, then one retry with room', async () => {
    const quirks: ModelQuirks = { ...initialQuirks(), reasoningEffort: 'default' };
    const { result, notes, learned } = await analyze('reasoning', quirks);
    expect(result.top).toBe('joy');
    expect(result.requests).toBe(2);
    expect(notes).toEqual(['retrying with room for the model\'s reasoning (4096 tokens)']);
    expect(learned?.budget).toBe(4096);
    expect(result.usage?.reasoningTokens).toBeGreaterThan(0);
  });

  it('a refused reasoning effort value: retried with one the model takes', async () => {
    const { result, notes, learned } = await analyze('reasoning', { ...initialQuirks(), reasoningEffort: 'low' });
    expect(result.top).toBe('joy');
    expect(result.requests).toBe(2);
    expect(notes[0]).toContain('"none"');
    expect(learned?.reasoningEffort).toBe('none');
  });

  it('a thinking model that ignores reasoning options: the <think> block (with a decoy) is skipped', async () => {
    const { result } = await analyze('reasoning-raw');
    expect(result.top).toBe('joy');
    expect(result.requests).toBe(1);
  });

  it('a thinking model cut off while thinking: one retry with room', async () => {
    const { result, notes } = await analyze('reasoning-raw', { ...initialQuirks(), budget: 200 });
    expect(result.top).toBe('joy');
    expect(result.requests).toBe(2);
    expect(notes).toHaveLength(1);
  });

  it('a model that knows no reasoning options: one retry without them, learned for the next picture', async () => {
    const first = await analyze('no-reasoning-params', undefined, 'plain-model');
    expect(first.result.top).toBe('joy');
    expect(first.result.requests).toBe(2);
    expect(first.notes).toEqual(['retrying without reasoning options, which the model does not take']);
    expect(first.learned).toMatchObject({ reasoningEffort: null, reasoningFormat: null });
    fake.reset();
    const second = await analyze('no-reasoning-params', first.learned, 'plain-model');
    expect(second.result.requests).toBe(1);
    expect(chats()[0]?.body).not.toHaveProperty('reasoning_effort');
  });

  it('never more than 3 requests, and the key only in the Authorization header', async () => {
    fake.setScenario('always-500');
    const call: VisionCall = { baseUrl: base, apiKey: KEY, model: 'm', imageDataUrl: IMAGE, timeoutMs: 10_000 };
    await expect(analyzeImage(call, { ...browserVisionDeps, sleep: async () => undefined })).rejects.toMatchObject({ code: 'server' });
    expect(chats()).toHaveLength(3);
    for (const entry of fake.log) {
      expect(entry.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(JSON.stringify({ ...entry, headers: { ...entry.headers, authorization: '' } })).not.toContain(KEY);
    }
  });

  it('a decommissioned model says so as model-not-found, after one request', async () => {
    fake.setScenario('decommissioned');
    const call: VisionCall = { baseUrl: base, apiKey: KEY, model: 'meta-llama/llama-4-maverick-17b-128e-instruct', imageDataUrl: IMAGE, timeoutMs: 10_000 };
    await expect(analyzeImage(call, browserVisionDeps)).rejects.toMatchObject({ code: 'model-not-found' });
    expect(chats()).toHaveLength(1);
  });
});
