// Which listed models take pictures, the picker's order, and the automatic pick: declared
// modalities first, id shapes when the list does not say, never a model without image input.
import { describe, expect, it } from 'vitest';
import { isScout, orderForPictures, pickImageModel, takesImages, type ListedModel } from '../../src/features/vision/model-choice';

const model = (id: string, inputModalities: string[] | null = null, contextWindow: number | null = null): ListedModel => ({
  id,
  ownedBy: '',
  inputModalities,
  contextWindow,
  maxCompletionTokens: null,
});

// As a Groq-like provider lists them: text and audio models first.
const DECLARED = [
  model('llama-3.3-70b-versatile', ['text']),
  model('whisper-large-v3', ['audio']),
  model('qwen/qwen3.6-27b', ['text', 'image']),
  model('qwen/qwen3.8-27b', ['text', 'image']),
  model('qwen/qwen2.5-vl-7b-instruct', ['text', 'image']),
];

describe('takesImages', () => {
  it('trusts declared modalities over the id', () => {
    expect(takesImages(model('llama-3.2-90b-vision', ['text']))).toBe(false);
    expect(takesImages(model('mystery', ['image', 'text']))).toBe(true);
    expect(takesImages(model('mystery', ['IMAGE']))).toBe(true);
  });

  it('guesses from the id when the list says nothing, and says when it cannot tell', () => {
    for (const id of ['meta-llama/llama-4-scout', 'llava:13b', 'Qwen/Qwen2.5-VL-72B-Instruct', 'gemma3:27b', 'gpt-4o-mini', 'llama3.2-vision']) {
      expect(takesImages(model(id)), id).toBe(true);
    }
    for (const id of ['whisper-large-v3', 'nomic-embed-text', 'llama-guard-4-12b', 'llama-3.1-8b-instant']) {
      expect(takesImages(model(id)), id).toBe(false);
    }
    expect(takesImages(model('some-new-model'))).toBeNull();
  });
});

describe('pickImageModel', () => {
  it('never picks the text or audio model listed first; prefers the newest current vision family', () => {
    expect(pickImageModel(DECLARED)?.id).toBe('qwen/qwen3.8-27b');
  });

  it('skips ids known to be retired this session', () => {
    expect(pickImageModel(DECLARED, new Set(['qwen/qwen3.8-27b']))?.id).toBe('qwen/qwen3.6-27b');
  });

  it('works from ids alone, and picks nothing rather than a model nothing is known of', () => {
    expect(pickImageModel([model('llama-3.3-70b-versatile'), model('meta-llama/llama-4-scout-17b-16e-instruct')])?.id).toBe('meta-llama/llama-4-scout-17b-16e-instruct');
    expect(pickImageModel([model('llama-3.3-70b-versatile', ['text']), model('some-new-model')])).toBeNull();
    expect(pickImageModel([])).toBeNull();
  });
});

describe('orderForPictures', () => {
  it('puts the models that take pictures first, the unknown next, the others last', () => {
    const ordered = orderForPictures([...DECLARED, model('some-new-model')]).map((m) => m.id);
    expect(ordered.slice(0, 3)).toEqual(['qwen/qwen3.8-27b', 'qwen/qwen3.6-27b', 'qwen/qwen2.5-vl-7b-instruct']);
    expect(ordered[3]).toBe('some-new-model');
    expect(ordered.slice(4).sort()).toEqual(['llama-3.3-70b-versatile', 'whisper-large-v3']);
  });
});

describe('isScout', () => {
  it('recognizes each provider spelling', () => {
    for (const id of ['meta-llama/llama-4-scout', 'meta-llama/Llama-4-Scout-17B-16E-Instruct', 'llama4:scout']) expect(isScout(id)).toBe(true);
    expect(isScout('meta-llama/llama-4-maverick')).toBe(false);
  });
});
