// `npm start`'s first step: builds the server and the console when dist/ is missing or older than src/.
import { execSync } from 'node:child_process';
import { distIsCurrent } from '../bin/build-state.mjs';

if (!distIsCurrent()) execSync('npm run build', { stdio: 'inherit' });
