// The detection thread started from the TypeScript sources (a checkout without a current build, the tests):
// registers tsx in this worker, then runs worker.ts. A build runs dist/detect/worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
