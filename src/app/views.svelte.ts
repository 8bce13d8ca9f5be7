// The views besides Analysis (Batch, History, Settings), each its own chunk, loaded the first time
// it is shown or when its nav button is pointed at or focused: the page's JS before the first
// analysis then holds the Analysis view alone (with its states), not Batch's file handling,
// Evaluation's charts or History's timeline. The service worker precaches every chunk, so a view
// opens offline too. A chunk that fails to load (a new deploy removed it, the network dropped) is
// not kept, so the next try loads it again.
import type { Component } from 'svelte';

export type LazyView = 'batch' | 'history' | 'settings';

type Loader = () => Promise<{ default: Component }>;

const LOADERS: Readonly<Record<LazyView, Loader>> = {
  batch: () => import('../features/batch/BatchView.svelte'),
  history: () => import('../features/history/HistoryView.svelte'),
  settings: () => import('../features/settings/SettingsView.svelte'),
};

/** The lazily loaded views, as far as they are loaded. */
export class ViewsState {
  readonly #loaders: Readonly<Record<LazyView, Loader>>;
  #components = $state.raw<Partial<Record<LazyView, Component>>>({});
  #errors = $state.raw<Partial<Record<LazyView, string>>>({});
  readonly #pending = new Map<LazyView, Promise<void>>();

  constructor(loaders: Readonly<Record<LazyView, Loader>> = LOADERS) {
    this.#loaders = loaders;
  }

  /** The view's component once loaded, else null. */
  component(view: LazyView): Component | null {
    return this.#components[view] ?? null;
  }
  /** Why the view could not be loaded, or null. */
  error(view: LazyView): string | null {
    return this.#errors[view] ?? null;
  }

  /** Loads the view's chunk (once); settles when it is there or has failed (never rejects). */
  load(view: LazyView): Promise<void> {
    if (this.#components[view]) return Promise.resolve();
    const pending = this.#pending.get(view);
    if (pending) return pending;
    const { [view]: _, ...others } = this.#errors;
    this.#errors = others;
    const loading = this.#loaders[view]()
      .then((module) => {
        this.#components = { ...this.#components, [view]: module.default };
      })
      .catch((err: unknown) => {
        this.#errors = { ...this.#errors, [view]: err instanceof Error ? err.message : String(err) };
      })
      .finally(() => this.#pending.delete(view));
    this.#pending.set(view, loading);
    return loading;
  }
}
