import type { Server } from 'node:http';

export type VisionScenario =
  | 'ok'
  | 'sad'
  | 'fenced'
  | 'garbage'
  | 'truncated'
  | 'json-mode-rejected'
  | 'unauthorized'
  | 'retired'
  | 'too-large'
  | 'rate-limited'
  | 'server-error'
  | 'always-500'
  | 'slow'
  | 'models-unauthorized'
  | 'unauthorized-echo'
  | 'invalid-json'
  | 'hang-up'
  | 'custom';

/** One request to anything but a control endpoint (OPTIONS preflights included). */
export interface VisionLogEntry {
  method: string;
  path: string;
  /** Request headers, names lower-case. */
  headers: Record<string, string | string[] | undefined>;
  /** The URL's search string ('' or '?a=b'). */
  query: string;
  /** The parsed JSON body, or null (no body, not JSON, or above 20 MB). */
  body: unknown;
  bodyBytes: number;
  /** Date.now() when the body had been read. */
  at: number;
}

export interface FakeOpenAIOptions {
  /** Prefix of the API routes. Default '/openai/v1'. */
  basePath?: string;
  /** How long the 'slow' scenario waits before answering, in ms. Default 8000. */
  slowMs?: number;
}

export interface FakeOpenAI {
  /** Not yet listening. */
  server: Server;
  /** Live array: reset() empties it in place. */
  log: VisionLogEntry[];
  /** Throws on an unknown name. Restarts the 'first request' counters. */
  setScenario(name: VisionScenario): void;
  /** Empties the log and sets the scenario to 'ok'. */
  reset(): void;
  readonly scenario: VisionScenario;
}

export const SCENARIOS: readonly VisionScenario[];
export const MODELS: readonly { id: string; owned_by: string; context_window: number }[];
/** The assistant message content each content-returning scenario sends. */
export const CONTENT: Readonly<Record<'ok' | 'sad' | 'fenced' | 'garbage' | 'truncated', string>>;

export function createFakeOpenAI(options?: FakeOpenAIOptions): FakeOpenAI;
