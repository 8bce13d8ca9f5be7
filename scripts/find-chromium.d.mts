/** Path of a usable Chromium, or null when none is installed. */
export function findChromium(): Promise<string | null>;

/** A usable Chromium: found, or Debian's installed (as root); exits with instructions otherwise. */
export function ensureChromium(command: string): Promise<string>;
