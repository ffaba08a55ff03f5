import { z } from 'zod';
import { requireCustomer } from '../../customers/require-customer';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { authenticationOptions, verifyAuthentication, type AuthenticationOptions } from '../../passkeys/authentication';
import { loadPasskeysConfig, type PasskeysConfig } from '../../passkeys/passkeys-config';
import { deletePasskey, listPasskeys, type Passkey } from '../../passkeys/passkeys-repo';
import { presentAuthentication, presentAuthenticationOptions, presentPasskey, presentRegistrationOptions } from '../../passkeys/present';
import { registrationOptions, verifyRegistration, type RegistrationOptions } from '../../passkeys/registration';
import { AuthenticationResponse, RegistrationResponse } from '../../passkeys/schemas';
import { route, type Reply, type RouteSpec } from '../route';

const RegistrationOptionsBody = z
  .object({
    /** Shown by the passkey manager; defaults to the customer's externalRef. Not stored. */
    userName: z.string().trim().min(1).max(64).optional(),
    displayName: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

const RegistrationBody = z
  .object({
    /** `PublicKeyCredential.toJSON()` from `navigator.credentials.create()`. */
    response: RegistrationResponse,
    /** A label for the integrator's UI ("Budi's phone"). */
    name: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

const AuthenticationOptionsBody = z.object({}).strict();

const AuthenticationBody = z
  .object({
    /** `PublicKeyCredential.toJSON()` from `navigator.credentials.get()`. */
    response: AuthenticationResponse,
  })
  .strict();

// A ceremony's first step issues a challenge (201); registering stores a passkey (201).
const registrationOptionsReply = (o: RegistrationOptions): Reply => ({ status: 201, body: presentRegistrationOptions(o) });
const authenticationOptionsReply = (o: AuthenticationOptions): Reply => ({ status: 201, body: presentAuthenticationOptions(o) });
const registeredReply = (p: Passkey): Reply => ({ status: 201, body: presentPasskey(p) });

/**
 * Passkeys (WebAuthn) for customers who passed KYC: registration and authentication ceremonies, list and
 * delete. Every challenge is 32 random bytes, single use, and expires after 5 minutes on the server's clock.
 */
export function passkeyRoutes(deps: AppDeps, rp: PasskeysConfig = loadPasskeysConfig()): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/registration/options',
      scope: 'passkeys:write',
      body: RegistrationOptionsBody,
      handler: async ({ caller, params, body, commit }) =>
        registrationOptionsReply(
          await registrationOptions(deps, rp, caller, { customerId: params.id as string, ...body }, commit(registrationOptionsReply)),
        ),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/registration',
      scope: 'passkeys:write',
      body: RegistrationBody,
      handler: async ({ caller, params, body, commit }) =>
        registeredReply(await verifyRegistration(deps, rp, caller, { customerId: params.id as string, ...body }, commit(registeredReply))),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/authentication/options',
      scope: 'passkeys:authenticate',
      body: AuthenticationOptionsBody,
      handler: async ({ caller, params, commit }) =>
        authenticationOptionsReply(
          await authenticationOptions(deps, rp, caller, { customerId: params.id as string }, commit(authenticationOptionsReply)),
        ),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/authentication',
      scope: 'passkeys:authenticate',
      body: AuthenticationBody,
      handler: async ({ caller, params, body }) => ({
        status: 200,
        body: presentAuthentication(await verifyAuthentication(deps, rp, caller, { customerId: params.id as string, ...body })),
      }),
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id/passkeys',
      scope: 'passkeys:view',
      handler: async ({ caller, params }) => {
        const customer = await requireCustomer(deps.db, caller.orgId, params.id as string, 'id');
        const data = (await listPasskeys(deps.db, caller.orgId, customer.id)).map(presentPasskey);
        return { status: 200, body: { object: 'list', data, hasMore: false } };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/customers/:id/passkeys/:passkeyId',
      scope: 'passkeys:write',
      handler: async ({ caller, params }) => {
        const customer = await requireCustomer(deps.db, caller.orgId, params.id as string, 'id');
        const removed = await deletePasskey(deps.db, caller.orgId, customer.id, params.passkeyId as string);
        if (!removed) throw new AppError('resource_not_found', { params: { resource: 'passkey' }, param: 'passkeyId' });
        deps.logger.info(
          { audit: 'passkey_deleted', orgId: caller.orgId, keyId: caller.keyId, customerId: customer.id, passkeyId: removed.id },
          'passkey deleted',
        );
        return { status: 200, body: { ...presentPasskey(removed), deleted: true } };
      },
    }),
  ];
}
