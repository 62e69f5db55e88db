import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The reviewer console, served by the Warden server at /console (see src/server/routes/console.ts). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  logLevel: 'warn',
});
