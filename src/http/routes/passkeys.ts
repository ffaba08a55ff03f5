import { z } from 'zod';
import { findCustomer, type Customer } from '../../customers/customers-repo';
import { AppError } from '../../errors/app-error';
import {
  AuthenticationResponse,
  authenticationOptions,
  presentPasskey,
  RegistrationResponse,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type CeremonyContext,
} from '../../passkeys/ceremonies';
import { loadPasskeysConfig, type PasskeysConfig } from '../../passkeys/passkeys-config';
import { deletePasskey, listPasskeys } from '../../passkeys/passkeys-repo';
import type { Queryable } from '../../store/db';
import type { AppDeps, Caller } from '../context';
import { route, type RouteSpec } from '../route';

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

/**
 * Passkeys (WebAuthn) for customers who passed KYC: registration and authentication ceremonies, list and
 * delete. Every challenge is 32 random bytes, single use, and expires after 5 minutes on the server's clock.
 */
export function passkeyRoutes(deps: AppDeps, rp: PasskeysConfig = loadPasskeysConfig()): RouteSpec[] {
  // Another org's customer, or no such customer, is a 404.
  const customerOf = async (db: Queryable, caller: Caller, id: string): Promise<Customer> => {
    const customer = await findCustomer(db, caller.orgId, id);
    if (!customer) throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'id' });
    return customer;
  };
  const context = async (db: Queryable, caller: Caller, id: string): Promise<CeremonyContext> => ({
    deps,
    rp,
    caller,
    customer: await customerOf(db, caller, id),
  });

  return [
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/registration/options',
      scope: 'passkeys:write',
      body: RegistrationOptionsBody,
      handler: ({ caller, params, body, transaction }) =>
        transaction(async (tx) => registrationOptions(tx, await context(tx, caller, params.id as string), body)),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/registration',
      scope: 'passkeys:write',
      body: RegistrationBody,
      handler: async ({ caller, params, body, transaction }) =>
        verifyRegistration(await context(deps.db, caller, params.id as string), body, transaction),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/authentication/options',
      scope: 'passkeys:authenticate',
      body: AuthenticationOptionsBody,
      handler: ({ caller, params, transaction }) =>
        transaction(async (tx) => authenticationOptions(tx, await context(tx, caller, params.id as string))),
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/passkeys/authentication',
      scope: 'passkeys:authenticate',
      body: AuthenticationBody,
      handler: async ({ caller, params, body }) => verifyAuthentication(await context(deps.db, caller, params.id as string), body),
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id/passkeys',
      scope: 'passkeys:view',
      handler: async ({ caller, params }) => {
        const customer = await customerOf(deps.db, caller, params.id as string);
        const data = (await listPasskeys(deps.db, caller.orgId, customer.id)).map(presentPasskey);
        return { status: 200, body: { object: 'list', data, hasMore: false } };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/customers/:id/passkeys/:passkeyId',
      scope: 'passkeys:write',
      handler: async ({ caller, params }) => {
        const customer = await customerOf(deps.db, caller, params.id as string);
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
