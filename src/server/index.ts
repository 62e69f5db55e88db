export { buildApp, loggerOptions, DEFAULT_BODY_LIMIT, type AppOptions } from './app.ts';
export { createServices, type Services } from './services.ts';
