import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text; rejection sampling keeps every character equally likely. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export type IdPrefix =
  | 'org'
  | 'key'
  | 'cus'
  | 'ver'
  | 'att'
  | 'cap'
  | 'chl'
  | 'enr'
  | 'mat'
  | 'evt'
  | 'req'
  | 'kyo'
  | 'pk'
  | 'iwh'
  | 'we'
  | 'dlv'
  | 'opk'
  | 'opa'
  | 'inv';

/** Prefixed ids as in DESIGN 3 (`ver_...`): 20 base62 characters, about 119 random bits. */
export const newId = (prefix: IdPrefix): string => `${prefix}_${randomBase62(20)}`;
