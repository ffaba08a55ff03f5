/** AccuAuth simulator request validation: the vendor's field rules and the INVALID_ARGUMENT reason for a bad body. */
import type { AccuauthOperation } from '../client';
import { ACCUAUTH_IMAGE_LIMIT_BYTES } from '../schemas';

const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** The vendor's INVALID_ARGUMENT reason for this body, or undefined when it is valid. */
export function invalidArgument(op: AccuauthOperation, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'request body must be a JSON object';
  const b = body as Record<string, unknown>;
  const str = (field: string, required: boolean): string | undefined => {
    if (b[field] === undefined || b[field] === null) return required ? `argument '${field}': not found` : undefined;
    if (typeof b[field] !== 'string') return `argument '${field}': must be a string`;
    if (required && b[field] === '') return `argument '${field}': not found`;
    return undefined;
  };
  const image = (field: string, required: boolean): string | undefined => {
    const wrong = str(field, required);
    const value = b[field];
    if (wrong || typeof value !== 'string') return wrong;
    if (!isBase64(value)) return `argument '${field}': invalid base64`;
    if (Buffer.byteLength(value, 'base64') > ACCUAUTH_IMAGE_LIMIT_BYTES) return `argument '${field}': image size exceeds 50KB`;
    return undefined;
  };
  const idWrong = str('id_number', true);
  if (idWrong) return idWrong;
  if (!/^\d{16}$/.test(b.id_number as string)) return "argument 'id_number': invalid format";
  if (op !== 'id_selfie') return str('name', true);
  const birth = str('birth_date', false);
  if (birth) return birth;
  if (typeof b.birth_date === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(b.birth_date)) return "argument 'birth_date': invalid format";
  if (b.face_threshold !== undefined && typeof b.face_threshold !== 'number') return "argument 'face_threshold': must be a float";
  return image('face_image', true) ?? image('ktp_image', false) ?? str('name', false) ?? str('email', false) ?? str('phone_number', false);
}
