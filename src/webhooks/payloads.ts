import type { AuditEvent } from '../domain/event.js';
import type { WebhookFormat } from '../domain/webhook-rules.js';
import { sanitizeForDisplay } from '../format/sanitize.js';

/** What a delivery is about: the event, and the organization it belongs to (for the footer). */
export interface PayloadSource {
  event: AuditEvent;
  organization: string;
}

interface Fact {
  name: string;
  value: string;
}

/**
 * The request body for a format. `json` is the event exactly as the API returns it; the chat
 * formats are each platform's incoming-webhook message, built from cleaned text (event data is
 * attacker-controlled: no control characters, no mentions, no markup of its own).
 */
export function buildPayload(format: WebhookFormat, source: PayloadSource): unknown {
  switch (format) {
    case 'json':
      return source.event;
    case 'slack':
      return slackMessage(source);
    case 'discord':
      return discordMessage(source);
    case 'teams':
      return teamsMessage(source);
  }
}

/** Slack incoming webhook: `text` is the notification fallback; blocks carry the facts. */
function slackMessage({ event, organization }: PayloadSource) {
  const title = clip(slackText(headline(event)), 2900);
  return {
    text: clip(`${title} (${event.action})`, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title } },
      {
        type: 'section',
        fields: facts(event).map((fact) => ({
          type: 'mrkdwn',
          text: `*${fact.name}*\n${clip(slackText(fact.value), 1900)}`,
        })),
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: clip(slackText(footer(event, organization)), 2900) }],
      },
    ],
  };
}

/** Discord webhook: one embed; `allowed_mentions` empty so no event can ping @everyone. */
function discordMessage({ event, organization }: PayloadSource) {
  return {
    content: clip(discordText(`${headline(event)} (${event.action})`), 2000),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(event.action, 256),
        description: clip(discordText(headline(event)), 4096),
        color: event.category === 'security' || event.category === 'auth' ? 0xd9534f : 0x3b82f6,
        fields: facts(event).map((fact) => ({
          name: fact.name,
          value: clip(discordText(fact.value), 1024),
          inline: true,
        })),
        timestamp: event.timestamp,
        footer: { text: clip(footer(event, organization), 2048) },
      },
    ],
  };
}

/**
 * Microsoft Teams: an Adaptive Card in the message envelope, which Teams Workflows ("post to a
 * channel when a webhook request is received") and the older incoming-webhook connectors both
 * accept; the MessageCard format only works with the connectors Microsoft is retiring.
 */
function teamsMessage({ event, organization }: PayloadSource) {
  const title = clip(teamsText(headline(event)), 1000);
  return {
    type: 'message',
    summary: clip(`${title} (${event.action})`, 1000),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
            {
              type: 'FactSet',
              facts: facts(event).map((fact) => ({
                title: fact.name,
                value: clip(teamsText(fact.value), 1000),
              })),
            },
            { type: 'TextBlock', text: clip(footer(event, organization), 1000), isSubtle: true, wrap: true },
          ],
        },
      },
    ],
  };
}

/** Slack's mrkdwn needs only these three escaped; `<` would otherwise open a link or a mention. */
function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Adaptive Cards render a markdown subset without escapes: break link syntax so no event plants a link. */
function teamsText(text: string): string {
  return text.replace(/\]\s*\(/g, '] (');
}

/** Discord renders markdown in content and embeds: a backslash makes each sign literal. */
function discordText(text: string): string {
  return text.replace(/[\\*_~`|<>[\]()#]/g, (character) => `\\${character}`);
}

function headline(event: AuditEvent): string {
  return clean(event.description ?? '') || event.action;
}

/** Actor, action, target, IP and time: the facts every chat format shows, absent ones left out. */
export function facts(event: AuditEvent): Fact[] {
  const { actor, target, context } = event;
  const actorName = actor?.name ?? actor?.id ?? null;
  const actorText =
    actorName && actor?.email && actor.email !== actorName
      ? `${actorName} <${actor.email}>`
      : (actorName ?? actor?.email);
  const targetName = target?.name ?? target?.id ?? null;
  const targetText = targetName && target?.type ? `${target.type}: ${targetName}` : targetName;
  const all: [string, string | null | undefined][] = [
    ['Actor', actorText],
    ['Action', event.action],
    ['Target', targetText],
    ['IP address', context?.ip_address],
    ['Time', event.timestamp],
    ['Category', event.category],
    ['Team', context?.team_name],
  ];
  return all
    .map(([name, value]) => ({ name, value: clean(value ?? '') }))
    .filter((fact) => fact.value !== '');
}

function footer(event: AuditEvent, organization: string): string {
  return `audit · ${clean(organization)} · ${event.id}`;
}

function clean(text: string): string {
  return sanitizeForDisplay(text).trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
