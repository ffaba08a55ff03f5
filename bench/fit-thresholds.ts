/**
 * Fits the pixel voters' score bands on the capture lab's calibration split (never the evaluation split):
 *
 *   node --import tsx bench/capture-lab.ts evaluate calibration 30   # scores -> .cache/capture-lab/calibration-scores.json
 *   node --import tsx bench/fit-thresholds.ts [--write]              # prints (and with --write stores) the bands
 *
 * The rule, per voter, from the genuine captures of the kinds it runs on: `pass` sits at the genuine
 * scores' 2nd percentile (so each voter sends at most ~2% of genuine captures to review), `fail` a
 * tenth of the genuine spread beyond the lowest genuine score (so no calibration genuine capture fails
 * on it). Attacks play no part in placing the bands: what they score against them is the APCER the
 * evaluation split then reports. The fit is refused when a voter has too few genuine scores.
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
  portrait_matches_selfie: { key: 'portraitMatchesSelfie', higherIsBetter: true },
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
  const lines: string[] = ['| voter | genuine n | genuine p2 / p50 | pass | fail |', '|---|---:|---|---:|---:|'];
  for (const [voter, { key, higherIsBetter }] of Object.entries(FITTED)) {
    // Scores of 0 with a verdict other than pass/fail-by-score are "could not measure" answers, not measurements.
    const genuine = scored
      .filter((s) => s.genuine)
      .flatMap((s) => s.votes.filter((v) => v.name === voter && !(v.score === 0 && v.verdict === 'uncertain')).map((v) => v.score));
    if (genuine.length < MIN_GENUINE) {
      lines.push(`| ${voter} | ${genuine.length} | too few to fit | | |`);
      continue;
    }
    const sign = higherIsBetter ? 1 : -1;
    const oriented = genuine.map((g) => sign * g).sort((a, b) => a - b);
    const passO = quantile(oriented, REVIEW_SHARE);
    const lowest = oriented[0] as number;
    const failO = lowest - 0.1 * (quantile(oriented, 0.5) - lowest);
    const band = { pass: round(sign * passO), fail: round(sign * failO) };
    const current = config.thresholds[key] ?? {};
    const merged = { ...current, ...band };
    // Only the band's line changes, in the file's one-line style.
    const compact = `{ ${Object.entries(merged).map(([k, v]) => `"${k}": ${v}`).join(', ')} }`;
    text = text.replace(new RegExp(`"${key}": \\{[^}]*\\}`), `"${key}": ${compact}`);
    lines.push(
      `| ${voter} | ${genuine.length} | ${round(sign * passO)} / ${round(sign * quantile(oriented, 0.5))} | ${band.pass} | ${band.fail} |`,
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
