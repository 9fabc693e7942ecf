import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { learnContext, MAX_LEARNED_AGENTS, requestedSubject } from '../../src/gdpr/subject.js';

const performedBy = (id: string, userAgent: string) =>
  ({ actor: { id }, context: { ip_address: null, user_agent: userAgent } }) as unknown as AuditEvent;

describe('GDPR user agents learned from events', () => {
  it('a thousand forged user agents cannot grow the searched-for list without bound (ReDoS)', () => {
    const subject = requestedSubject({ user: 'u_bob' });
    for (let i = 0; i < 1000; i++)
      learnContext(performedBy('u_bob', `Agent${i}/1.0 ${'x'.repeat(800)}`), subject);
    expect(subject.agents.size).toBeLessThanOrEqual(MAX_LEARNED_AGENTS);
    expect([...subject.agents].every((agent) => agent.length <= 512)).toBe(true);
  });

  it.each(['order_12345', 'the 2nd one', 'path/to/file', `${'x'.repeat(20)}1`])(
    'a forged value that is no product token, %j, is not learned as a user agent',
    (agent) => {
      const subject = requestedSubject({ user: 'u_bob' });
      learnContext(performedBy('u_bob', agent), subject);
      expect(subject.agents.size).toBe(0);
    },
  );

  it.each(['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.4.0', 'AliceBrowser/1.0'])('%j is learned', (agent) => {
    const subject = requestedSubject({ user: 'u_bob' });
    learnContext(performedBy('u_bob', agent), subject);
    expect([...subject.agents]).toEqual([agent]);
  });
});
