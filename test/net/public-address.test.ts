import http from 'node:http';
import nock from 'nock';
import type { AddressInfo } from 'node:net';
import { checkPublicUrl, isPublicAddress, pinnedLookup } from '../../src/net/public-address';

describe('public addresses', () => {
  it.each([
    ['127.0.0.1'],
    ['10.1.2.3'],
    ['172.20.0.1'],
    ['192.168.1.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['0.0.0.0'],
    ['::1'],
    ['::'],
    ['fe80::1'],
    ['fd00::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:7f00:1'],
    ['::ffff:a9fe:a9fe'],
    ['224.0.0.1'],
  ])('when the address is %s, then it is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([['8.8.8.8'], ['1.1.1.1'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8']])(
    'when the address is %s, then it is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('when the URL names loopback or the metadata address, then it is refused', async () => {
    await expect(checkPublicUrl('https://127.0.0.1/hook')).resolves.toMatchObject({ ok: false, reason: 'address_not_public' });
    await expect(checkPublicUrl('https://169.254.169.254/latest/meta-data')).resolves.toMatchObject({
      ok: false,
      reason: 'address_not_public',
    });
    await expect(checkPublicUrl('https://[::1]:8443/')).resolves.toMatchObject({ ok: false, reason: 'address_not_public' });
  });

  it('when a DNS name resolves to a private address, then it is refused', async () => {
    // `localhost` resolves through the system resolver (/etc/hosts) to loopback.
    await expect(checkPublicUrl('https://localhost/hook')).resolves.toMatchObject({ ok: false, reason: 'address_not_public' });
  });

  it('when a name resolves to one public and one private address, then it is refused', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await expect(checkPublicUrl('https://mixed.example/hook', { resolve })).resolves.toMatchObject({
      ok: false,
      reason: 'address_not_public',
    });
  });

  it('when the scheme is not allowed, then it is refused before any lookup', async () => {
    const resolve = jest.fn();
    await expect(checkPublicUrl('http://hooks.example/x', { resolve })).resolves.toMatchObject({ ok: false, reason: 'scheme_not_allowed' });
    await expect(checkPublicUrl('file:///etc/passwd', { resolve })).resolves.toMatchObject({ ok: false, reason: 'scheme_not_allowed' });
    expect(resolve).not.toHaveBeenCalled();
  });

  it('when the URL carries credentials or is not a URL, then it is refused', async () => {
    await expect(checkPublicUrl('https://user:pw@hooks.example/')).resolves.toMatchObject({ ok: false, reason: 'invalid_url' });
    await expect(checkPublicUrl('not a url')).resolves.toMatchObject({ ok: false, reason: 'invalid_url' });
  });

  it('when an allow-list names the network or the host, then loopback is accepted', async () => {
    await expect(
      checkPublicUrl('http://127.0.0.1:9/', { schemes: ['http:'], allow: { hosts: [], cidrs: ['127.0.0.0/8'] } }),
    ).resolves.toMatchObject({ ok: true, address: '127.0.0.1' });
    await expect(
      checkPublicUrl('http://localhost:9/', { schemes: ['http:'], allow: { hosts: ['localhost'], cidrs: [] } }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('when a connection is pinned, then it goes to the checked address whatever the name resolves to now', async () => {
    // The name does not exist: only the pinned lookup can take the request anywhere. Real sockets, no nock in the way.
    nock.restore();
    const server = http.createServer((_req, res) => res.end('pinned'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
      const check = await checkPublicUrl(`http://hooks.invalid:${port}/`, {
        schemes: ['http:'],
        resolve,
        allow: { hosts: [], cidrs: ['127.0.0.1/32'] },
      });
      if (!check.ok) throw new Error(check.detail);
      const body = await new Promise<string>((resolveBody, reject) => {
        http
          .get(check.url, { lookup: pinnedLookup(check) }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolveBody(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('pinned');
    } finally {
      nock.activate();
      await new Promise((r) => server.close(r));
    }
  });
});
