// The image model's thread started from the TypeScript sources (a checkout without a current build, the tests):
// registers tsx in this worker, then runs classifier-worker.ts. A build runs dist/images/classifier-worker.js.
import { register } from 'tsx/esm/api';

register();
await import('./classifier-worker.ts');
