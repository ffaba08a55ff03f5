import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { engineConfig } from '../../src/engine/engine-config';
import { findNikLine, nikLineReads, parseCard, readCard, tsvLines, voteDigits } from '../../src/engine/ocr/read-card';
import { nikOnCardVote } from '../../src/engine/voters/nik-on-card';
import { KTP_CLASSES, seedOf } from './fixtures/lab/classes';
import { ktpScene, renderCapture } from './fixtures/synth';

const claims = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
const reading = (over: Partial<ReturnType<typeof parseCard>> = {}) => ({ available: true, ...claims, birthDate: '1990-08-15', ...over });

describe('parseCard: the fields of a KTP from OCR text', () => {
  it('when tesseract reads a clean card, then the NIK, birth date and sex are taken', () => {
    const text =
      'PROVINSI JAWA BARAT\nNIK : 3273051508900001\nNama : BUDI\nTempat/Tgl Lahir : BANDUNG, 15-08-1990\nJenis Kelamin : LAKI-LAKI\n';
    expect(parseCard(text)).toEqual({ nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' });
  });
  it('when OCR mistakes digits for look-alike letters on the NIK line, then they are read as digits', () => {
    expect(parseCard('NIK : 3273O515O89OOOOl\nPEREMPUAN').nik).toBe('3273051508900001');
    expect(parseCard('NIK : 3273O515O89OOOOl\nPEREMPUAN').sex).toBe('female');
  });
  it('when the NIK line has not 16 digits, then no NIK is read (never a guess)', () => {
    expect(parseCard('NIK : 32730515089000').nik).toBeNull();
    expect(parseCard('no card here')).toEqual({ nik: null, birthDate: null, sex: null });
  });
});

describe('the NIK voted over several reads of its line', () => {
  it('when one frame misreads a digit, then the other frames outvote it', () => {
    expect(voteDigits(['3273051508900001', '3273051508900007', '3273051508900001'])).toBe('3273051508900001');
  });
  it('when there is no 16-digit read, then no NIK is read (never a guess)', () => {
    expect(voteDigits([])).toBeNull();
  });
  it('when stacked line reads carry the label, a misread colon or a stray digit, then only the 16-digit NIKs after the label count', () => {
    const text = 'NIK : 3273051508900001\nNIK 3273051508900001\n: 32730515089000013\n\nNIK : 32730515\n';
    expect(nikLineReads(text)).toEqual(['3273051508900001', '3273051508900001']);
  });
});

describe('where the NIK line is, from the block read', () => {
  const tsv = [
    'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
    '5\t1\t1\t1\t1\t1\t655\t0\t159\t37\t93\tKOTA',
    '5\t1\t1\t2\t1\t1\t91\t123\t117\t52\t93\tNIK',
    '5\t1\t1\t2\t1\t2\t266\t133\t14\t42\t92\t:',
    '5\t1\t1\t2\t1\t3\t344\t117\t715\t59\t44\t32730543029294138',
    '5\t1\t1\t2\t2\t1\t95\t220\t200\t40\t90\tBANDUNG,',
    '5\t1\t1\t2\t2\t2\t300\t220\t240\t40\t90\t04-11-1967',
  ].join('\n');
  it("when tesseract's TSV is read, then each line's words are joined and its box spans them", () => {
    const lines = tsvLines(tsv);
    expect(lines.map((l) => l.text)).toEqual(['KOTA', 'NIK : 32730543029294138', 'BANDUNG, 04-11-1967']);
    expect(lines[1]?.box).toEqual({ left: 91, top: 117, width: 968, height: 59 });
  });
  it('when the NIK label is legible, then its line is the NIK line; when it is not, then the line of 12 or more digits is', () => {
    expect(findNikLine(tsvLines(tsv))?.text).toBe('NIK : 32730543029294138');
    expect(findNikLine([{ text: 'MlK ; 3273054302929418' }, { text: 'BANDUNG, 04-11-1967' }])?.text).toBe('MlK ; 3273054302929418');
    expect(findNikLine([{ text: 'BANDUNG, 04-11-1967' }])).toBeUndefined();
  });
});

describe('nik_on_card', () => {
  it('when the card says what the client states, then it passes', () => {
    expect(nikOnCardVote(reading(), claims).verdict).toBe('pass');
  });
  it('when the stated NIK differs from the printed one in two or more digits, then it fails without showing either', () => {
    const vote = nikOnCardVote(reading({ nik: '3273052301850001' }), claims);
    expect(vote).toMatchObject({ verdict: 'fail', detail: 'NIK printed on the card differs from the stated NIK in 5 digits' });
    expect(vote.detail).not.toContain(claims.nik);
  });
  it("when the card's NIK was edited but its printed birth date was not, then it fails", () => {
    const edited = '3273052301850001';
    const vote = nikOnCardVote(reading({ nik: edited, birthDate: '1990-08-15' }), { nik: edited, birthDate: '1985-01-23', sex: 'male' });
    expect(vote).toMatchObject({ verdict: 'fail', detail: 'birth date printed on the card differs from the one its NIK encodes' });
  });
  it('when one digit differs (a possible misreading) or nothing is legible, then it is uncertain, never a pass', () => {
    expect(nikOnCardVote(reading({ nik: '3273051508900007' }), claims).verdict).toBe('uncertain');
    expect(nikOnCardVote(reading({ nik: null }), claims).verdict).toBe('uncertain');
    expect(nikOnCardVote({ available: false, nik: null, birthDate: null, sex: null }, claims).verdict).toBe('uncertain');
  });
});

describe('readCard with tesseract (Debian tesseract-ocr, tesseract-ocr-ind)', () => {
  it('when a generated card is photographed, then its printed NIK, birth date and sex are read back', async () => {
    const [frame] = await renderCapture(
      await ktpScene(4, 400, 252, { text: { nik: '3171054203880012', birth: '02-03-1988', sex: 'female' } }),
      [{ r: 0, g: 255, b: 0 }],
      1,
    );
    expect(await readCard([frame as Buffer], engineConfig().ocr)).toEqual({
      available: true,
      nik: '3171054203880012',
      birthDate: '1988-03-02',
      sex: 'female',
    });
  });
  it('when a genuine lab card whose block read runs a stray digit into the NIK is captured, then the NIK line read over three frames gets it right', async () => {
    // Calibration sample 28: the Indonesian block read gives 17 digits on this card's NIK line.
    const genuine = KTP_CLASSES.find((c) => c.name === 'genuine KTP card');
    if (!genuine) throw new Error('no genuine KTP class in the lab');
    const s = await genuine.make(seedOf('calibration', 28), 'calibration');
    expect(await readCard(s.frames, engineConfig().ocr)).toEqual({ available: true, ...s.claims });
  });
  it('when the card sits lower in the frame than the e-KTP layout puts its NIK line, then the line is read where the block read found it', async () => {
    const genuine = KTP_CLASSES.find((c) => c.name === 'genuine KTP card');
    if (!genuine) throw new Error('no genuine KTP class in the lab');
    // Sample 28 again: the block read alone gets its NIK wrong, so only the line read can read it right.
    const s = await genuine.make(seedOf('calibration', 28), 'calibration');
    // 120 px of table above the card: its NIK line moves from ~28% of the frame's height to ~45%, out of NIK_BAND.
    const lowered = await Promise.all(
      s.frames.map((f) => sharp(f).extend({ top: 120, background: '#6b5a48' }).jpeg({ quality: 92 }).toBuffer()),
    );
    expect(await readCard(lowered, engineConfig().ocr)).toMatchObject({ available: true, nik: s.claims?.nik });
  });
  it('when the OCR binary is missing, then the card is reported unread rather than throwing', async () => {
    const jpeg = await readFile(require.resolve('@vladmandic/face-api/demo/sample1.jpg'));
    expect(await readCard([jpeg], { command: 'no-such-tesseract-binary', timeoutMs: 5000 })).toMatchObject({ available: false, nik: null });
  });
});
