/** AI code reviews of pull requests: triggered by CI or by hand, each completing (and costing credits) or failing. */
import type { Actor, Target } from '../../domain/event.js';
import {
  CI_RUNNER_IP,
  CI_TOKEN_NAME,
  CI_TOKEN_ORIGINAL_ID,
  CI_TOKEN_ROTATED_ID,
  CI_USER_AGENT,
  type DemoRepository,
  type DemoTeam,
  REPOSITORIES,
  REVIEW_FAILURE_REASONS,
  SYSTEM_ACTOR,
  teamContext,
} from './cast.js';
import type { Dice } from './random.js';
import { type TimedEvent, timed, type Visit } from './timed-event.js';
import { busyMoment, DAY, SECOND, type Timeline } from './timeline.js';

function pullRequestTarget(dice: Dice, repository: DemoRepository, at: number, timeline: Timeline): Target {
  const daysIn = (at - timeline.start) / DAY;
  const number =
    repository.firstPullRequest + Math.floor(daysIn * repository.pullRequestsPerDay) + dice.int(0, 2);
  return { type: 'review', id: `review_${dice.hex(6)}`, name: `PR #${number} in ${repository.name}` };
}

function reviewOutcome(dice: Dice, review: Target, team: DemoTeam, at: number): TimedEvent[] {
  const system = { actor: SYSTEM_ACTOR, context: teamContext(team), target: review };
  const finishedAt = at + dice.int(90, 540) * SECOND;
  if (dice.chance(0.1)) {
    return [
      timed(finishedAt, 'review.failed', {
        ...system,
        metadata: { reason: dice.pick(REVIEW_FAILURE_REASONS) },
      }),
    ];
  }
  return [
    timed(finishedAt, 'review.completed', {
      ...system,
      metadata: { comments: dice.int(0, 14), duration_seconds: Math.round((finishedAt - at) / SECOND) },
    }),
    timed(finishedAt + SECOND, 'billing.credits_used', { ...system, metadata: { credits: dice.int(1, 6) } }),
  ];
}

/** A pull request opened somewhere, reviewed on the CI token's behalf (rotated partway through the window). */
export function automaticReview(dice: Dice, timeline: Timeline): TimedEvent[] {
  const at = busyMoment(dice, timeline);
  const repository = dice.pick(REPOSITORIES);
  const review = pullRequestTarget(dice, repository, at, timeline);
  const tokenId = at < timeline.ciTokenRotatedAt ? CI_TOKEN_ORIGINAL_ID : CI_TOKEN_ROTATED_ID;
  const actor: Actor = { id: tokenId, name: CI_TOKEN_NAME, email: null, type: 'api_token' };
  const context = { ip_address: CI_RUNNER_IP, user_agent: CI_USER_AGENT, ...teamContext(repository.team) };
  return [
    timed(at, 'review.triggered', {
      actor,
      context,
      target: review,
      metadata: { trigger: 'pull_request', repository: repository.name },
    }),
    ...reviewOutcome(dice, review, repository.team, at),
  ];
}

/** Someone asks for a review of one of their team's pull requests. */
export function manualReview(dice: Dice, timeline: Timeline, visit: Visit, at: number): TimedEvent[] {
  const own = REPOSITORIES.filter((repository) => repository.team === visit.person.team);
  const repository = dice.pick(own.length > 0 ? own : REPOSITORIES);
  const review = pullRequestTarget(dice, repository, at, timeline);
  const system = { actor: SYSTEM_ACTOR, context: teamContext(visit.person.team), target: review };
  return [
    timed(at, 'review.manually_triggered', {
      ...visit,
      target: review,
      metadata: { repository: repository.name },
    }),
    timed(at + 2 * SECOND, 'review.triggered', { ...system, metadata: { trigger: 'manual' } }),
    ...reviewOutcome(dice, review, visit.person.team, at),
  ];
}
