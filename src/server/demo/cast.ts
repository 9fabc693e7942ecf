/** The people, teams and resources the demo log is about. Addresses are documentation-only (RFC 5737, RFC 2606). */
import type { Actor, EventContext, JsonObject } from '../../domain/event.js';

export interface DemoTeam {
  id: string;
  name: string;
}

export interface DemoPerson {
  id: string;
  name: string;
  email: string;
  team: DemoTeam;
  officeIp: string;
  homeIp: string;
  userAgent: string;
  loginMethod: 'github_oauth' | 'password';
  /** Relative share of the sessions this person starts. */
  activity: number;
}

export interface DemoTunnel {
  id: string;
  name: string;
  team: DemoTeam;
}

export interface DemoRepository {
  name: string;
  team: DemoTeam;
  firstPullRequest: number;
  pullRequestsPerDay: number;
}

export const ENGINEERING: DemoTeam = { id: 'team_7f3a2c', name: 'Engineering' };
export const PLATFORM: DemoTeam = { id: 'team_2b9d41', name: 'Platform' };
export const SECURITY: DemoTeam = { id: 'team_c4e81f', name: 'Security' };

const MAC_CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const MAC_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const MAC_FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0';
const WINDOWS_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const WINDOWS_EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51';
const LINUX_CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const LINUX_FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';

export const ALICE: DemoPerson = {
  id: 'user_8c1e4b',
  name: 'Alice Chen',
  email: 'alice.chen@example.com',
  team: ENGINEERING,
  officeIp: '203.0.113.42',
  homeIp: '203.0.113.181',
  userAgent: MAC_CHROME,
  loginMethod: 'github_oauth',
  activity: 1.2,
};
/** The account that gets taken over in the incident: no 2FA until afterwards. */
export const BOB: DemoPerson = {
  id: 'user_3f7a92',
  name: 'Bob Martinez',
  email: 'bob.martinez@example.com',
  team: ENGINEERING,
  officeIp: '203.0.113.57',
  homeIp: '203.0.113.204',
  userAgent: WINDOWS_FIREFOX,
  loginMethod: 'password',
  activity: 1.1,
};
export const MEI: DemoPerson = {
  id: 'user_e9b7d0',
  name: 'Mei Tanaka',
  email: 'mei.tanaka@example.com',
  team: ENGINEERING,
  officeIp: '203.0.113.19',
  homeIp: '203.0.113.233',
  userAgent: LINUX_CHROME,
  loginMethod: 'github_oauth',
  activity: 1,
};
export const PRIYA: DemoPerson = {
  id: 'user_5d20c7',
  name: 'Priya Natarajan',
  email: 'priya.natarajan@example.com',
  team: PLATFORM,
  officeIp: '192.0.2.15',
  homeIp: '192.0.2.163',
  userAgent: MAC_SAFARI,
  loginMethod: 'github_oauth',
  activity: 1,
};
export const DAVID: DemoPerson = {
  id: 'user_a61f38',
  name: 'David Okafor',
  email: 'david.okafor@example.com',
  team: PLATFORM,
  officeIp: '192.0.2.88',
  homeIp: '192.0.2.219',
  userAgent: WINDOWS_EDGE,
  loginMethod: 'password',
  activity: 0.9,
};
/** A contractor whose access ends partway through the window. */
export const TOM: DemoPerson = {
  id: 'user_1d4f9a',
  name: 'Tom Becker',
  email: 'tom.becker@example.net',
  team: PLATFORM,
  officeIp: '192.0.2.140',
  homeIp: '192.0.2.140',
  userAgent: LINUX_FIREFOX,
  loginMethod: 'password',
  activity: 0.6,
};
export const SOFIA: DemoPerson = {
  id: 'user_b83e16',
  name: 'Sofia Rossi',
  email: 'sofia.rossi@example.com',
  team: SECURITY,
  officeIp: '198.51.100.23',
  homeIp: '198.51.100.152',
  userAgent: MAC_FIREFOX,
  loginMethod: 'github_oauth',
  activity: 0.8,
};
/** Invited and joins partway through the window. */
export const NINA: DemoPerson = {
  id: 'user_47c2a5',
  name: 'Nina Volkova',
  email: 'nina.volkova@example.com',
  team: SECURITY,
  officeIp: '198.51.100.41',
  homeIp: '198.51.100.96',
  userAgent: MAC_CHROME,
  loginMethod: 'github_oauth',
  activity: 0.8,
};

export const PEOPLE: readonly DemoPerson[] = [ALICE, BOB, MEI, PRIYA, DAVID, TOM, SOFIA, NINA];

// The product's own automation, not the audit server: its id is not one the server reserves.
export const SYSTEM_ACTOR: Actor = { id: 'automation', name: 'System', email: null, type: 'system' };

export const CI_TOKEN_NAME = 'ci-deploy';
export const CI_TOKEN_ORIGINAL_ID = 'tok_4e1a9c';
export const CI_TOKEN_ROTATED_ID = 'tok_b7052f';
export const CI_RUNNER_IP = '192.0.2.200';
export const CI_USER_AGENT = 'ci-deploy/2.4 (GitHub Actions)';

export const INCIDENT_IP = '198.51.100.77';
export const INCIDENT_USER_AGENT = 'python-requests/2.31';
/** Addresses the attacker guessed besides the real one: they fail as unknown users. */
export const INCIDENT_GUESSED_EMAILS = [
  'bob@example.com',
  'b.martinez@example.com',
  'bob.martinez@example.net',
];
export const INCIDENT_TOKEN_ID = 'tok_f03d6e';

export const API_STAGING: DemoTunnel = {
  id: 'tunnel_3b8e21',
  name: 'api-staging.example.net',
  team: ENGINEERING,
};
export const API_STAGING_RESTORED_ID = 'tunnel_e27d90';

export const TUNNELS: readonly DemoTunnel[] = [
  API_STAGING,
  { id: 'tunnel_91c0d4', name: 'web-preview.example.net', team: ENGINEERING },
  { id: 'tunnel_27e9c3', name: 'payments-sandbox.example.net', team: ENGINEERING },
  { id: 'tunnel_6f2a77', name: 'webhooks-dev.example.net', team: PLATFORM },
  { id: 'tunnel_d40b18', name: 'grafana-internal.example.net', team: PLATFORM },
  { id: 'tunnel_a5f613', name: 'siem-ingest.example.net', team: SECURITY },
];

export const CUSTOM_DOMAIN = { id: 'dom_5c81ae', name: 'preview.example.com' };

export const REPOSITORIES: readonly DemoRepository[] = [
  { name: 'acme/web', team: ENGINEERING, firstPullRequest: 412, pullRequestsPerDay: 1.2 },
  { name: 'acme/api', team: ENGINEERING, firstPullRequest: 1180, pullRequestsPerDay: 0.9 },
  { name: 'acme/infra', team: PLATFORM, firstPullRequest: 233, pullRequestsPerDay: 0.6 },
  { name: 'acme/deploy-tools', team: PLATFORM, firstPullRequest: 57, pullRequestsPerDay: 0.3 },
  { name: 'acme/detections', team: SECURITY, firstPullRequest: 88, pullRequestsPerDay: 0.4 },
];

export const REVIEW_FAILURE_REASONS = [
  'Repository clone timed out',
  'Diff exceeds 5,000 changed lines',
  'GitHub API rate limit reached',
  'Model provider unavailable',
];

export const TUNNEL_DELETE_REASONS = [
  'No longer needed for testing',
  'Demo finished',
  'Pull request merged',
  'Replaced by web-preview',
];

export const EPHEMERAL_TUNNEL_WORDS = [
  'checkout',
  'onboarding',
  'search',
  'invoices',
  'webhook-replay',
  'sso',
];
export const TUNNEL_REGIONS = ['eu-west', 'us-east', 'ap-south'];

export const TUNNEL_SETTING_CHANGES: readonly JsonObject[] = [
  { basic_auth: { old: false, new: true } },
  { ip_allowlist: { old: [], new: ['203.0.113.0/24'] } },
  { request_inspection: { old: true, new: false } },
  { region: { old: 'eu-west', new: 'us-east' } },
  { redaction_rules: { old: 1, new: 3 } },
  { local_port: { old: 3000, new: 8080 } },
];

export const PREFERENCE_CHANGES: readonly JsonObject[] = [
  { email_notifications: { old: 'all', new: 'mentions' } },
  { theme: { old: 'light', new: 'dark' } },
  { weekly_digest: { old: true, new: false } },
];

export const PROFILE_CHANGES: readonly JsonObject[] = [
  { timezone: { old: 'UTC', new: 'Europe/Berlin' } },
  { avatar: { old: 'default', new: 'uploaded' } },
  { job_title: { old: 'Engineer', new: 'Senior Engineer' } },
];

export function personActor(person: DemoPerson): Actor {
  return { id: person.id, name: person.name, email: person.email, type: 'user' };
}

export function personContext(
  person: DemoPerson,
  ip = person.officeIp,
  userAgent = person.userAgent,
): EventContext {
  return { ip_address: ip, user_agent: userAgent, team_id: person.team.id, team_name: person.team.name };
}

/** Context of something the platform did on a team's behalf: no address, no browser. */
export function teamContext(team: DemoTeam): Partial<EventContext> {
  return { team_id: team.id, team_name: team.name };
}
