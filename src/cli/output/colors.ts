import { Chalk, type ChalkInstance } from 'chalk';
import type { Category } from '../../domain/categories.js';
import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';

type Style = (text: string) => string;

export interface Palette {
  readonly enabled: boolean;
  /** The colour of an event: its category's, or bold red when it is security-relevant. */
  event(event: Pick<AuditEvent, 'category' | 'action'>): Style;
  category(category: string): Style;
  alert: Style;
  header: Style;
  label: Style;
  dim: Style;
}

function categoryStyles(chalk: ChalkInstance): Record<Category, ChalkInstance> {
  return {
    auth: chalk.blue,
    security: chalk.red,
    team: chalk.magenta,
    billing: chalk.yellow,
    tunnel: chalk.cyan,
    review: chalk.green,
    settings: chalk.gray,
    profile: chalk.gray,
    access: chalk.dim,
    gdpr: chalk.white.bold,
    audit: chalk.white.bold,
  };
}

/** Colours for one output; with `color` off every style returns its text unchanged. */
export function createPalette(color: boolean): Palette {
  // Basic colours only: they are all we use, and every colour terminal has them.
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const byCategory = categoryStyles(chalk);
  const plain: Style = (text) => text;
  // The category is the server's text: a name such as `__proto__` is no key of ours.
  const category = (name: string): Style =>
    Object.hasOwn(byCategory, name) ? byCategory[name as Category] : plain;
  const alert: Style = chalk.red.bold;
  return {
    enabled: color,
    event: (event) => (isSecurityRelevant(event) ? alert : category(event.category)),
    category,
    alert,
    header: chalk.bold,
    label: chalk.bold,
    dim: chalk.dim,
  };
}
