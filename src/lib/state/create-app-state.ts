// Builds the app's state graph: one emotion worker for the session, the stores, the states.
import { EmotionClient } from '../ml/emotion-client';
import { createIdbModelCache } from '../ml/model-cache';
import { openHistoryStore } from '../storage/history-store';
import { localKeyStore } from '../storage/key-store';
import { createIdbSettingsStore } from '../storage/settings-store';
import { AnalysisState } from './analysis.svelte';
import { AppStatusState } from './app-status.svelte';
import { HistoryState } from './history.svelte';
import { AnalyzerState, sessionDraftStore } from './analyzer.svelte';
import type { AppState } from './context';
import { ModelStorageState } from './model-storage.svelte';
import { SettingsState } from './settings.svelte';
import { VisionState } from './vision.svelte';

/** Creates fresh state; App.svelte puts it into context. */
export function createAppState(): AppState {
  const client = new EmotionClient(
    () => new Worker(new URL('../ml/worker/emotion-worker.ts', import.meta.url), { type: 'module', name: 'emotion' }),
  );
  const settings = new SettingsState(createIdbSettingsStore());
  const analyzer = new AnalyzerState(client, settings, sessionDraftStore());
  const vision = new VisionState(settings, localKeyStore());
  const history = new HistoryState(openHistoryStore);
  const analysis = new AnalysisState(analyzer, vision, settings, (record) => history.save(record));
  const storage = new ModelStorageState(createIdbModelCache(), async () => {
    analyzer.forgetModels();
    await client.unload();
  });
  // The worker's code loads with the page, so an analysis started offline later can still run.
  client.warm();
  const status = new AppStatusState();
  return { settings, analyzer, vision, analysis, storage, history, status };
}
