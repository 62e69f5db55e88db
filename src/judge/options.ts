import pino from 'pino';
import { type Resolver, systemResolver } from '../notify/index.ts';
import { type SecretBox, secretBoxFromEnv } from './secrets.ts';
import type { JudgeLogger } from './cascade.ts';

/** The operator's settings for judges. */
export interface JudgeOptions {
  secrets: SecretBox;
  /** WARDEN_JUDGE_ALLOW_PRIVATE=1: judges that opt in (allow_private_network) may reach loopback and private addresses. */
  allowPrivateNetworks: boolean;
  resolve: Resolver;
  log: JudgeLogger;
  /** Run the background worker (shadow and non-blocking judgements) in this process. */
  workerPollMs: number;
}

/** From the environment: WARDEN_SECRET_KEY, WARDEN_JUDGE_ALLOW_PRIVATE, LOG_LEVEL. */
export function judgeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): JudgeOptions {
  const logger = pino({ name: 'warden-judge', level: env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  return {
    secrets: secretBoxFromEnv(env),
    allowPrivateNetworks: env.WARDEN_JUDGE_ALLOW_PRIVATE === '1',
    resolve: systemResolver,
    log: { warn: (fields, message) => logger.warn(fields, message), info: (fields, message) => logger.info(fields, message) },
    workerPollMs: 1_000,
  };
}
