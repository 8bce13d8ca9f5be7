// Finds a Chromium for the browser tests: $CHROMIUM_PATH, then Debian's /usr/bin/chromium, then
// Playwright's own download (if one was ever installed). Returns null when there is none.
import { spawnSync } from 'node:child_process';
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

/**
 * A usable Chromium: found, or Debian's package installed when running as root with apt-get.
 * Exits with instructions when there is none; `command` names what to run again afterwards.
 * @param {string} command
 * @returns {Promise<string>}
 */
export async function ensureChromium(command) {
  const found = await findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log("No Chromium found: installing Debian's chromium package.");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    const installed = await findChromium();
    if (installed) return installed;
  }
  console.error(
    `No Chromium found. Install one, then run \`${command}\` again:\n` +
      '  sudo apt-get install -y chromium        (Debian/Ubuntu)\n' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
  process.exit(1);
}
