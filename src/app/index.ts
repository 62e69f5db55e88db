export { createServices, type Services, type ServiceOptions } from './services.ts';
