import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ADAPTERS } from '../../adapters';

/**
 * The layering the code relies on, checked on the source text so it cannot rot: the domain knows nothing of
 * HTTP, adapters reach into src only for the shared error type, and no code outside a vendor's own folder
 * branches on a vendor's name (the mapping table and the declarations decide per vendor).
 */
const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

const importsOf = (file: string) => [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
const resolved = (file: string, spec: string) => (spec.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)) : spec);

describe('layering', () => {
  it('when a file under src/ outside src/http imports, then never express nor src/http (the composition root starts the server)', () => {
    const offenders = sources('src')
      .filter((f) => !f.startsWith('src/http/'))
      .flatMap((f) => importsOf(f).map((spec) => [f, resolved(f, spec)] as const))
      .filter(([, target]) => target === 'express' || target.startsWith('src/http'))
      .filter(([f, target]) => !(f === 'src/runtime.ts' && target === 'src/http/server'));
    expect(offenders).toEqual([]);
  });

  it('when an adapter imports from src/, then only the shared error type (so there is no cycle between adapters/ and src/)', () => {
    const reaches = sources('adapters').flatMap((f) =>
      importsOf(f)
        .map((spec) => resolved(f, spec))
        .filter((target) => target.startsWith('src/'))
        .map((target) => `${f} -> ${target}`),
    );
    expect(reaches.filter((r) => !r.endsWith('-> src/errors/app-error'))).toEqual([]);
    // And the shared error type reaches nothing back in adapters/.
    expect(sources('src/errors').flatMap((f) => importsOf(f).map((spec) => resolved(f, spec))).filter((t) => t.startsWith('adapters'))).toEqual([]);
  });

  it("when code outside a vendor's folder and config/ branches, then never on a vendor's name", () => {
    const names = ADAPTERS.map((a) => a.id).join('|');
    const branch = new RegExp(`\\b(if|case|switch)\\b[^\\n]*'(${names})'|'(${names})'\\s*(===|!==)|(===|!==)\\s*'(${names})'`);
    const offenders = [...sources('src'), ...sources('adapters')]
      .filter((f) => !ADAPTERS.some((a) => f.startsWith(`adapters/${a.id}/`)))
      .filter((f) => branch.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
