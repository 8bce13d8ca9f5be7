/** Builds the LiteRT.js probe page and serves it: `${origin}/iso/` isolated, `${origin}/plain/` not; `files` under `files/` of both. */
export function serveProbe(options?: { files?: string }): Promise<{ origin: string; close(): Promise<void> }>;
