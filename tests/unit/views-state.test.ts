// The lazily loaded views: each chunk is asked for once however often the view is shown or its
// button pointed at; a chunk that fails is not kept, and the next try loads it.
import { describe, expect, it } from 'vitest';
import type { Component } from 'svelte';
import { ViewsState, type LazyView } from '../../src/app/views.svelte';

const component = (name: string) => (() => name) as unknown as Component;

function loaders(failFirst: LazyView[] = []) {
  const calls: Record<LazyView, number> = { batch: 0, history: 0, settings: 0 };
  const make = (view: LazyView) => async () => {
    calls[view] += 1;
    if (failFirst.includes(view) && calls[view] === 1) throw new TypeError('Failed to fetch dynamically imported module');
    return { default: component(view) };
  };
  return { calls, loaders: { batch: make('batch'), history: make('history'), settings: make('settings') } };
}

describe('ViewsState', () => {
  it('loads a view once, however often it is asked for', async () => {
    const { calls, loaders: l } = loaders();
    const views = new ViewsState(l);
    expect(views.component('batch')).toBeNull();
    await Promise.all([views.load('batch'), views.load('batch'), views.load('batch')]);
    await views.load('batch');
    expect(calls).toEqual({ batch: 1, history: 0, settings: 0 });
    expect((views.component('batch') as unknown as () => string)()).toBe('batch');
    expect(views.component('history')).toBeNull();
  });

  it('a chunk that fails says why, is not kept, and loads on the next try', async () => {
    const { calls, loaders: l } = loaders(['history']);
    const views = new ViewsState(l);
    await views.load('history');
    expect(views.component('history')).toBeNull();
    expect(views.error('history')).toBe('Failed to fetch dynamically imported module');
    await views.load('history');
    expect(views.error('history')).toBeNull();
    expect((views.component('history') as unknown as () => string)()).toBe('history');
    expect(calls.history).toBe(2);
  });
});
