export * from './errors.ts';
export * from './clock.ts';
export * from './ids.ts';
export * from './categories.ts';
export * from './validation.ts';
export * from './background.ts';
export * from './pagination.ts';
export * from './patterns.ts';
