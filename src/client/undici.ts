/**
 * How a command that talks to a server starts and ends fast: the two start-up tricks, in one
 * place. (1) Only the parts of undici the client uses are loaded, not its entry point. (2) A
 * process that exits right after its requests (the CLI, never the server) compiles undici's
 * WebAssembly with V8's baseline compiler only.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type * as Undici from 'undici';

/** What the client uses of undici: an Agent (connection pool) and `request` through it. */
export interface UndiciParts {
  Agent: typeof Undici.Agent;
  request: typeof Undici.request;
}

const require = createRequire(import.meta.url);

/**
 * undici's entry point loads all of it (fetch, WebSocket, cookies, EventSource, caches, mocks):
 * 120 ms of every command that talks to a server, of which the client needs only the Agent
 * and `request`. These are loaded from their own files, and given the `request` method that
 * the entry point would have added, as it does, to every dispatcher (not its stream, pipeline,
 * upgrade and connect, another 8 ms to load, which the client never calls). Should a later
 * undici lay its files out differently, the entry point is loaded after all: slower, never wrong.
 */
function load(): UndiciParts {
  try {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
    const request = require('undici/lib/api/api-request.js') as unknown;
    const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
    if (typeof request !== 'function' || typeof Agent !== 'function') throw new Error('unexpected layout');
    Object.assign(Dispatcher.prototype, { request });
    return { Agent, request: requestThrough as typeof Undici.request };
  } catch {
    const undici = require('undici') as typeof Undici;
    return { Agent: undici.Agent, request: undici.request };
  }
}

/**
 * undici's top-level `request(url, options)` for the one way this client calls it: an
 * absolute URL and its own dispatcher (the entry point's wrapper does the same).
 */
function requestThrough(
  url: URL | string,
  options: Undici.Dispatcher.RequestOptions & { dispatcher: Undici.Dispatcher },
) {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, ...rest } = options;
  return dispatcher.request({
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: options.method ?? (options.body ? 'PUT' : 'GET'),
  });
}

let parts: UndiciParts | undefined;

export function undici(): UndiciParts {
  parts ??= load();
  return parts;
}

/**
 * undici parses HTTP with llhttp compiled to WebAssembly, and V8 goes on optimizing that module
 * in the background; exit waited for it, 100 ms after every command that talked to a server.
 * The baseline compiler alone (Liftoff) parses an export's 160 MB no slower (bench/bench.mjs).
 * Process-wide and for good: the CLI calls it before its first request; a long-running process
 * (the server, a program using the client) must not.
 */
export function compileWasmForQuickExit(): void {
  setFlagsFromString('--liftoff-only');
}
