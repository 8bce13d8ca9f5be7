// The one CSV cell writer every export uses: quoting, and formulas neutralised (CSV injection).
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvRow } from '../../src/shared/csv';

describe('csvCell and csvRow', () => {
  it('quotes what needs quoting and neutralises formulas, keeping plain numbers', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', '=SUM(A1)', '+1 call me', '-2', '+3.5', '-1e3', '@user', '\tx', 7, -4])).toBe(
      'plain,"a,b","say ""hi""","two\nlines",\'=SUM(A1),\'+1 call me,-2,+3.5,-1e3,\'@user,\'\tx,7,-4',
    );
  });

  it('a row written and read back by a CSV parser gives its cells (a formula with its leading quote)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 2, maxLength: 6 }), (cells) => {
        const [parsed] = Papa.parse<string[]>(csvRow(cells), { newline: '\r\n' }).data;
        const formula = (c: string) => /^[=+\-@\t\r]/u.test(c) && !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/iu.test(c);
        expect(parsed).toEqual(cells.map((c) => (formula(c) ? `'${c}` : c)));
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
