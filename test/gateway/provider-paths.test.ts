import nock from 'nock';
import { callContext, loadProvidersConfig, type HttpReach } from '../../src/gateway/providers';
import { DEFAULT_REGISTRY } from '../../src/gateway/registry';

const META = { customerId: 'cus_x', verificationId: 'ver_x', now: new Date() };

describe('vendor paths from config/providers.json', () => {
  afterEach(() => nock.cleanAll());

  it('when a live Lapis path is overridden in the config, then the document upload goes to that path', async () => {
    const providers = loadProvidersConfig();
    const lapis = providers.lapis as HttpReach;
    providers.lapis = { ...lapis, paths: { ...lapis.paths, documentUpload: '/v2/documents' } };
    const ctx = callContext(providers, 'lapis', 'live', { LAPIS_API_KEY: 'live-key' });
    const scope = nock('https://kyc-be.rubilink.app').post('/v2/documents').matchHeader('x-api-key', 'live-key').reply(200, { id: 'doc-1' });
    const prepared = DEFAULT_REGISTRY.operation('lapis', 'document_upload')!.prepare({ front: { url: 'https://example.com/ktp.jpg' } });
    if (!prepared.ok) throw new Error('the document input was refused');
    const outcome = await prepared.call(ctx, META);
    expect(scope.isDone()).toBe(true);
    expect(outcome.facts.httpStatus).toBe(200);
  });

  it('when the shipped config is read, then the assumed Lapis paths are the adapter defaults', () => {
    expect((loadProvidersConfig().lapis as HttpReach).paths).toEqual({ documentUpload: '/api/document-upload', liveliness: '/api/liveliness', getRequest: '/api/requests/{id}' });
  });
});
