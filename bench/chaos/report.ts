/** Renders a run's report as Markdown tables (pasted as is into bench/README.md). */
import type { PlannedEvent } from './chaos';
import type { Report } from './invariants';
import { SCENARIOS, type Scenario } from './load';
import type { OffenderStory } from './offenders';
import type { ChaosEvent } from './timeline';

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function renderReport(
  report: Report,
  events: ChaosEvent[],
  plan: PlannedEvent[],
  header: string,
  stories: OffenderStory[] = [],
): string {
  const scenarios = Object.keys(SCENARIOS) as Scenario[];
  const parts = [
    header,
    '',
    '### Invariants',
    '',
    table(
      ['invariant', 'measured', 'target', ''],
      report.invariants.map((i) => [
        i.name,
        i.measured,
        i.ok === undefined ? '' : '0',
        i.ok === undefined ? 'info' : i.ok ? 'ok' : '**BROKEN**',
      ]),
    ),
    '',
    '### Totals',
    '',
    table(
      ['', ''],
      report.totals.map(([k, v]) => [k, v]),
    ),
    '',
    '### Client outcomes by NIK scenario',
    '',
    table(
      ['final answer', ...scenarios.map((s) => `${s} ${SCENARIOS[s]}`), 'total'],
      report.outcomes.map((o) => [o.label, ...scenarios.map((s) => String(o.byScenario[s] ?? '')), String(o.total)]),
    ),
    '',
    '### 5xx answers by cause',
    '',
    'Fresh answers by what overlapped the try: Redis down (or back less than 5 s before, while the API reconnects), else a vendor fault on; ' +
      'replays by whether Redis was up when they came. The cause is what the error body says (each provider attempted or skipped, with why).',
    '',
    report.fiveXX.length === 0
      ? '(none)'
      : table(
          [
            'status, code (cause in the body)',
            'total',
            'fresh: Redis down',
            'fresh: vendor fault on',
            'fresh: neither',
            'replayed, Redis up',
            'replayed, Redis down',
          ],
          report.fiveXX.map((r) => [r.code, r.total, r.redis, r.vendorFault, r.other, r.replayedRedisUp, r.replayedRedisDown].map(String)),
        ),
    '',
    ...(stories.length === 0
      ? []
      : [
          '### Requests behind the broken invariants (first 5 of each)',
          '',
          Object.entries(report.offenders)
            .map(([name, keys]) => `${name}: ${keys.length}`)
            .join(', '),
          '',
          '```',
          ...stories.flatMap((s) => s.lines),
          '```',
          '',
        ]),
    `### Chaos events (${plan.length} planned)`,
    '',
    '```',
    ...events.map((e) => `${e.at.toFixed(1).padStart(7)} s  ${e.what}`),
    '```',
  ];
  return parts.join('\n');
}
