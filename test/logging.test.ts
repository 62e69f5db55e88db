import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/index.ts';
import { buildApp, loggerOptions } from '../src/server/index.ts';
import { openTestStore } from './support/backends.ts';

describe('server logs', () => {
  let lines = '';
  let close: () => Promise<void>;
  let baseUrl = '';
  let adminKey = '';

  beforeAll(async () => {
    const opened = await openTestStore('sqlite');
    const services = createServices(opened.store, opened.clock);
    const boot = await services.tenancy.bootstrap();
    adminKey = boot.created && boot.generatedKey ? boot.generatedKey : '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines += chunk.toString();
        done();
      },
    });
    const app = await buildApp(services, { logger: { ...loggerOptions, level: 'trace', stream } as never });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close();
      await opened.close();
    };
  });
  afterAll(async () => close?.());

  it('never contain API keys or request bodies', async () => {
    const secretText = 'a very private sentence that must not reach the logs';
    await fetch(`${baseUrl}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'client', label: secretText }),
    });
    await fetch(`${baseUrl}/v1/policies`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: `{"x":"${secretText}"` });
    await fetch(`${baseUrl}/v1/policies`, { headers: { authorization: `Bearer ${adminKey}` } });

    expect(lines).toContain('"url":"/v1/policies"');
    expect(lines).not.toContain(adminKey);
    expect(lines).not.toContain(secretText);
  });
});
