import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { InvalidInput } from '../common/index.ts';

/** Lets a route plugin take YAML bodies as well as JSON: authors write policies and rules in YAML. */
export function acceptYamlBodies(app: FastifyInstance): void {
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string));
    } catch (error) {
      done(new InvalidInput(`The request body is not valid YAML: ${(error as Error).message}`, null, 'invalid_yaml'));
    }
  });
}
