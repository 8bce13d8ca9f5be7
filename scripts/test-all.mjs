// `npm test`: every check and test, in the order a failure is cheapest to find. Makes sure a
// Chromium exists first (installing Debian's when it can), and ends with one summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureChromium } from './find-chromium.mjs';

const RESULTS = 'reports'; // not test-results/: Playwright empties that at start
mkdirSync(RESULTS, { recursive: true });

/** Runs one stage; a stage that hangs is killed after `minutes` so the suite always ends. */
function run(title, command, args, env = {}, minutes = 20) {
  console.log(`\n=== ${title}: ${[command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env }, timeout: minutes * 60_000, killSignal: 'SIGKILL' });
  const outcome = result.error?.code === 'ETIMEDOUT' ? `killed after ${minutes} min` : result.status === 0 ? 'ok' : `failed (exit ${result.status})`;
  console.log(`=== ${title}: ${outcome} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status === 0;
}

const chromium = await ensureChromium('npm test');
console.log(`Chromium: ${chromium}`);

const steps = [];
steps.push(['types', run('types', 'npm', ['run', '--silent', 'check'])]);
steps.push(['lint', run('lint', 'npx', ['eslint', '.'])]);
steps.push([
  'unit',
  run('unit and Node tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${RESULTS}/vitest.json`], {}, 10),
]);
const built = run('build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
steps.push(['build', built]);
if (built) {
  steps.push([
    'e2e',
    run('browser tests', 'npx', ['playwright', 'test', '--reporter=list,json'], {
      CHROMIUM_PATH: chromium,
      PLAYWRIGHT_JSON_OUTPUT_NAME: `${RESULTS}/playwright.json`,
    }, 40),
  ]);
}

function counts() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const v = JSON.parse(readFileSync(`${RESULTS}/vitest.json`, 'utf8'));
    passed += v.numPassedTests ?? 0;
    failed += v.numFailedTests ?? 0;
    skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  } catch {
    // no vitest report
  }
  try {
    const p = JSON.parse(readFileSync(`${RESULTS}/playwright.json`, 'utf8'));
    passed += p.stats?.expected ?? 0;
    failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
    skipped += p.stats?.skipped ?? 0;
  } catch {
    // no playwright report
  }
  return { passed, failed, skipped };
}

const failedSteps = steps.filter(([, ok]) => !ok).map(([name]) => name);
const { passed, failed, skipped } = counts();
console.log(`\nSteps: ${steps.map(([name, ok]) => `${name} ${ok ? 'ok' : 'FAILED'}`).join(', ')}`);
console.log(`${passed} passed, ${failed + (failedSteps.length > 0 && failed === 0 ? failedSteps.length : 0)} failed, ${skipped} skipped`);
process.exit(failedSteps.length === 0 ? 0 : 1);
