// Puts the app's state objects into Svelte context and gets them back in components.
import { getContext, setContext } from 'svelte';
import type { AnalysisState } from './analysis.svelte';
import type { AnalyzerState } from './analyzer.svelte';
import type { AppStatusState } from './app-status.svelte';
import type { HistoryState } from './history.svelte';
import type { ModelStorageState } from './model-storage.svelte';
import type { SettingsState } from './settings.svelte';
import type { VisionState } from './vision.svelte';

/** Everything the views share. */
export interface AppState {
  readonly settings: SettingsState;
  readonly analyzer: AnalyzerState;
  readonly vision: VisionState;
  readonly analysis: AnalysisState;
  readonly history: HistoryState;
  readonly status: AppStatusState;
  readonly storage: ModelStorageState;
}

const KEY = Symbol('moodlens');

/** Called once by App.svelte. */
export function setAppState(state: AppState): AppState {
  return setContext(KEY, state);
}

/** Called by any component below App. */
export function getAppState(): AppState {
  const state = getContext<AppState | undefined>(KEY);
  if (!state) throw new Error('getAppState() called outside App.');
  return state;
}
