import type { ModelConfig } from '../config.js';

/** The two demo models: a churn classifier and a delivery-time (ETA) regressor. */
export const CHURN: ModelConfig = {
  name: 'churn',
  outputKind: 'binary',
  classes: ['0', '1'],
  segmentKeys: ['region'],
  description: 'Demo: probability that a subscriber cancels within 30 days',
  inputSchema: {
    type: 'object',
    required: ['age', 'tenure_months', 'monthly_spend', 'support_calls', 'plan', 'channel'],
    properties: {
      age: { type: 'number', minimum: 0, maximum: 130 },
      tenure_months: { type: 'integer', minimum: 0 },
      monthly_spend: { type: 'number', minimum: 0 },
      support_calls: { type: 'integer', minimum: 0 },
      plan: { type: 'string', enum: ['basic', 'plus', 'pro', 'enterprise'] },
      channel: { type: 'string' },
    },
  },
};

export const ETA: ModelConfig = {
  name: 'eta',
  outputKind: 'regression',
  segmentKeys: ['city'],
  description: 'Demo: minutes until a delivery arrives',
  inputSchema: {
    type: 'object',
    required: ['distance_km', 'items', 'hour_of_day', 'weather', 'courier'],
    properties: {
      distance_km: { type: 'number', minimum: 0 },
      items: { type: 'integer', minimum: 1 },
      hour_of_day: { type: 'integer', minimum: 0, maximum: 23 },
      weather: { type: 'string' },
      courier: { type: 'string' },
    },
  },
};
