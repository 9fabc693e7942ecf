import type { FastifyInstance } from 'fastify';
import { findInexactNumber, inexactNumberMessage } from '../domain/inexact-numbers.js';
import { invalidParameter } from './problem.js';

/**
 * JSON bodies are parsed as before (Fastify's own parser, prototype poisoning refused), then
 * refused with a 400 if a number in them would not survive the parse exactly.
 */
export function registerExactJsonNumbers(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const inexact = findInexactNumber(text);
      if (inexact) return done(invalidParameter(inexact.path, inexactNumberMessage(inexact)), undefined);
      done(null, value);
    });
  });
}
