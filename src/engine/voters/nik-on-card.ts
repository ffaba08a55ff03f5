import type { CardReading } from '../ocr/read-card';
import type { Vote } from '../voter';
import type { NikClaims } from './nik-checksum';

/**
 * Does the card say what the client states? The NIK printed on the card (OCR) must be the stated NIK,
 * and the card's printed birth date and sex must be the ones the NIK encodes: an attacker who edits the
 * NIK, on the card or only in the request, and states a self-consistent birth date and sex is caught
 * here, since nik_checksum can only check the claims against each other. One differing digit may be an
 * OCR misreading and is sent to review; two or more fail. Nothing legible is uncertain, never a pass.
 * The NIK never appears in `detail`.
 */
export function nikOnCardVote(reading: CardReading | null, claims: NikClaims): Vote {
  const name = 'nik_on_card';
  const vote = (verdict: Vote['verdict'], score: number, detail: string): Vote => ({ name, verdict, score, detail });
  if (!reading?.available) return vote('uncertain', 0, 'the card could not be read (OCR unavailable)');
  if (!reading.nik) return vote('uncertain', 0, 'no legible NIK on the card');
  const differing = reading.nik.split('').filter((d, i) => d !== claims.nik[i]).length + Math.abs(reading.nik.length - claims.nik.length);
  if (differing >= 2) return vote('fail', 0, `NIK printed on the card differs from the stated NIK in ${differing} digits`);
  const encoded = encodedBirth(reading.nik);
  if (encoded && reading.birthDate && reading.birthDate.slice(2) !== encoded.date) {
    return vote('fail', 0, 'birth date printed on the card differs from the one its NIK encodes');
  }
  if (encoded && reading.sex && reading.sex !== encoded.sex) return vote('fail', 0, 'sex printed on the card differs from the one its NIK encodes');
  if (differing === 1) return vote('uncertain', 0.5, 'NIK printed on the card differs from the stated NIK in 1 digit (possibly misread)');
  if (!reading.birthDate || !reading.sex) return vote('uncertain', 0.5, 'NIK on the card matches; its birth date or sex is not legible');
  return vote('pass', 1, 'NIK printed on the card matches the stated NIK, and its printed birth date and sex match the NIK');
}

/** The birth date (YY-MM-DD) and sex a NIK encodes, or null when its fields are not a date. */
function encodedBirth(nik: string): { date: string; sex: 'male' | 'female' } | null {
  if (!/^\d{16}$/.test(nik)) return null;
  const rawDay = Number(nik.slice(6, 8));
  const female = rawDay > 40;
  const day = female ? rawDay - 40 : rawDay;
  return { date: `${nik.slice(10, 12)}-${nik.slice(8, 10)}-${String(day).padStart(2, '0')}`, sex: female ? 'female' : 'male' };
}
