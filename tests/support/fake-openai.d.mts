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
  | 'custom'
  | 'models-bare'
  | 'reasoning'
  | 'reasoning-raw'
  | 'no-reasoning-params'
  | 'decommissioned';

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
/** What a listed model takes as input. */
export type InputModality = 'text' | 'image' | 'audio';

/** One entry of the model list, in the order GET {base}/models sends them. */
export interface FakeModel {
  readonly id: string;
  readonly owned_by: string;
  readonly input_modalities: readonly InputModality[];
  readonly context_window: number;
  readonly max_completion_tokens: number;
}

export const MODELS: readonly FakeModel[];
/** The ids the 'decommissioned' scenario refuses with 400 model_decommissioned. */
export const RETIRED_MODELS: readonly string[];
/** What the reasoning scenarios spend and allow, in tokens, and the reasoning text they send. */
export const REASONING: Readonly<{
  /** Reasoning spent by 'reasoning' (and 'decommissioned') before the answer, unless effort is "none". */
  reasoningTokens: number;
  /** Reasoning spent by 'reasoning-raw'. */
  rawReasoningTokens: number;
  /** What the answer (CONTENT.ok) costs in these scenarios. */
  answerTokens: number;
  /** The budget when the request sets neither max_completion_tokens nor max_tokens. */
  defaultBudget: number;
  /** The largest budget 'reasoning' accepts. */
  maxCompletionTokens: number;
  /** The JSON-like decoy the reasoning starts with: read as the answer, it says anger. */
  decoy: string;
  /** The whole reasoning text (starts with the decoy). */
  text: string;
}>;
/** The assistant message content each content-returning scenario sends. */
export const CONTENT: Readonly<Record<'ok' | 'sad' | 'fenced' | 'garbage' | 'truncated', string>>;

export function createFakeOpenAI(options?: FakeOpenAIOptions): FakeOpenAI;
