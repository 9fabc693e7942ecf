import type { Category } from './categories.js';

export type ActorType = 'user' | 'api_token' | 'system';
export const ACTOR_TYPES: readonly ActorType[] = ['user', 'api_token', 'system'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Actor {
  id: string | null;
  name: string | null;
  email: string | null;
  type: ActorType | null;
}

export interface Target {
  type: string | null;
  id: string | null;
  name: string | null;
}

export interface EventContext {
  ip_address: string | null;
  user_agent: string | null;
  team_id: string | null;
  team_name: string | null;
}

/** An event as the API returns it and exports write it: every key present, absent parts null. */
export interface AuditEvent {
  id: string;
  timestamp: string;
  category: Category;
  action: string;
  description: string | null;
  actor: Actor | null;
  target: Target | null;
  context: EventContext | null;
  changes: JsonObject | null;
  metadata: JsonObject | null;
}

/** What a sender may post: only `action` is required; the server fills the rest. */
export interface EventInput {
  id?: string;
  timestamp?: string;
  category?: Category;
  action: string;
  description?: string;
  actor?: Partial<Actor> | null;
  target?: Partial<Target> | null;
  context?: Partial<EventContext> | null;
  changes?: JsonObject | null;
  metadata?: JsonObject | null;
}
