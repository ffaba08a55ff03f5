import { csvCell, toCsv } from '../../src/http/csv';

describe('CSV for finance', () => {
  it('when a cell holds a comma, a quote or a newline, then it is quoted', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('when a text cell starts like a formula, then a spreadsheet will not run it', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@sum')).toBe("'@sum");
  });

  it('when a cell is a number, a boolean, null or an object, then it reads naturally', () => {
    expect(csvCell(-3500)).toBe('-3500');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ httpStatus: 200 })).toBe('"{""httpStatus"":200}"');
  });

  it('when rows are written, then the header comes first and columns keep their order', () => {
    expect(toCsv(['b', 'a'], [{ a: 1, b: 2 }])).toBe('b,a\n2,1\n');
  });
});
