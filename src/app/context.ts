// Puts the app's state objects into Svelte context and gets them back in components.
import type { VoiceChannelState } from '../features/voice/voice-channel.svelte';
import { getContext, setContext } from 'svelte';
import type { AppStatusState } from './app-status.svelte';
import type { BatchState } from '../features/batch/batch.svelte';
import type { FaceChannelState } from '../features/faces/face-channel.svelte';
import type { HistoryState } from '../features/history/history.svelte';
import type { ModelStorageState } from '../features/text/model-storage.svelte';
import type { LoadedModelsState } from '../features/settings/loaded-models.svelte';
import type { RouterState } from './router.svelte';
import type { RunState } from '../features/analysis/run.svelte';
import type { SettingsState } from '../features/settings/settings.svelte';
import type { TextChannelState } from '../features/text/text-channel.svelte';
import type { VisionChannelState } from '../features/vision/vision-channel.svelte';
import type { InputsState } from '../features/analysis/inputs.svelte';

/** Everything the views share. */
export interface AppState {
  readonly settings: SettingsState;
  /** What the next analysis reads: the text, the picture, the tags. */
  readonly inputs: InputsState;
  /** The text channel (on the device). */
  readonly text: TextChannelState;
  /** The vision model's channel (the provider). */
  readonly vision: VisionChannelState;
  /** The faces of the picture, read on the device. */
  readonly face: FaceChannelState;
  /** The voice of a recording, read on the device. */
  readonly voice: VoiceChannelState;
  /** Analyze: the run shown and the run under way. */
  readonly run: RunState;
  readonly history: HistoryState;
  /** Batches: whole files read on the device, each one entry of the Batches list. */
  readonly batch: BatchState;
  readonly status: AppStatusState;
  readonly storage: ModelStorageState;
  /** What is loaded in memory now, with Unload (Settings). */
  readonly loaded: LoadedModelsState;
  /** Which view is shown; views are browser history entries. */
  readonly router: RouterState;
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
