/** Builds the LiteRT.js probe page and serves it: `${origin}/iso/` isolated, `${origin}/plain/` not. */
export function serveProbe(): Promise<{ origin: string; close(): Promise<void> }>;
