import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UpstreamFacts } from '../../../adapters/types';
import { ERROR_MAP_DIR, loadErrorMap, type ErrorMap } from '../../../src/gateway/error-map';

/** Media the simulator accepts, with an optional scenario marker inside the bytes. */
export const pngBase64 = (marker = '') => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`IHDR ${marker}`)]).toString('base64');
export const jpegBase64 = (marker = '') => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`JFIF ${marker}`)]).toString('base64');
export const mp4DataUri = (marker = '') => `data:video/mp4;base64,${Buffer.from(`\0\0\0\x18ftypisom ${marker}`).toString('base64')}`;

/** Only Lapis' table, loaded from a temp dir: other vendors' files may be mid-edit. */
export function lapisErrorMap(): { map: ErrorMap; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lapis-map-'));
  copyFileSync(path.join(ERROR_MAP_DIR, 'lapis.json'), path.join(dir, 'lapis.json'));
  return { map: loadErrorMap(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const suiteCode = (map: ErrorMap, operation: string, facts: UpstreamFacts) => map.classify('lapis', operation, facts).row.suiteCode;
