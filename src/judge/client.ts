import { z } from 'zod';
import { postGuarded } from '../notify/index.ts';
import { type JudgeAnswer, MalformedAnswer, type Prompt, parseAnswer, userMessage } from './template.ts';

/** Why a judgement gave no usable answer; every one is recorded and the local verdict is served. */
export type FailureKind =
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'http_error'
  | 'network'
  | 'refused_address'
  | 'malformed'
  | 'refusal'
  | 'missing_api_key'
  | 'budget_exhausted'
  | 'breaker_open'
  | 'overloaded';

/** Failures that count towards opening the breaker: the endpoint misbehaving, not Warden's own limits. */
export const BREAKER_FAILURES: ReadonlySet<FailureKind> = new Set(['timeout', 'rate_limited', 'server_error', 'http_error', 'network', 'malformed']);

export type JudgeCall = { ok: true; answer: JudgeAnswer; latencyMs: number } | { ok: false; kind: FailureKind; message: string; latencyMs: number | null };

/** Where and how to ask. */
export interface Endpoint {
  /** The API root; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
  maxTokens: number;
  jsonMode: boolean;
  allowPrivateNetworks: boolean;
}

const MAX_ANSWER_BYTES = 256 * 1024;

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullable().optional(),
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }),
      }),
    )
    .min(1),
});

/** The chat-completions URL under an API root (`…/v1` → `…/v1/chat/completions`). */
export function completionsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

/** One call to an OpenAI-compatible chat-completions endpoint, through the webhook address guard; never throws. */
export async function askJudge(endpoint: Endpoint, prompt: Prompt, text: string): Promise<JudgeCall> {
  const started = performance.now();
  const body = JSON.stringify({
    model: endpoint.model,
    temperature: 0,
    max_tokens: endpoint.maxTokens,
    ...(endpoint.jsonMode && { response_format: { type: 'json_object' } }),
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: userMessage(text) },
    ],
  });
  const outcome = await postGuarded({
    url: completionsUrl(endpoint.baseUrl),
    body,
    headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
    timeoutMs: endpoint.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
    allowPrivateNetworks: endpoint.allowPrivateNetworks,
  });
  const latencyMs = Math.round(performance.now() - started);
  if (!outcome.ok) return { ok: false, kind: failureKind(outcome.reason, outcome.statusCode), message: outcome.error, latencyMs };
  return readCompletion(outcome.body, prompt, latencyMs);
}

function failureKind(reason: 'refused' | 'timeout' | 'failed' | 'too_large', status: number | null): FailureKind {
  if (reason === 'refused') return status === null ? 'refused_address' : 'http_error';
  if (reason === 'timeout') return 'timeout';
  if (reason === 'too_large') return 'malformed';
  if (status === 429) return 'rate_limited';
  if (status !== null && status >= 500) return 'server_error';
  return status === null ? 'network' : 'http_error';
}

function readCompletion(raw: string, prompt: Prompt, latencyMs: number): JudgeCall {
  let completion: z.infer<typeof completionSchema>;
  try {
    completion = completionSchema.parse(JSON.parse(raw));
  } catch {
    return { ok: false, kind: 'malformed', message: `not a chat completion: ${JSON.stringify(raw.slice(0, 200))}`, latencyMs };
  }
  const choice = completion.choices[0]!;
  if (choice.message.refusal) return { ok: false, kind: 'refusal', message: choice.message.refusal.slice(0, 500), latencyMs };
  if (choice.finish_reason === 'content_filter') return { ok: false, kind: 'refusal', message: 'the provider filtered the answer (finish_reason content_filter)', latencyMs };
  if (choice.finish_reason === 'length') return { ok: false, kind: 'malformed', message: 'the answer was cut at max_tokens', latencyMs };
  try {
    return { ok: true, answer: parseAnswer(choice.message.content ?? '', prompt.clauses), latencyMs };
  } catch (error) {
    if (error instanceof MalformedAnswer) return { ok: false, kind: 'malformed', message: `the answer ${error.message}`, latencyMs };
    throw error;
  }
}
