// Finds a Chromium for the browser tests: $CHROMIUM_PATH, then Debian's /usr/bin/chromium, then
// Playwright's own download (if one was ever installed). Returns null when there is none.
import { existsSync } from 'node:fs';

/** @returns {Promise<string | null>} */
export async function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const path of candidates) if (path && existsSync(path)) return path;
  try {
    const { chromium } = await import('@playwright/test');
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright not installed yet, or no browser of its own.
  }
  return null;
}
