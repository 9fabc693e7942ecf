#!/usr/bin/env node
// The SSE parser `audit tail` uses (src/client/sse-parser.ts, on eventsource-parser) against the
// hand-written one it replaced (bench/baseline/), in the same run: N events framed as our server
// frames them, fed as one chunk an event (a live tail) and as 64 KiB chunks (a burst or a
// backlog). Also what JSON.parse of each event costs, for scale. Needs dist/ (npm run build).
// Standalone: `node bench/sse-parser.mjs [N]`; `npm run bench` runs it too.

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createHandSseParser } from './baseline/hand-sse-parser.mjs';

const ROUNDS = 7;

function frames(count) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const event = {
      id: `log_01JD3X8Q5V4W7Y9Z2A${String(i).padStart(8, '0')}`,
      timestamp: new Date(1_767_225_600_000 + i * 1000).toISOString(),
      category: 'auth',
      action: 'user.login',
      actor: { id: `user_${i % 200}`, name: 'Alice Chen', email: 'alice.chen@example.com', type: 'user' },
      target: { type: 'user', id: `user_${i % 200}`, name: 'alice.chen@example.com' },
      context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0', team_id: 'team_7f3a2c' },
      description: 'Alice Chen signed in',
      metadata: { request_id: `req_${i.toString(36)}`, reason: 'routine' },
    };
    list.push(`id: ${Buffer.from(String(i).padStart(16, '0')).toString('base64url')}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  return list;
}

function chunked(list, size) {
  const text = list.join('');
  const chunks = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks;
}

function timeParser(make, chunks, expected) {
  let count = 0;
  const parser = make(() => count++, () => {});
  const started = performance.now();
  for (const chunk of chunks) parser.push(chunk);
  const ms = performance.now() - started;
  if (count !== expected) throw new Error(`parsed ${count} of ${expected} events`);
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Medians over ROUNDS alternating runs: { events, perEvent: {oursMs, handMs, ratio}, bulk: {…}, jsonParseMs }. */
export async function sseParserFigures(count = 100_000) {
  const { createSseParser } = await import(new URL('../dist/client/sse-parser.js', import.meta.url).href);
  const list = frames(count);
  const shapes = { perEvent: list, bulk: chunked(list, 64 * 1024) };
  const figures = { events: count };
  for (const [shape, chunks] of Object.entries(shapes)) {
    const ours = [];
    const hand = [];
    for (let round = 0; round < ROUNDS; round++) {
      hand.push(timeParser(createHandSseParser, chunks, count));
      ours.push(timeParser(createSseParser, chunks, count));
    }
    figures[shape] = { oursMs: median(ours), handMs: median(hand), ratio: median(ours) / median(hand) };
  }
  const datas = list.map((frame) => frame.slice(frame.indexOf('data: ') + 6, -2));
  const parses = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (const data of datas) JSON.parse(data);
    parses.push(performance.now() - started);
  }
  figures.jsonParseMs = median(parses);
  return figures;
}

export function describeSseFigures(f) {
  const one = (label, x) =>
    `${label}: eventsource-parser ${x.oursMs.toFixed(1)} ms vs hand-written ${x.handMs.toFixed(1)} ms = ${x.ratio.toFixed(2)}×`;
  return `${f.events.toLocaleString('en-US')} events, ${one('one chunk an event', f.perEvent)}; ${one('64 KiB chunks', f.bulk)}; JSON.parse of them ${f.jsonParseMs.toFixed(1)} ms`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 100_000);
  process.stdout.write(`${describeSseFigures(await sseParserFigures(count))}\n`);
}
