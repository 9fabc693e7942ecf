import { MIN_CHART_WIDTH } from './chart-text.js';

const DEFAULT_WIDTH = 80;

/**
 * The columns a chart may use: COLUMNS when set (as `ls` reads it, so `COLUMNS=60 audit stats`
 * works), else the terminal's width, else 80; never fewer than 40.
 */
export function chartWidth(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean; columns?: number }): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const columns =
    Number.isInteger(fromEnv) && fromEnv > 0
      ? fromEnv
      : stdout.isTTY && stdout.columns
        ? stdout.columns
        : DEFAULT_WIDTH;
  return Math.max(MIN_CHART_WIDTH, columns);
}
