import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino removes from every log line. Request bodies are never logged on purpose; these paths catch
 * the places where keys, images or personal data could still slip in (headers, errors, job data).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'apiKey',
  'key',
  'secret',
  'hmacKey',
  '*.apiKey',
  '*.hmacKey',
  '*.secret',
  '*.image',
  '*.images',
  '*.frames',
  '*.liveImage',
  '*.referenceImage',
  '*.selfie',
  '*.faceImage',
  '*.ktpImage',
  '*.face_image',
  '*.ktp_image',
  '*.registry_photo',
  '*.registryPhoto',
  '*.idNumber',
  '*.id_number',
  '*.email',
  '*.phoneNumber',
  '*.nik',
  '*.name',
  '*.fullName',
  '*.birthDate',
  '*.descriptor',
  '*.descriptors',
  '*.body',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'verigate' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
