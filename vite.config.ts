// Vite config for the static site. Cross-origin isolation headers let onnxruntime-web use
// several threads; `appType: 'mpa'` makes a missing file a real 404 instead of index.html
// (an SPA fallback would be parsed as a model file and could end up cached).
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte()],
  appType: 'mpa',
  base: './',
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  optimizeDeps: { include: ['@huggingface/transformers'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1500 },
});
