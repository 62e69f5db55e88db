export { buildApp, loggerOptions, DEFAULT_BODY_LIMIT, type AppOptions, type RegisteredRoute } from './app.ts';
