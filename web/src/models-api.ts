/** The tenant models' API as the console's Models page reads it (GET/POST /v1/models…). */
import { api } from './api.ts';

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  false_positive_rate: number;
  auprc: number;
}

export interface TenantModel {
  id: string;
  status: string;
  progress: number;
  examples: number;
  created_at: string;
  created_by: string;
  error: string | null;
  card: { examples: { trained_on: number; held_out: number }; training_ms: number; weights_digest: string } | null;
}

export interface Deployment {
  active: string | null;
  shadow: string | null;
  previous: (string | null)[];
  tolerance: number;
}

export interface Comparison {
  model: string;
  current: string | null;
  held_out_examples: number;
  tolerance: number;
  worse: string[];
  categories: { category: string; n: number; positives: number; current: Metrics; candidate: Metrics; f1_change: number }[];
  shadow: { compared: number; disagreed: number; disagreement_rate: number; examples: { excerpt: string; served: string[]; candidate: string[]; at: string }[] };
}

export interface ThresholdSuggestions {
  categories: { category: string; n: number; positives: number; current: CurvePoint; suggested: (CurvePoint & { f1: number }) | null; curve: CurvePoint[] }[];
}

export interface CurvePoint {
  threshold: number;
  precision: number;
  recall: number;
  false_positive_rate: number;
}

export const modelsApi = {
  list: () => api<{ data: TenantModel[] }>('/v1/models?limit=500'),
  deployment: () => api<Deployment>('/v1/models/deployment'),
  comparison: (id: string) => api<Comparison>(`/v1/models/${encodeURIComponent(id)}/comparison`),
  suggestions: () => api<ThresholdSuggestions>('/v1/models/threshold-suggestions'),
  train: () => api<TenantModel>('/v1/models/train', { method: 'POST' }),
  promote: (id: string, override: boolean) => api<Deployment>(`/v1/models/${encodeURIComponent(id)}/promote`, { method: 'POST', body: { override } }),
  rollback: () => api<Deployment>('/v1/models/rollback', { method: 'POST' }),
  shadow: (id: string | null) => api<Deployment>('/v1/models/shadow', { method: 'PUT', body: { model: id } }),
};
