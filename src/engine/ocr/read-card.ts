import { spawn } from 'node:child_process';
import sharp from 'sharp';
import type { Region } from '../pixels';

/** What the OCR read on a KTP, where legible; nothing read is `null`, never a guess. */
export interface CardReading {
  /** false when the OCR engine is not installed or failed: the card could not be read at all. */
  available: boolean;
  nik: string | null;
  /** Printed birth date as YYYY-MM-DD. */
  birthDate: string | null;
  sex: 'male' | 'female' | null;
}

/** The card's text block (left of the portrait, from the NIK line down), in fractions of the frame. */
export const CARD_TEXT: Region = { x0: 0.02, y0: 0.14, x1: 0.66, y1: 0.97 };

export interface OcrOptions {
  /** The tesseract binary (Debian: tesseract-ocr, with tesseract-ocr-ind for Indonesian). */
  command: string;
  /** Give up on one card after this many ms. */
  timeoutMs: number;
}

/**
 * Reads the NIK, birth date and sex printed on a KTP with tesseract (Indonesian model), offline in a
 * child process: the text block is cut from the frame at full resolution, greyed, scaled so capitals are
 * some 30 px tall and contrast-stretched, then read as one block of lines.
 */
export async function readCard(image: Uint8Array, options: OcrOptions): Promise<CardReading> {
  const meta = await sharp(image).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const left = Math.floor(CARD_TEXT.x0 * width);
  const top = Math.floor(CARD_TEXT.y0 * height);
  const crop = { left, top, width: Math.ceil(CARD_TEXT.x1 * width) - left, height: Math.ceil(CARD_TEXT.y1 * height) - top };
  const png = await sharp(image)
    .extract(crop)
    .greyscale()
    .resize({ width: Math.max(1200, crop.width) })
    .normalise()
    .png()
    .toBuffer();
  const text = await tesseract(png, options);
  return text === null ? { available: false, nik: null, birthDate: null, sex: null } : { available: true, ...parseCard(text) };
}

function tesseract(png: Buffer, options: OcrOptions): Promise<string | null> {
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const done = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    // One thread per read: the pool already runs one capture per core.
    const child = spawn(options.command, ['stdin', 'stdout', '-l', 'ind', '--psm', '6'], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(null);
    }, options.timeoutMs);
    child.on('error', () => done(null));
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('close', (code) => done(code === 0 ? out : null));
    child.stdin.on('error', () => undefined);
    child.stdin.end(png);
  });
}

/** Letters OCR confuses with digits, in a field that holds only digits. */
const DIGITISH: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', I: '1', l: '1', '|': '1', i: '1', Z: '2', S: '5', s: '5', B: '8', G: '6', b: '6', T: '7' };

/** The fields of a KTP's OCR text: the NIK line, the first DD-MM-YYYY date, and LAKI-LAKI or PEREMPUAN. */
export function parseCard(text: string): Omit<CardReading, 'available'> {
  let nik: string | null = null;
  const nikLine = /N\s*[I1l|]\s*K\b[^\n]*/.exec(text);
  if (nikLine) {
    const digits = nikLine[0]
      .replace(/^N\s*[I1l|]\s*K/, '')
      .split('')
      .map((ch) => DIGITISH[ch] ?? ch)
      .join('')
      .replace(/\D/g, '');
    if (digits.length === 16) nik = digits;
  }
  const date = /(\d{2})\s*[-./]\s*(\d{2})\s*[-./]\s*(\d{4})/.exec(text);
  const birthDate = date ? `${date[3]}-${date[2]}-${date[1]}` : null;
  const sex = /LAKI/i.test(text) ? 'male' : /PEREMPUAN/i.test(text) ? 'female' : null;
  return { nik, birthDate, sex };
}
