import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { createEventMatcher } from '../../src/domain/event-matcher.js';
import { MAX_SEARCH_WORDS } from '../../src/domain/request-limits.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';

describe('free text of emoji and punctuation (the README: no input makes a query fail)', () => {
  let fixture: Fixture;
  let stored: AuditEvent[];
  const search = async (q: string) => {
    const response = await fixture.request({ method: 'GET', url: `${URL}?q=${encodeURIComponent(q)}` });
    expect(response.statusCode).toBe(200);
    return (response.json().data as AuditEvent[]).map((event) => event.action);
  };

  beforeAll(async () => {
    fixture = await createFixture();
    await fixture.ingest([
      { action: 'deploy.finished', description: 'api shipped 🚀', timestamp: '2024-01-01T00:00:00Z' },
      { action: 'team.renamed', target: { name: 'Rocket 🚀🔥 crew' }, timestamp: '2024-01-02T00:00:00Z' },
      { action: 'user.login', metadata: { mood: '👩‍💻 at ❤️ work' }, timestamp: '2024-01-03T00:00:00Z' },
      { action: 'user.logout', description: 'nothing to see !!!', timestamp: '2024-01-04T00:00:00Z' },
    ]);
    const all = await fixture.request({ method: 'GET', url: URL });
    stored = all.json().data;
  });
  afterAll(() => fixture.close());

  it('finds the events that contain an emoji searched alone', async () => {
    expect(await search('🚀')).toEqual(['team.renamed', 'deploy.finished']);
    expect(await search('🚀🔥')).toEqual(['team.renamed']);
    expect(await search('❤️')).toEqual(['user.login']);
    expect(await search('👩‍💻')).toEqual(['user.login']);
    expect(await search('🛸')).toEqual([]);
  });

  it('keeps every word required, the last one a prefix, with emoji among them', async () => {
    expect(await search('rocket 🚀')).toEqual(['team.renamed']);
    expect(await search('🚀 shipp')).toEqual(['deploy.finished']);
    expect(await search('🚀 absent')).toEqual([]);
  });

  it('answers an empty page, never a 400, for text with no word at all', async () => {
    for (const q of ['!!!', '+', '—', '"', '(((', '\u200d']) expect(await search(q)).toEqual([]);
  });

  it('still refuses more words than the cap, counting emoji as words', async () => {
    const q = Array.from({ length: MAX_SEARCH_WORDS + 1 }, () => '🚀').join(' ');
    const response = await fixture.request({ method: 'GET', url: `${URL}?q=${encodeURIComponent(q)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().param).toBe('q');
  });

  it('matches a live stream the same way as a list', () => {
    const matching = (text: string) =>
      stored
        .filter(createEventMatcher({ text, detailed: true }, { kind: 'organization' }))
        .map((event) => event.action);
    expect(matching('🚀')).toEqual(['team.renamed', 'deploy.finished']);
    expect(matching('👩‍💻')).toEqual(['user.login']);
    expect(matching('!!!')).toEqual([]);
  });
});
