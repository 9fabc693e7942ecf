/**
 * The operator log's settings, apart from the logger itself (logging.ts), so that the CLI can
 * offer and check them without loading Fastify.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Errors and warnings only: a healthy server says nothing but its Listening line. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

export interface ServerLogOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; the CLI passes stderr. */
  destination: { write(text: string): unknown };
}
