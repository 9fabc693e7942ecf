import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namesUtc, utcHostZone } from '../../src/cli/dates.js';

const DATES = fileURLToPath(new URL('../../dist/cli/dates.js', import.meta.url));
const ZONED_TIME = fileURLToPath(new URL('../../dist/domain/zoned-time.js', import.meta.url));

/**
 * In a process of its own with exactly `env`: ICU reads TZ once, at Intl's first use. Prints
 * what the UTC shortcut says, what Intl says, and the display zone with and without it.
 */
function zonesIn(env: NodeJS.ProcessEnv) {
  const script = `
const { utcHostZone, displayZone } = await import(${JSON.stringify(DATES)});
const { isValidTimeZone, systemTimeZone } = await import(${JSON.stringify(ZONED_TIME)});
const fast = utcHostZone() ?? null;
const envZone = process.env.TZ?.trim().replace(/^:/, '');
const slow = envZone && isValidTimeZone(envZone) ? envZone : systemTimeZone();
console.log(JSON.stringify({ fast, display: displayZone({ env: process.env }), slow, intl: Intl.DateTimeFormat().resolvedOptions().timeZone }));
`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env,
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { fast: string | null; display: string; slow: string; intl: string };
}

describe('the system zone told without Intl', () => {
  it('names UTC only for a zoneinfo path of UTC itself', () => {
    for (const target of [
      '/usr/share/zoneinfo/Etc/UTC',
      '/usr/share/zoneinfo/UTC',
      '../usr/share/zoneinfo/Etc/UTC',
      '/usr/lib/zoneinfo/UTC',
    ])
      expect(namesUtc(target), target).toBe(true);
    for (const target of [
      '/etc/localtime',
      '/usr/share/zoneinfo/Europe/London',
      '/usr/share/zoneinfo/Etc/GMT',
      '/usr/share/zoneinfo/Etc/UCT',
      '/usr/share/zoneinfo/posix/UTC',
      '/usr/share/zoneinfo/utc',
      '/usr/share/zoneinfo/UTC/',
      '/usr/share/zoneinfo/UTC\n',
      '/usr/share/zoneinfo/U\u0422C',
      '/usr/share/zoneinfo/Etc/UTC/../../Europe/Paris',
      '/zoneinfo/Europe/zoneinfo/UTC',
      'zoneinfo/UTC',
      '',
    ])
      expect(namesUtc(target), JSON.stringify(target)).toBe(false);
  });

  it('never names UTC for other text, whatever it holds (unicode, lone surrogates, controls)', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('/', 'zoneinfo', 'UTC', 'Etc/', '/zoneinfo/'),
        codeUnit,
        fc.string({ unit: 'binary' }),
      ),
    });
    fc.assert(
      fc.property(text, (target) => {
        if (!namesUtc(target)) return;
        const tail = target.slice(target.indexOf('/zoneinfo/'));
        expect(['/zoneinfo/UTC', '/zoneinfo/Etc/UTC']).toContain(tail);
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves the answer to Intl whenever TZ is set, even empty, and off Linux', () => {
    for (const tz of ['UTC', '', ':UTC', 'Europe/Paris', 'JST-9', 'Nowhere/Special'])
      expect(utcHostZone({ TZ: tz }, 'linux')).toBeUndefined();
    expect(utcHostZone({}, 'darwin')).toBeUndefined();
    expect(utcHostZone({}, 'win32')).toBeUndefined();
  });

  it('says what Intl says, with TZ unset or set to anything', () => {
    const { TZ: _, ...unset } = process.env;
    const seen = zonesIn(unset);
    if (seen.fast !== null) expect(seen.fast).toBe(seen.intl);
    expect(seen.display).toBe(seen.slow);
    for (const tz of ['UTC', '', ':UTC', 'Etc/UTC', 'Europe/Paris', 'JST-9', 'Nowhere/Special']) {
      const zones = zonesIn({ ...unset, TZ: tz });
      expect(zones.fast, tz).toBeNull();
      expect(zones.display, tz).toBe(zones.slow);
    }
  });
});
