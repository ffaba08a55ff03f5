import type { Vote } from '../voter';

/** Province codes of NIKs (providers.md 4.1, the permissive set: NIKs issued before the Papua split keep theirs). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92,
  93, 94, 95, 96,
]);

export interface NikClaims {
  nik: string;
  /** The birth date printed on the card, YYYY-MM-DD. */
  birthDate: string;
  sex: 'male' | 'female';
}

/**
 * Structural NIK validation (providers.md 4.1: no check digit exists, so "checksum" means structure):
 * 16 digits, a known province, day 01-31 or 41-71 (women add 40), month 01-12, a real date, serial
 * not 0000, and agreement with the stated birth date and sex. The NIK itself never appears in `detail`.
 */
export function nikChecksumVote(claims: NikClaims): Vote {
  const problem = nikProblem(claims);
  return {
    name: 'nik_checksum',
    verdict: problem ? 'fail' : 'pass',
    score: problem ? 0 : 1,
    detail: problem ?? 'NIK structure and stated birth date and sex agree',
  };
}

function nikProblem({ nik, birthDate, sex }: NikClaims): string | null {
  if (!/^\d{16}$/.test(nik)) return 'NIK is not 16 digits';
  const num = (from: number, to: number) => Number(nik.slice(from, to));
  if (!PROVINCES.has(num(0, 2))) return 'unknown province code';
  const rawDay = num(6, 8);
  const female = rawDay >= 41;
  const day = female ? rawDay - 40 : rawDay;
  if (day < 1 || day > 31) return 'birth day field out of range';
  const month = num(8, 10);
  if (month < 1 || month > 12) return 'birth month field out of range';
  const yy = num(10, 12);
  if (num(12, 16) === 0) return 'serial is 0000';

  const stated = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!stated) return 'stated birth date is not YYYY-MM-DD';
  const [year, statedMonth, statedDay] = [Number(stated[1]), Number(stated[2]), Number(stated[3])];
  // The NIK has a two-digit year; the stated date supplies the century, so Feb 29 can be checked.
  if (year % 100 !== yy || statedMonth !== month || statedDay !== day) return 'birth date in NIK differs from the stated birth date';
  if (!isRealDate(year, month, day)) return 'birth date in NIK is not a calendar date';
  if (female !== (sex === 'female')) return 'sex encoded in NIK differs from the stated sex';
  return null;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}
