import { onWholeHours } from '../../domain/zone-segments.js';
import type { Async } from '../port.js';
import type { KeyCount, ReviewAggregates, UnusualHour } from '../review-aggregates.js';
import { newIpLoginsSql, unusualHour } from '../review-aggregates.js';
import { eventCountParts, mergeDailyCounts, rollupCountParts } from '../review-daily-counts.js';
import { MAX_RULE_ROWS } from '../review-queries.js';
import { localDaySql, localHourSql } from '../zone-sql.js';
import { PG_USER_KEY_SQL } from './review-queries.js';
import { type PgRows, sent, stored } from './review-rows.js';

/**
 * src/store/review-aggregates.ts on PostgreSQL: the same counts, in the zone's days and hours
 * (zone-sql.ts's integer SQL runs on both engines), the same orders and cuts. Keys come back
 * unescaped (text-escape.ts).
 */
export function createPgReviewAggregates(all: PgRows): Async<ReviewAggregates> {
  return {
    async actionByDay(orgId, action, from, to, zone) {
      const found = await all(
        `SELECT ${localDaySql(zone)} AS day, count(*) FROM events
         WHERE org_id = @orgId AND action = @action AND ts >= @from AND ts < @to GROUP BY day ORDER BY day`,
        { orgId, action: stored(action), from, to },
      );
      return found.map(([day, count]) => ({ day: day as number, count: count as number }));
    },

    async topKeys(orgId, action, by, from, to, limit): Promise<KeyCount[]> {
      const key = by === 'ip' ? 'ip_address' : 'coalesce(actor_email, actor_id, actor_name)';
      const found = await all(
        `SELECT ${key} AS k, count(*) AS n FROM events
         WHERE org_id = @orgId AND action = @action AND ts >= @from AND ts < @to AND ${key} IS NOT NULL
         GROUP BY k ORDER BY n DESC, k LIMIT ${Math.floor(limit)}`,
        { orgId, action: stored(action), from, to },
      );
      return found.map(([k, n]) => ({ key: sent(k) as string, count: n as number }));
    },

    async newIpLogins(orgId, from, to, lookbackMs) {
      const found = await all(newIpLoginsSql('events', PG_USER_KEY_SQL), {
        orgId,
        since: from - lookbackMs,
        from,
        to,
        lookback: lookbackMs,
      });
      return found.map(([id, ts, user, actorEmail, actorId, ip]) => ({
        id: sent(id) as string,
        ts: ts as number,
        user: sent(user) as string,
        actorEmail: sent(actorEmail),
        actorId: sent(actorId),
        ip: sent(ip) as string,
      }));
    },

    /**
     * As SQLite does: the organization's folded emails walked one index seek at a time, then each
     * person's hours over their own (org, email, ts) range. One statement over everyone was
     * estimated past jit_above_cost and spent ~0.7 s compiling (1.06 s against 0.1 s here, 40,000
     * events of 50 people).
     */
    async unusualHours(orgId, range, zone, minBaseline) {
      const found: UnusualHour[] = [];
      const emails = await all(
        `WITH RECURSIVE walk(person) AS (
           SELECT min(ascii_fold(actor_email)) FROM events WHERE org_id = @orgId AND ascii_fold(actor_email) > ''
           UNION ALL
           SELECT (SELECT min(ascii_fold(actor_email)) FROM events
                   WHERE org_id = @orgId AND ascii_fold(actor_email) > walk.person)
           FROM walk WHERE walk.person IS NOT NULL
         ) SELECT person FROM walk WHERE person IS NOT NULL`,
        { orgId },
      );
      const hoursSql = `SELECT ${localHourSql(zone)} AS hour, count(*) FILTER (WHERE ts < @from),
          count(*) FILTER (WHERE ts >= @from), min(ts) FILTER (WHERE ts >= @from), max(ts)
        FROM events WHERE org_id = @orgId AND ascii_fold(actor_email) = @person AND ts >= @baselineFrom AND ts < @to
        GROUP BY 1 ORDER BY 1`;
      for (const [person] of emails) {
        const hours = await all(hoursSql, { orgId, person, ...range });
        const baseline = hours.reduce((sum, [, n]) => sum + (n as number), 0);
        if (baseline < minBaseline) continue;
        for (const [hour, inBaseline, recent, firstTs, lastTs] of hours) {
          if (inBaseline !== 0 || recent === 0) continue;
          const [[email] = []] = await all(
            `SELECT actor_email FROM events WHERE org_id = @orgId AND ascii_fold(actor_email) = @person AND ts = @ts
             ORDER BY seq LIMIT 1`,
            { orgId, person, ts: firstTs },
          );
          found.push(unusualHour(sent(email) as string, [hour, recent, firstTs, lastTs]));
          if (found.length >= MAX_RULE_ROWS) return found;
        }
      }
      return found;
    },

    async idsAtHours(orgId, person, hours, range, zone, limit) {
      const who =
        person.email !== null
          ? 'ascii_fold(actor_email) = ascii_fold(@email)'
          : 'actor_id = @id AND actor_email IS NULL';
      const found = await all(
        `SELECT id FROM events WHERE org_id = @orgId AND ${who} AND ts >= @from AND ts < @to
           AND ${localHourSql(zone)} = ANY(@hours::bigint[])
         ORDER BY ts, seq LIMIT ${Math.floor(limit)}`,
        { orgId, email: stored(person.email), id: stored(person.id), hours, ...range },
      );
      return found.map(([id]) => sent(id) as string);
    },

    /** The shared plan (review-daily-counts.ts), each part a statement here. */
    async dailyCategoryCounts(orgId, from, to, zone) {
      const plan = onWholeHours(zone) ? rollupCountParts : eventCountParts;
      const parts = plan(orgId, { from, to }, zone, 'events');
      const results: unknown[][][] = [];
      for (const part of parts) results.push(await all(part.sql, part.params));
      return mergeDailyCounts(parts, results);
    },

    async categoryIds(orgId, category, from, to, limit) {
      const found = await all(
        `SELECT id FROM events WHERE org_id = @orgId AND category = @category AND ts >= @from AND ts < @to
         ORDER BY ts, seq LIMIT ${Math.floor(limit)}`,
        { orgId, category: stored(category), from, to },
      );
      return found.map(([id]) => sent(id) as string);
    },
  };
}
