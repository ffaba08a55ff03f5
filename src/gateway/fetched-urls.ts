import type { FetchedUrl, PreparedCall, ProviderId } from '../../adapters/types';
import { AppError } from '../errors/app-error';
import { checkPublicUrl, type AddressCheck, type AddressCheckOptions } from '../net/public-address';
import type { KeyMode } from '../tenancy/key-mode';

const WHY: Record<Exclude<AddressCheck, { ok: true }>['reason'], string> = {
  invalid_url: 'not an absolute URL without credentials',
  scheme_not_allowed: 'only https URLs are accepted',
  unresolvable: 'its host does not resolve',
  address_not_public: 'its host is or resolves to a loopback, private, link-local or metadata address',
};

/**
 * Refuses a verification whose input names a URL a vendor would download (an image, a video) unless it is
 * https and its host is, and resolves only to, public addresses: a vendor fetching our tenants' URLs must
 * not be steered at loopback, private networks or cloud metadata (OWASP API7:2023). Checked for every
 * provider that took the input, before anything is written or called. With a sandbox key a name that does
 * not resolve is let through: the simulators never download, and the sandbox must not depend on this
 * machine's DNS. Literal addresses and names that resolve are checked in both modes.
 */
export async function assertFetchableUrls(
  reads: ReadonlyMap<ProviderId, PreparedCall | null>,
  keyMode: KeyMode,
  options: Pick<AddressCheckOptions, 'resolve' | 'allow'> = {},
): Promise<void> {
  const urls = new Map<string, FetchedUrl>();
  for (const read of reads.values()) if (read?.ok) for (const u of read.fetchedUrls) urls.set(u.url, u);
  for (const { url, param } of urls.values()) {
    const check = await checkPublicUrl(url, options);
    if (check.ok || (check.reason === 'unresolvable' && keyMode === 'test')) continue;
    throw new AppError('url_not_allowed', { params: { why: WHY[check.reason] }, param: `input.${param}` });
  }
}
