import { canonicalJson, JsonTooDeepError } from '../src/canonical-json';

describe('canonicalJson', () => {
  it('when members come in any order, then they are written sorted, without whitespace', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: true, e: undefined })).toBe('{"a":true,"b":[1,{"c":null,"d":"x"}]}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([[], {}, 1e21, -0, 'é'])).toBe('[[],{},1e+21,0,"é"]');
  });

  it('when a value is nested 100,000 levels deep, then it throws JsonTooDeepError instead of overflowing the stack', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => canonicalJson(JSON.parse(text))).toThrow(JsonTooDeepError);
  });

  it('when a value is nested exactly to the cap, then it is written; one level more is refused', () => {
    const nest = (n: number) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`) as unknown;
    expect(canonicalJson(nest(64))).toBe(`${'['.repeat(64)}${']'.repeat(64)}`);
    expect(() => canonicalJson(nest(65))).toThrow(JsonTooDeepError);
  });

  it('when an array is long (200,000 items), then it is written without recursion', () => {
    expect(canonicalJson(Array.from({ length: 200_000 }, () => 0)).length).toBe(2 * 200_000 + 1);
  });
});
