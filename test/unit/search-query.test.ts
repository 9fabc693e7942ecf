import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { parseSearchQuery } from '../../src/cli/search-query.js';
import { CATEGORIES } from '../../src/domain/categories.js';

function usageMessage(text: string): string {
  try {
    parseSearchQuery(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).not.toContain('\n');
    return (error as UsageError).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseSearchQuery', () => {
  it('keeps plain words as the free text', () => {
    expect(parseSearchQuery('failed login')).toEqual({ text: 'failed login', qualifiers: {} });
    expect(parseSearchQuery('  failed    login  ')).toEqual({ text: 'failed login', qualifiers: {} });
  });

  it('returns empty text and no qualifiers for empty input', () => {
    expect(parseSearchQuery('')).toEqual({ text: '', qualifiers: {} });
    expect(parseSearchQuery('   \t ')).toEqual({ text: '', qualifiers: {} });
    expect(parseSearchQuery('""')).toEqual({ text: '', qualifiers: {} });
  });

  it('turns each qualifier into a filter and leaves the rest as text', () => {
    expect(
      parseSearchQuery('actor:alice@example.com failed action:user.login ip:203.0.113.7 target:repo-1 login'),
    ).toEqual({
      text: 'failed login',
      qualifiers: { actor: 'alice@example.com', action: ['user.login'], ip: '203.0.113.7', target: 'repo-1' },
    });
  });

  it('gives qualifiers alone an empty text', () => {
    expect(parseSearchQuery('category:auth actor:me')).toEqual({
      text: '',
      qualifiers: { category: ['auth'], actor: 'me' },
    });
  });

  it('reads quoted qualifier values', () => {
    expect(parseSearchQuery('actor:"Alice Chen" target:"Design Team" renamed')).toEqual({
      text: 'renamed',
      qualifiers: { actor: 'Alice Chen', target: 'Design Team' },
    });
    // An unclosed quote runs to the end.
    expect(parseSearchQuery('actor:"Alice Chen')).toEqual({ text: '', qualifiers: { actor: 'Alice Chen' } });
  });

  it('keeps quoted phrases together as text, quotes included', () => {
    expect(parseSearchQuery('"failed login" actor:bob "from  home"')).toEqual({
      text: '"failed login" "from  home"',
      qualifiers: { actor: 'bob' },
    });
    // A quoted qualifier is text: the quotes escape it.
    expect(parseSearchQuery('"actor:bob was here"')).toEqual({
      text: '"actor:bob was here"',
      qualifiers: {},
    });
  });

  it('accumulates repeated and comma-listed actions and categories, without duplicates', () => {
    expect(parseSearchQuery('action:user.login action:user.logout,tunnel.* action:user.login')).toEqual({
      text: '',
      qualifiers: { action: ['user.login', 'user.logout', 'tunnel.*'] },
    });
    expect(parseSearchQuery('category:auth,security category:billing category:Auth,')).toEqual({
      text: '',
      qualifiers: { category: ['auth', 'security', 'billing'] },
    });
  });

  it('reads keys case-insensitively', () => {
    expect(parseSearchQuery('ACTOR:bob Category:AUTH')).toEqual({
      text: '',
      qualifiers: { actor: 'bob', category: ['auth'] },
    });
  });

  it('keeps colons inside a value (IPv6)', () => {
    expect(parseSearchQuery('ip:2001:db8::1')).toEqual({ text: '', qualifiers: { ip: '2001:db8::1' } });
  });

  it('leaves unknown keys, URLs and times as free text', () => {
    expect(parseSearchQuery('foo:bar baz')).toEqual({ text: 'foo:bar baz', qualifiers: {} });
    expect(parseSearchQuery('https://example.com/login?x=1 actor:bob')).toEqual({
      text: 'https://example.com/login?x=1',
      qualifiers: { actor: 'bob' },
    });
    expect(parseSearchQuery('at 14:00 :actor')).toEqual({ text: 'at 14:00 :actor', qualifiers: {} });
  });

  it('rejects an unknown category, naming the allowed list', () => {
    expect(usageMessage('category:auth,nope')).toBe(
      `search: category:"nope" is not a category; choose from ${CATEGORIES.join(', ')}`,
    );
  });

  it('rejects a qualifier without a value', () => {
    expect(usageMessage('actor: bob')).toBe('search: actor: needs a value, as in actor:alice@example.com');
    expect(usageMessage('target:""')).toMatch(/^search: target: needs a value/);
    expect(usageMessage('category:,')).toMatch(/^search: category: needs a value/);
  });

  it('rejects two different values for a single-valued qualifier, allows the same one twice', () => {
    expect(usageMessage('actor:alice actor:bob')).toBe(
      'search: actor: given twice ("alice" and "bob"); give one',
    );
    expect(parseSearchQuery('ip:1.2.3.4 ip:1.2.3.4')).toEqual({ text: '', qualifiers: { ip: '1.2.3.4' } });
  });
});
