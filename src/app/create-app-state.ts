// Builds the app's state graph: one emotion worker and one face worker for the session (batches
// share both), the stores, the states.
import { BatchFileClient } from '../features/batch/file-client';
import { BatchDb } from '../features/batch/store';
import { EmotionClient } from '../features/text/emotion-client';
import { FaceClient } from '../features/faces/face-client';
import { createIdbModelCache } from '../features/text/model-cache';
import { detectWebGpu, type GpuLike } from '../features/text/model-source';
import { openHistoryStore } from '../features/history/history-store';
import { localKeyStore } from '../features/vision/key-store';
import { createIdbSettingsStore } from '../features/settings/settings-store';
import { AppStatusState } from './app-status.svelte';
import { BatchState } from '../features/batch/batch.svelte';
import type { AppState } from './context';
import { FaceChannelState } from '../features/faces/face-channel.svelte';
import { HistoryState } from '../features/history/history.svelte';
import { ModelStorageState } from '../features/text/model-storage.svelte';
import { LoadedModelsState } from '../features/settings/loaded-models.svelte';
import { RouterState } from './router.svelte';
import { RunState } from '../features/analysis/run.svelte';
import { SettingsState } from '../features/settings/settings.svelte';
import { TextChannelState } from '../features/text/text-channel.svelte';
import { InputsState, sessionDraftStore } from '../features/analysis/inputs.svelte';
import { VisionChannelState } from '../features/vision/vision-channel.svelte';
import { VoiceClient } from '../features/voice/voice-client';
import { VoiceChannelState } from '../features/voice/voice-channel.svelte';

/** Creates fresh state; App.svelte puts it into context. */
export function createAppState(): AppState {
  const client = new EmotionClient(
    () => new Worker(new URL('../features/text/worker/emotion-worker.ts', import.meta.url), { type: 'module', name: 'emotion' }),
  );
  const settings = new SettingsState(createIdbSettingsStore());
  const inputs = new InputsState(settings, { text: sessionDraftStore('moodlens:draft'), tags: sessionDraftStore('moodlens:tags') });
  const text = new TextChannelState(client, settings);
  const vision = new VisionChannelState(settings, localKeyStore());
  const faces = new FaceClient();
  const face = new FaceChannelState(faces);
  const voices = new VoiceClient();
  const voice = new VoiceChannelState(voices);
  const history = new HistoryState(openHistoryStore);
  const run = new RunState(inputs, { text, vision, face, voice }, settings, { onRecord: (record) => history.save(record) });
  const batch = new BatchState({ openDb: () => BatchDb.open(), files: new BatchFileClient(), client, settings, faces, voice: voices });
  const storage = new ModelStorageState(
    createIdbModelCache(),
    async () => {
      text.forgetModels();
      await client.unload();
    },
    () => detectWebGpu((navigator as Navigator & { gpu?: GpuLike }).gpu),
  );
  // The worker's code loads with the page, so an analysis started offline later can still run.
  client.warm();
  const status = new AppStatusState();
  const router = new RouterState(window);
  const loaded = new LoadedModelsState(client, faces, voices);
  return { settings, inputs, text, vision, face, voice, run, storage, loaded, history, batch, status, router };
}
