import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/signature.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { type Received, type Receiver, settle, startReceiver } from '../helpers/webhook-receiver.js';

const BASE = '/api/v1/organizations/default/webhooks';
const FORMATS = ['json', 'slack', 'discord', 'teams'] as const;

/** One hostile event, delivered once to a webhook of each format. */
const EVENT = {
  action: 'security.account_locked',
  description: 'Account <!channel> locked \u001b[2J@everyone [click](https://evil.example)',
  actor: { name: 'Eve\u202e Admin', email: 'eve@example.com', type: 'user' as const },
  target: { type: 'user', id: 'user_42', name: 'bob@example.com' },
  context: { ip_address: '203.0.113.42', user_agent: 'curl/8' },
  metadata: { reason: 'too many failures' },
};

describe('webhook formats', () => {
  let fixture: Fixture;
  let receiver: Receiver;
  const secrets = new Map<string, string>();
  const byFormat = new Map<string, Received>();
  let eventId: string;

  beforeAll(async () => {
    fixture = await createFixture({ webhookRetryBaseMs: 50, webhookAllowPrivate: true });
    receiver = await startReceiver();
    for (const format of FORMATS) {
      const response = await fixture.request({
        method: 'POST',
        url: BASE,
        payload: { url: `${receiver.url}/${format}`, actions: 'security.account_locked', format },
      });
      secrets.set(format, response.json().secret);
    }
    eventId = (await fixture.ingest([EVENT]))[0]?.id as string;
    await receiver.waitFor(FORMATS.length);
    await settle();
    for (const request of receiver.received) byFormat.set(request.path.split('/').at(-1) as string, request);
  });
  afterAll(async () => {
    await fixture.close();
    await receiver.close();
  });

  it('delivers each format exactly once, signed with its own secret', () => {
    expect(receiver.received).toHaveLength(FORMATS.length);
    for (const format of FORMATS) {
      const request = byFormat.get(format) as Received;
      expect(request.headers['audit-event']).toBe(eventId);
      expect(
        verifySignature(
          request.headers['audit-signature'] as string,
          request.body,
          secrets.get(format) ?? '',
        ),
      ).toBe(true);
    }
  });

  it('json: the event itself', () => {
    expect(byFormat.get('json')?.json()).toMatchObject({
      id: eventId,
      action: 'security.account_locked',
      category: 'security',
      actor: { email: 'eve@example.com' },
      context: { ip_address: '203.0.113.42' },
    });
  });

  it('slack: text and blocks with actor, action, target, IP and time; markup escaped', () => {
    const message = byFormat.get('slack')?.json() as {
      text: string;
      blocks: { type: string; fields?: { type: string; text: string }[] }[];
    };
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text).not.toContain('<!channel>');
    const fields = message.blocks.find((block) => block.fields)?.fields?.map((field) => field.text) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining([
        '*Actor*\nEve Admin &lt;eve@example.com&gt;',
        '*Action*\nsecurity.account_locked',
        '*Target*\nuser: bob@example.com',
        '*IP address*\n203.0.113.42',
        expect.stringMatching(/^\*Time\*\n\d{4}-\d\d-\d\dT/),
      ]),
    );
  });

  it('discord: content and one embed with fields and a timestamp; no mentions, no links', () => {
    const message = byFormat.get('discord')?.json() as {
      content: string;
      allowed_mentions: { parse: string[] };
      embeds: {
        title: string;
        description: string;
        fields: { name: string; value: string }[];
        timestamp: string;
      }[];
    };
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const [embed] = message.embeds;
    expect(embed?.title).toBe('security.account_locked');
    expect(embed?.description).toContain('\\[click\\]\\(https://evil.example\\)');
    expect(Date.parse(embed?.timestamp ?? '')).not.toBeNaN();
    expect(embed?.fields.map((field) => field.name)).toEqual(
      expect.arrayContaining(['Actor', 'Action', 'Target', 'IP address', 'Time']),
    );
    expect(embed?.fields.find((field) => field.name === 'IP address')?.value).toBe('203.0.113.42');
  });

  it('teams: an Adaptive Card in a message envelope with a fact set', () => {
    const message = byFormat.get('teams')?.json() as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; body: { type: string; facts?: unknown[] }[] };
      }[];
    };
    expect(message.type).toBe('message');
    const [attachment] = message.attachments;
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment?.content.type).toBe('AdaptiveCard');
    const facts = attachment?.content.body.find((element) => element.type === 'FactSet')?.facts;
    expect(JSON.stringify(message)).not.toContain('[click](');
    expect(facts).toEqual(
      expect.arrayContaining([
        { title: 'Actor', value: 'Eve Admin <eve@example.com>' },
        { title: 'IP address', value: '203.0.113.42' },
      ]),
    );
  });

  it('chat formats carry no control, bidi or escape characters from the event', () => {
    for (const format of ['slack', 'discord', 'teams']) {
      const body = byFormat.get(format)?.body ?? '';
      // Neither raw nor as a JSON escape.
      for (const unsafe of ['\u001b', '\u202e', '\\u001b', '\\u202e'])
        expect(body, format).not.toContain(unsafe);
    }
  });
});
