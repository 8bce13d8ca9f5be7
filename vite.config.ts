// Vite config for the static site. Cross-origin isolation headers let onnxruntime-web use
// several threads; `appType: 'mpa'` makes a missing file a real 404 instead of index.html
// (an SPA fallback would be parsed as a model file and could end up cached).
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { faceModels } from './scripts/lib/face-models-plugin.mjs';
import { litertFactories } from './scripts/lib/litert-plugin.mjs';

/**
 * The Content Security Policy of the built page (a meta tag; the dev server goes without, since
 * Vite's client injects inline code). Scripts only from our origin, wasm compilation allowed;
 * `connect-src` must reach the model host and the vision API the user types in Settings, so it
 * allows our origin, any https host, and plain http only to this machine (Ollama, llama.cpp).
 * README.md ("Security headers") explains the choice and the headers a host should add.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  // A recording plays from a blob: URL while it is open (the voice channel's segments).
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [
    svelte(),
    // The face models, converted to ONNX from @vladmandic/human at build time (served by `vite` in
    // dev); the worker bundle below is what imports them.
    faceModels(),
    // LiteRT.js's loaders as ES modules, for the text engine's module worker (issue 18).
    litertFactories(),
    {
      name: 'moodlens-security-meta',
      apply: 'build',
      transformIndexHtml: () => [
        { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
        { tag: 'meta', attrs: { name: 'referrer', content: 'no-referrer' }, injectTo: 'head-prepend' },
      ],
    },
    // A service worker precaches the app shell, the ONNX Runtime wasm and the three face models
    // (4.3 MB), so after one visit the app opens offline (the text model's files are in
    // IndexedDB). A new version waits until the user agrees to reload ('prompt'), so an analysis
    // in progress is never cut off.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Moodlens',
        short_name: 'Moodlens',
        description: 'Reads the emotion in a text on your device, and in a picture with your own vision API key.',
        theme_color: '#4b4fd8',
        background_color: '#f6f7f9',
        display: 'standalone',
        start_url: './',
        scope: './',
        // Shared from another app (a post, a link, a screenshot): public/share-target.js in the
        // service worker keeps it and opens the app, which takes it as the text and the picture.
        share_target: {
          action: './share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'share-title',
            text: 'share-text',
            url: 'share-url',
            files: [{ name: 'share-image', accept: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', '.jpg', '.jpeg', '.png', '.webp', '.gif'] }],
          },
        },
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,wasm,onnx,svg,png,webmanifest}'],
        // Precache the WASM-only ONNX Runtime (14 MB); the WebGPU-capable build (27 MB) is cached
        // the first time a WebGPU device loads it, so WASM-only devices never download it.
        // LiteRT.js (9.4 MB a build, two builds) likewise: a browser runs one build, cached the
        // first time it starts (with the model download), so it works offline from then on.
        globIgnores: ['**/*.asyncify*', '**/litert_wasm_*'],
        runtimeCaching: [
          {
            urlPattern: /\/assets\/ort-wasm-simd-threaded\.asyncify-[^/]*\.(?:wasm|mjs)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'moodlens-webgpu-runtime', expiration: { maxEntries: 4 } },
          },
          {
            urlPattern: /\/assets\/litert_wasm_[^/]*\.(?:wasm|js)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'moodlens-litert-runtime', expiration: { maxEntries: 4 } },
          },
        ],
        maximumFileSizeToCacheInBytes: 20 * 1024 * 1024,
        // The share target's POST handler (must come before Workbox's routes, which only see GETs).
        importScripts: ['share-target.js'],
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        // Missing files stay real 404s (no SPA fallback page).
        navigateFallback: null,
      },
    }),
  ],
  appType: 'mpa',
  base: './',
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  // Vite's dependency scan starts from index.html and follows dynamic imports (chart.js and
  // chartjs-chart-matrix, loaded on first use), but not `new Worker(new URL(...))`: a package only
  // a worker imports (papaparse in the batch worker, the runtimes, LiteRT.js, flatbuffers) would be
  // found when that worker first starts, and `vite` would re-bundle and reload the page, losing
  // what it was doing (a batch file half read). So the scan starts from the workers too;
  // tests/node/optimize-deps.test.ts checks that every package the app imports is pre-bundled.
  optimizeDeps: { entries: ['index.html', 'src/**/worker/*-worker.ts'] },
  worker: { format: 'es', plugins: () => [faceModels(), litertFactories()], rolldownOptions: { checks: { bundlerTimings: false } } },
  // No timing report of the plugins on every build: the PWA plugin's precache step is slow by
  // nature, and the report read like a warning to anyone running `npm start`.
  build: { target: 'es2022', chunkSizeWarningLimit: 1500, rolldownOptions: { checks: { bundlerTimings: false } } },
});
