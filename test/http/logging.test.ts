import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startTestApp, type TestApp } from '../helpers/test-app';

const lines: string[] = [];
let app: TestApp;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  app = await startTestApp({ logger: createLogger('info', sink) });
});
afterAll(() => app?.close());

describe('logs keep secrets and personal data out (reliability-and-performance.md L1)', () => {
  it('when a request carries an API key, an image, a NIK and a name, then no log line contains any of them', async () => {
    const { key } = await app.tenant(['customers:write']);
    const image = Buffer.alloc(600, 7).toString('base64');
    const nik = '3217061012870001';
    await app.request('POST', '/v1/customers', { key, body: { externalRef: 'x', image, nik, name: 'Budi Santoso' } });
    await app.request('GET', `/v1/customers?nik=${nik}`, { key });
    const log = lines.join('');
    expect(log).toContain('"status":400');
    expect(log).not.toContain(key);
    expect(log).not.toContain(image.slice(0, 40));
    expect(log).not.toContain(nik);
    expect(log).not.toContain('Budi');
  });

  it('when a logged object has key, image or identity fields, then pino redacts them', () => {
    const captured: string[] = [];
    const logger = createLogger('info', new Writable({ write: (c, _e, d) => (captured.push(String(c)), d()) }));
    logger.info({ job: { nik: '3217061012870001', name: 'Siti', faceImage: 'QUFBQUFB', descriptor: [0.1] }, apiKey: 'vk_live_secret', hmacKey: 'abc' }, 'x');
    const line = captured.join('');
    expect(line).not.toMatch(/3217061012870001|Siti|QUFBQUFB|vk_live_secret|"abc"|0\.1/);
    expect(line).toContain('[redacted]');
  });
});
