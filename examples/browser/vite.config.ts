// `npm run demo`: serves examples/browser/ (the demo page and the browser test page) with its assets (./assets.ts).
import { defineConfig } from 'vite';

import { asset } from './assets';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  logLevel: 'warn',
  server: { host: '127.0.0.1', port: 5173 },
  worker: { format: 'es' },
  plugins: [
    {
      name: 'tfjs-torch-demo-assets',
      configureServer(server) {
        server.middlewares.use((req, res, next) => {
          const found = asset((req.url ?? '').split('?')[0]);
          if (!found) return next();
          res.setHeader('Content-Type', found.type);
          res.end(found.body);
        });
      },
    },
  ],
});
