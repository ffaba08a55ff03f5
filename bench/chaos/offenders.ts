/**
 * The story of each client request behind a broken invariant, for the report: its verification rows and their
 * upstream attempts (from Postgres, whatever columns the schema has), the vendor's counters for its NIK and
 * every try the client made, all timed in seconds since the run started.
 */
import { Client } from 'pg';
import type { ClientResult } from './load';

type Row = Record<string, unknown>;

export interface OffenderStory {
  key: string;
  lines: string[];
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function describeOffenders(
  url: string,
  orgId: string,
  keys: string[],
  results: ClientResult[],
  vendorRefs: Record<string, { calls: number; charged: number }>,
  startedAt: number,
): Promise<OffenderStory[]> {
  if (keys.length === 0) return [];
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const verifications = (
      await db.query<Row>('SELECT * FROM verifications WHERE org_id = $1 AND idempotency_key = ANY($2) ORDER BY seq', [orgId, keys])
    ).rows;
    const attempts = (
      await db.query<Row>('SELECT * FROM verification_attempts WHERE verification_id = ANY($1) ORDER BY seq', [
        verifications.map((v) => v.id),
      ])
    ).rows;
    const at = (value: unknown) => (value instanceof Date ? secs(value.getTime() - startedAt) : '?');
    const byKey = new Map(results.map((r) => [r.job.idempotencyKey, r]));
    return keys.map((key) => {
      const r = byKey.get(key);
      const nik = r?.job.nik ?? '?';
      const vendor = vendorRefs[nik] ?? { calls: 0, charged: 0 };
      const lines = [
        `${key} NIK ${nik} (scenario ${r?.job.scenario}): vendor calls ${vendor.calls}, billed ${vendor.charged}; client ${r?.outcome} after ${r?.tries} tries`,
      ];
      for (const v of verifications.filter((row) => row.idempotency_key === key)) {
        lines.push(`  ${v.id} ${v.status}${v.error_code ? ` ${v.error_code}` : ''}, created ${at(v.created_at)}`);
        for (const a of attempts.filter((row) => row.verification_id === v.id)) {
          const state = a.state ? ` ${a.state}` : '';
          const transport = a.upstream_transport ? ` (${a.upstream_transport})` : '';
          lines.push(`    ${a.id} ${a.provider} ${a.charged} ${a.suite_code ?? '-'}${transport}${state}, at ${at(a.created_at)}`);
        }
      }
      if (r) {
        const tries = r.fiveXX.map((t) => `${secs(t.endAt)} ${t.status} ${t.code ?? ''}${t.replayed ? ' (replayed)' : ''}`);
        lines.push(`  client: first try ${secs(r.firstAt)}, done ${secs(r.doneAt)}; last ${r.last?.status ?? '-'} ${r.last?.code ?? ''}`);
        if (tries.length) lines.push(`  5xx: ${tries.join('; ')}`);
      }
      return { key, lines };
    });
  } finally {
    await db.end();
  }
}
