/**
 * Fits the pixel voters' score bands on the capture lab's calibration split (never the evaluation split):
 *
 *   node --import tsx bench/capture-lab.ts evaluate calibration 30   # scores -> .cache/capture-lab/calibration-scores.json
 *   node --import tsx bench/fit-thresholds.ts [--write]              # prints (and with --write stores) the bands
 *
 * The rule, per voter and per kind of capture it runs on (selfie, KTP): `pass` sits at the genuine
 * scores' 2nd percentile (so each voter sends at most ~2% of genuine captures to review), `fail` a
 * tenth of the genuine spread beyond the lowest genuine score (so no calibration genuine capture fails
 * on it); a voter cast on both kinds gets a band for each (the card's under `ktp`). Attacks play no
 * part in placing the bands: what they score against them is the APCER the evaluation split then reports. The fit is refused when a voter has too few genuine scores.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CACHE, type ScoredSample } from './capture-lab';

/** Voter name -> config key, and whether higher scores are better (live, genuine). */
const FITTED: Record<string, { key: string; higherIsBetter: boolean }> = {
  flash_reflectance: { key: 'flashReflectance', higherIsBetter: true },
  frame_consistency: { key: 'frameConsistency', higherIsBetter: true },
  screen_replay: { key: 'screenReplay', higherIsBetter: false },
  flash_relief: { key: 'flashRelief', higherIsBetter: true },
  corneal_reflection: { key: 'cornealReflection', higherIsBetter: true },
  photocopy_greyscale: { key: 'photocopy', higherIsBetter: true },
  hologram_check: { key: 'hologram', higherIsBetter: true },
  // portrait_matches_selfie is not fitted: it asks the face match's question, so its band is the face match
  // threshold's (config face.matchThreshold), and one owner pair per calibration card is too few to move it.
};

const REVIEW_SHARE = 0.02;
const MIN_GENUINE = 20;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))] as number;
const round = (x: number) => Number(x.toPrecision(3));

async function main(): Promise<void> {
  const scored = JSON.parse(await readFile(path.join(CACHE, 'calibration-scores.json'), 'utf8')) as ScoredSample[];
  const configPath = path.join(__dirname, '..', 'config', 'engine.json');
  let text = await readFile(configPath, 'utf8');
  const config = JSON.parse(text) as { thresholds: Record<string, Record<string, number>> };
  const lines: string[] = [
    '| voter | genuine n (selfie + KTP) | genuine p2 / p50 per kind | pass per kind | fail per kind |',
    '|---|---:|---|---:|---:|',
  ];
  for (const [voter, { key, higherIsBetter }] of Object.entries(FITTED)) {
    // Scores of 0 with a verdict other than pass/fail-by-score are "could not measure" answers, not measurements.
    const sign = higherIsBetter ? 1 : -1;
    const byKind = (['selfie', 'ktp'] as const)
      .map((kind) =>
        scored
          .filter((s) => s.genuine && s.kind === kind)
          .flatMap((s) =>
            s.votes.filter((v) => v.name === voter && !(v.score === 0 && v.verdict === 'uncertain')).map((v) => sign * v.score),
          )
          .sort((a, b) => a - b),
      )
      .filter((oriented) => oriented.length > 0);
    const genuine = byKind.flat();
    if (byKind.some((oriented) => oriented.length < MIN_GENUINE)) {
      lines.push(`| ${voter} | ${genuine.length} | too few to fit | | |`);
      continue;
    }
    // A voter cast on selfies and cards alike gets a band per kind (a card's light and steadiness are not a
    // face's): the selfie's at the top, the card's under `ktp`.
    const bands = byKind.map((oriented) => ({
      pass: round(sign * quantile(oriented, REVIEW_SHARE)),
      fail: round(sign * ((oriented[0] as number) - 0.1 * (quantile(oriented, 0.5) - (oriented[0] as number)))),
    }));
    const [first, second] = bands as [{ pass: number; fail: number }, { pass: number; fail: number } | undefined];
    const current = config.thresholds[key] ?? {};
    const { ktp: _previous, ...rest } = current as Record<string, unknown>;
    const merged = { ...rest, ...first, ...(second && { ktp: second }) };
    // Only the band's line changes, in the file's one-line style.
    text = text.replace(
      new RegExp(`"${key}": \\{.*\\}`),
      `"${key}": ${JSON.stringify(merged)
        .replace(/[{,:]/g, (c) => `${c} `)
        .replace(/}/g, ' }')}`,
    );
    lines.push(
      `| ${voter} | ${byKind.map((o) => o.length).join(' + ')} | ${byKind.map((o) => `${round(sign * quantile(o, REVIEW_SHARE))} / ${round(sign * quantile(o, 0.5))}`).join(', ')} | ${bands.map((b) => b.pass).join(', ')} | ${bands.map((b) => b.fail).join(', ')} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.argv.includes('--write')) {
    JSON.parse(text);
    await writeFile(configPath, text);
    process.stdout.write(`written to ${configPath}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
