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

/** Where the e-KTP layout puts the NIK line (under the province header, left of the portrait), in fractions of the frame. */
export const NIK_BAND: Region = { x0: 0.02, y0: 0.17, x1: 0.66, y1: 0.33 };

/** Frames whose NIK line is read (the first, the middle and the last): one frame's glare or blur is outvoted. */
const NIK_FRAMES = 3;
/** Height in pixels each NIK line is scaled to for tesseract (with its margins, capitals come out ~40 px). */
const NIK_LINE_HEIGHT = 130;
/** Blank rows between the stacked NIK lines, in pixels, so tesseract keeps them apart. */
const NIK_LINE_GAP = 30;
/** Margin around the NIK line's box as the block read found it, in line heights (hand shake moves it between frames). */
const NIK_LINE_MARGIN = 0.45;

type Box = { left: number; top: number; width: number; height: number };

/**
 * Reads the NIK, birth date and sex printed on a KTP with tesseract, offline in child processes. The
 * card's text block of the first frame (cut at full resolution, greyed, scaled so capitals are some 30 px
 * tall and contrast-stretched) is read as one block of lines with the Indonesian model, which gives the
 * birth date, the sex and where the NIK line is. The NIK line is cut from three frames, each scaled to a
 * height tesseract reads well, stacked into one image and read again as digits only (a whitelist, so an
 * O is not a 0 and a colon is not a 1), and the NIK is voted digit by digit over these reads and the
 * block read's: a single misread digit in one frame no longer decides. So as not to wait for the block
 * read, the lines are read at once where the e-KTP layout puts them (`NIK_BAND`); they are read again
 * where the block read found the NIK line only when that is elsewhere or the first reading gave nothing.
 */
export async function readCard(images: readonly Uint8Array[], options: OcrOptions): Promise<CardReading> {
  const first = images[0];
  if (!first) return { available: false, nik: null, birthDate: null, sex: null };
  const meta = await sharp(first).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const frames = spread(images, NIK_FRAMES);
  const band = boxOf(NIK_BAND, width, height);
  const early = readNikLines(frames, band, options).catch((): string[] => []);
  const crop = boxOf(CARD_TEXT, width, height);
  const scaledWidth = Math.max(1200, crop.width);
  const png = await sharp(first).extract(crop).greyscale().resize({ width: scaledWidth }).normalise().png().toBuffer();
  const tsv = await tesseract(png, ['-l', 'ind', '--psm', '6', 'tsv'], options);
  if (tsv === null) return { available: false, nik: null, birthDate: null, sex: null };
  const lines = tsvLines(tsv);
  const block = parseCard(lines.map((l) => l.text).join('\n'));
  const nikLine = findNikLine(lines);
  let lineReads = await early;
  if (nikLine) {
    // The line's box in the frame's pixels, from the scaled crop's.
    const k = crop.width / scaledWidth;
    const found = {
      left: crop.left + nikLine.box.left * k,
      top: crop.top + nikLine.box.top * k,
      width: nikLine.box.width * k,
      height: nikLine.box.height * k,
    };
    if (lineReads.length === 0 || !inside(found, band)) {
      const margin = NIK_LINE_MARGIN * found.height;
      const box = clampBox(
        { left: found.left - margin, top: found.top - margin, width: found.width + 2 * margin, height: found.height + 2 * margin },
        width,
        height,
      );
      lineReads = await readNikLines(frames, box, options);
    }
  }
  return { available: true, ...block, nik: voteDigits([...lineReads, ...(block.nik ? [block.nik] : [])]) };
}

/** A region (fractions of the frame) in a `width` x `height` frame's pixels. */
function boxOf(r: Region, width: number, height: number): Box {
  const left = Math.floor(r.x0 * width);
  const top = Math.floor(r.y0 * height);
  return { left, top, width: Math.ceil(r.x1 * width) - left, height: Math.ceil(r.y1 * height) - top };
}

const inside = (a: Box, b: Box): boolean =>
  a.left >= b.left && a.top >= b.top && a.left + a.width <= b.left + b.width && a.top + a.height <= b.top + b.height;

/** `count` of `items` spread evenly from the first to the last. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))] as T);
}

function clampBox(b: Box, width: number, height: number): Box {
  const left = Math.max(0, Math.floor(b.left));
  const top = Math.max(0, Math.floor(b.top));
  return {
    left,
    top,
    width: Math.max(1, Math.min(width, Math.ceil(b.left + b.width)) - left),
    height: Math.max(1, Math.min(height, Math.ceil(b.top + b.height)) - top),
  };
}

/** The NIK line `box` of each frame, stacked and read in one tesseract run as digits; the 16-digit reads. */
async function readNikLines(frames: readonly Uint8Array[], box: Box, options: OcrOptions): Promise<string[]> {
  const crops = await Promise.all(
    frames.map(async (f) => {
      const meta = await sharp(f).metadata();
      const clamped = clampBox(box, meta.width ?? 0, meta.height ?? 0);
      return sharp(f)
        .extract(clamped)
        .greyscale()
        .resize({ height: NIK_LINE_HEIGHT })
        .normalise()
        .raw()
        .toBuffer({ resolveWithObject: true });
    }),
  );
  const stackWidth = Math.max(...crops.map((c) => c.info.width));
  const rowsEach = NIK_LINE_HEIGHT + NIK_LINE_GAP;
  const stack = Buffer.alloc(stackWidth * (NIK_LINE_GAP + crops.length * rowsEach), 255);
  crops.forEach((c, n) => {
    for (let y = 0; y < c.info.height; y++)
      c.data.copy(stack, (NIK_LINE_GAP + n * rowsEach + y) * stackWidth, y * c.info.width, (y + 1) * c.info.width);
  });
  const png = await sharp(stack, { raw: { width: stackWidth, height: stack.length / stackWidth, channels: 1 } })
    .png()
    .toBuffer();
  // Digits are the same glyphs in every Latin model; the English one ships with Debian's tesseract-ocr.
  const text = await tesseract(png, ['-l', 'eng', '--psm', '6', '-c', 'tessedit_char_whitelist=NIK:0123456789 '], options);
  return text === null ? [] : nikLineReads(text);
}

/** The 16-digit NIKs of stacked NIK-line reads, one per line: what follows the label's colon, digits only. */
export function nikLineReads(text: string): string[] {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/^[^:]*:/, '')
        .replace(/^\s*N?\s*I?\s*K/, '')
        .replace(/\D/g, ''),
    )
    .filter((digits) => digits.length === 16);
}

/**
 * One NIK from several 16-digit reads: each digit is the one most reads agree on (a tie goes to the
 * earlier read). Null when there is no read: never a guess.
 */
export function voteDigits(reads: readonly string[]): string | null {
  if (reads.length === 0) return null;
  let nik = '';
  for (let i = 0; i < 16; i++) {
    const counts = new Map<string, number>();
    for (const r of reads) counts.set(r[i] as string, (counts.get(r[i] as string) ?? 0) + 1);
    let best = (reads[0] as string)[i] as string;
    for (const [digit, n] of counts) if (n > (counts.get(best) ?? 0)) best = digit;
    nik += best;
  }
  return nik;
}

/** Digits in a line before it counts as the NIK line when its label is illegible (a date has 8). */
const NIK_MIN_DIGITS = 12;

/**
 * The NIK line of a block read: the line with the NIK label, or, when OCR mangled the label, the line
 * with the most digits if it has at least 12 (no other KTP field has as many).
 */
export function findNikLine<T extends { text: string }>(lines: readonly T[]): T | undefined {
  const labelled = lines.find((l) => NIK_LINE.test(l.text));
  if (labelled) return labelled;
  const digits = (l: T) => l.text.replace(/\D/g, '').length;
  const most = [...lines].sort((a, b) => digits(b) - digits(a))[0];
  return most && digits(most) >= NIK_MIN_DIGITS ? most : undefined;
}

export interface TsvLine {
  text: string;
  box: Box;
}

/** tesseract's TSV output as lines of words with their bounding boxes (in the read image's pixels). */
export function tsvLines(tsv: string): TsvLine[] {
  const lines = new Map<string, TsvLine>();
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols[0] !== '5' || cols.length < 12) continue;
    const word = cols.slice(11).join('\t').trim();
    if (!word) continue;
    const [l, t, w, h] = cols.slice(6, 10).map(Number) as [number, number, number, number];
    const key = cols.slice(2, 5).join('.');
    const line = lines.get(key);
    if (!line) {
      lines.set(key, { text: word, box: { left: l, top: t, width: w, height: h } });
      continue;
    }
    const right = Math.max(line.box.left + line.box.width, l + w);
    const bottom = Math.max(line.box.top + line.box.height, t + h);
    line.text += ` ${word}`;
    line.box.left = Math.min(line.box.left, l);
    line.box.top = Math.min(line.box.top, t);
    line.box.width = right - line.box.left;
    line.box.height = bottom - line.box.top;
  }
  return [...lines.values()];
}

function tesseract(png: Buffer, args: readonly string[], options: OcrOptions): Promise<string | null> {
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
    const child = spawn(options.command, ['stdin', 'stdout', ...args], {
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
const DIGITISH: Record<string, string> = {
  O: '0',
  o: '0',
  D: '0',
  Q: '0',
  I: '1',
  l: '1',
  '|': '1',
  i: '1',
  Z: '2',
  S: '5',
  s: '5',
  B: '8',
  G: '6',
  b: '6',
  T: '7',
};

/** The NIK label at the start of its line, as OCR may read it (I as 1, l or |). */
const NIK_LABEL = /^\s*N\s*[I1l|]\s*K\b/;
const NIK_LINE = /N\s*[I1l|]\s*K\b[^\n]*/;

/** The fields of a KTP's OCR text: the NIK line, the first DD-MM-YYYY date, and LAKI-LAKI or PEREMPUAN. */
export function parseCard(text: string): Omit<CardReading, 'available'> {
  let nik: string | null = null;
  const nikLine = NIK_LINE.exec(text);
  if (nikLine) {
    const digits = nikLine[0]
      .replace(NIK_LABEL, '')
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
