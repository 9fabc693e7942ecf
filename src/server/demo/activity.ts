/** The everyday noise: people's sessions (sign in, do a few things, usually sign out) and CI reviews. */

import type { Target } from '../../domain/event.js';
import {
  type DemoTunnel,
  EPHEMERAL_TUNNEL_WORDS,
  PEOPLE,
  PREFERENCE_CHANGES,
  PROFILE_CHANGES,
  personActor,
  personContext,
  TUNNEL_DELETE_REASONS,
  TUNNEL_REGIONS,
  TUNNEL_SETTING_CHANGES,
  TUNNELS,
} from './cast.js';
import type { Dice } from './random.js';
import { automaticReview, manualReview } from './reviews.js';
import { personTarget, type TimedEvent, timed, type Visit } from './timed-event.js';
import { busyMoment, isActive, MINUTE, SECOND, type Timeline, tunnelTarget } from './timeline.js';

function teamTunnel(dice: Dice, visit: Visit): DemoTunnel {
  const own = TUNNELS.filter((tunnel) => tunnel.team === visit.person.team);
  return dice.pick(own.length > 0 ? own : TUNNELS);
}

function tunnelSession(dice: Dice, timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  const tunnel = teamTunnel(dice, visit);
  const stoppedAt = at + dice.int(10, 180) * MINUTE;
  const target = tunnelTarget(tunnel, at, timeline);
  if (!target || tunnelTarget(tunnel, stoppedAt, timeline)?.id !== target.id) return [];
  return [
    timed(at, 'tunnel.started', { ...visit, target, metadata: { region: dice.pick(TUNNEL_REGIONS) } }),
    timed(stoppedAt, 'tunnel.stopped', {
      ...visit,
      target,
      metadata: { duration_minutes: Math.round((stoppedAt - at) / MINUTE) },
    }),
  ];
}

function throwawayTunnel(dice: Dice, _timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  const label = dice.chance(0.5)
    ? `pr-${dice.int(400, 520)}-preview`
    : `demo-${dice.pick(EPHEMERAL_TUNNEL_WORDS)}`;
  const target: Target = { type: 'tunnel', id: `tunnel_${dice.hex(6)}`, name: `${label}.example.net` };
  const deletedAt = at + dice.int(30, 600) * MINUTE;
  return [
    timed(at, 'tunnel.created', { ...visit, target, metadata: { region: dice.pick(TUNNEL_REGIONS) } }),
    timed(at + MINUTE, 'tunnel.started', { ...visit, target }),
    timed(deletedAt - MINUTE, 'tunnel.stopped', { ...visit, target }),
    timed(deletedAt, 'tunnel.deleted', {
      ...visit,
      target,
      metadata: { reason: dice.pick(TUNNEL_DELETE_REASONS) },
    }),
  ];
}

function tunnelSettings(dice: Dice, timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  const target = tunnelTarget(teamTunnel(dice, visit), at, timeline);
  if (!target) return [];
  return [
    timed(at, 'tunnel.settings_updated', { ...visit, target, changes: dice.pick(TUNNEL_SETTING_CHANGES) }),
  ];
}

function oauthRefresh(_dice: Dice, _timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  return [timed(at, 'user.oauth_refreshed', { ...visit, metadata: { provider: 'github' } })];
}

function preferences(dice: Dice, _timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  return [timed(at, 'profile.preferences_updated', { ...visit, changes: dice.pick(PREFERENCE_CHANGES) })];
}

function profile(dice: Dice, _timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  const target = personTarget(visit.person);
  return [timed(at, 'user.updated', { ...visit, target, changes: dice.pick(PROFILE_CHANGES) })];
}

type SessionAction = (dice: Dice, timeline: Timeline, visit: Visit, at: number) => TimedEvent[];

const SESSION_ACTIONS: readonly (readonly [SessionAction, number])[] = [
  [manualReview, 3],
  [tunnelSession, 4],
  [throwawayTunnel, 1.2],
  [tunnelSettings, 1],
  [preferences, 0.4],
  [profile, 0.25],
];

const ACTIONS_PER_SESSION: readonly (readonly [number, number])[] = [
  [0, 3],
  [1, 3],
  [2, 2],
  [3, 1.5],
  [4, 0.5],
];

/** A login, a few things done from the same address and browser, usually a logout. */
function userSession(dice: Dice, timeline: Timeline): TimedEvent[] {
  const loginAt = busyMoment(dice, timeline);
  const present = PEOPLE.filter((person) => isActive(person, loginAt, timeline));
  const person = dice.weighted(present.map((candidate) => [candidate, candidate.activity] as const));
  const ip = dice.chance(0.15) ? person.homeIp : person.officeIp;
  const visit: Visit = { person, actor: personActor(person), context: personContext(person, ip) };
  const session = [timed(loginAt, 'user.login', { ...visit, metadata: { method: person.loginMethod } })];
  const actions =
    person.loginMethod === 'github_oauth'
      ? [...SESSION_ACTIONS, [oauthRefresh, 1] as const]
      : SESSION_ACTIONS;
  let cursor = loginAt;
  for (let remaining = dice.weighted(ACTIONS_PER_SESSION); remaining > 0; remaining--) {
    cursor += dice.int(2, 45) * MINUTE + dice.int(0, 59) * SECOND;
    session.push(...dice.weighted(actions)(dice, timeline, visit, cursor));
  }
  if (dice.chance(0.7)) session.push(timed(cursor + dice.int(5, 90) * MINUTE, 'user.logout', visit));
  return session;
}

/** Sessions and CI reviews until `budget` events fall inside the window. */
export function backgroundEvents(dice: Dice, timeline: Timeline, budget: number): TimedEvent[] {
  const events: TimedEvent[] = [];
  while (events.length < budget) {
    const episode = dice.chance(0.78) ? userSession(dice, timeline) : automaticReview(dice, timeline);
    const inWindow = episode.filter((event) => event.at < timeline.end);
    events.push(...inWindow.slice(0, budget - events.length));
  }
  return events;
}
