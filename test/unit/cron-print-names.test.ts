import { describe, expect, it } from 'vitest';
import { renderSchedulePrint } from '../../src/backup/cron-print.js';

// A CronJob's name is a DNS label of at most 52 characters (Kubernetes adds 11 for its Jobs).
const CRONJOB_NAME = /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/;

const print = (profile: string) =>
  renderSchedulePrint(
    {
      profile,
      at: { hour: 2, minute: 0 },
      dir: '/srv/backups',
      nodePath: '/usr/bin/node',
      binPath: '/opt/audit/bin/audit.js',
    },
    { server: 'https://audit.example.com', org: 'acme', timeZone: 'UTC', version: '1.0.0' },
  );

describe('backup schedule --print for Kubernetes names a CronJob kubectl accepts', () => {
  it.each(['prod', 'ops@example.com', 'staging.', 'Team_A', `p${'x'.repeat(63)}`])(
    'profile %s',
    (profile) => {
      const name = /\nmetadata:\n {2}name: (\S+)\n/.exec(print(profile))?.[1];
      expect(name).toMatch(CRONJOB_NAME);
      expect(name?.startsWith('audit-backup-')).toBe(true);
    },
  );
});
