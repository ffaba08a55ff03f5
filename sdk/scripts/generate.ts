import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSdkTypes, type OpenApiDocument } from './generate-types';

/** Where the generated module goes. */
export const GENERATED = path.join(__dirname, '..', 'src', 'generated', 'api.ts');

const HELP = `Usage: npm run generate -w sdk -- <url or file of /openapi.json>   (default http://localhost:8080/openapi.json)

Rewrites sdk/src/generated/api.ts from the API's OpenAPI document.
`;

async function main(): Promise<void> {
  const source = process.argv[2] ?? 'http://localhost:8080/openapi.json';
  if (source === '-h' || source === '--help') return void process.stdout.write(HELP);
  const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source, 'utf8');
  writeFileSync(GENERATED, generateSdkTypes(JSON.parse(text) as OpenApiDocument));
  process.stdout.write(`wrote ${path.relative(process.cwd(), GENERATED)}\n`);
}

main().catch((err) => {
  process.stderr.write(`generate: ${(err as Error).message}\n`);
  process.exit(1);
});
