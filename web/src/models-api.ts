/** The tenant models' API as the console's Models page reads it (GET/POST /v1/models…). */
import { type Answer, api } from './api.ts';

export type TenantModel = Answer<'/v1/models/{id}'>;
export type Deployment = Answer<'/v1/models/deployment'>;
export type Comparison = Answer<'/v1/models/{id}/comparison'>;
export type ThresholdSuggestions = Answer<'/v1/models/threshold-suggestions'>;
export type CurvePoint = ThresholdSuggestions['categories'][number]['current'];

export const modelsApi = {
  list: () => api<Answer<'/v1/models'>>('/v1/models?limit=500'),
  deployment: () => api<Deployment>('/v1/models/deployment'),
  comparison: (id: string) => api<Comparison>(`/v1/models/${encodeURIComponent(id)}/comparison`),
  suggestions: () => api<ThresholdSuggestions>('/v1/models/threshold-suggestions'),
  train: () => api<Answer<'/v1/models/train', 'post', 202>>('/v1/models/train', { method: 'POST' }),
  promote: (id: string, override: boolean) => api<Answer<'/v1/models/{id}/promote', 'post'>>(`/v1/models/${encodeURIComponent(id)}/promote`, { method: 'POST', body: { override } }),
  rollback: () => api<Answer<'/v1/models/rollback', 'post'>>('/v1/models/rollback', { method: 'POST' }),
  shadow: (id: string | null) => api<Answer<'/v1/models/shadow', 'put'>>('/v1/models/shadow', { method: 'PUT', body: { model: id } }),
};
