import { readFileSync } from 'node:fs';
import path from 'node:path';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** A file of an installed package: found next to its main entry's `dist/` (not every package exports package.json). */
const packageFile = (pkg: string, file: string) => () => {
  const main = require.resolve(pkg);
  const root = main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`));
  return readFileSync(path.join(root, file), 'utf8');
};
const own = (file: string) => () => readFileSync(path.join(__dirname, 'public', file), 'utf8');

/**
 * Every file /console/assets serves, by name: the console's own script and style, and the UI packages
 * from node_modules (no CDN). Nothing else of node_modules or the disk is reachable.
 */
export const CONSOLE_ASSETS: Record<string, { type: string; read: () => string }> = {
  'app.js': { type: JS, read: own('app.js') },
  'views.js': { type: JS, read: own('views.js') },
  'usage.js': { type: JS, read: own('usage.js') },
  'api.js': { type: JS, read: own('api.js') },
  'console.css': { type: CSS, read: own('console.css') },
  'preact.js': { type: JS, read: packageFile('preact', 'dist/preact.mjs') },
  'htm.js': { type: JS, read: packageFile('htm', 'dist/htm.mjs') },
  'chart.umd.js': { type: JS, read: packageFile('chart.js', 'dist/chart.umd.min.js') },
};
