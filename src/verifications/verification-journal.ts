import type { AppDeps, Caller } from '../deps';
import type { Attempt, PendingAttempt } from '../gateway/attempt';
import { interruptedAttempt } from '../gateway/invoke';
import { AppError } from '../errors/app-error';
import { insertLedgerEntry, settleLedgerEntry } from '../ledger/ledger-repo';
import { writeFirst, writeLast, writeNext, type FreshClaim } from './journal-writes';
import type { Commit, Queryable, UnitOfWork } from '../store/db';
import { detached } from '../store/transaction-guard';
import { newId } from '../ids';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import { verificationEvent } from './verification-events';
import {
  completeVerification,
  deletePendingAttempt,
  findByIdempotency,
  insertPendingAttempt,
  insertVerification,
  pendingAttemptsOf,
  renewLease,
  settleAttempt,
  type Completion,
  type Verification,
} from './verifications-repo';
import type { VerificationRequest } from './run-verification';

/** What the first write needs of the caller's UnitOfWork: its claim, the short way or the long. */
export type Opening = Pick<UnitOfWork<unknown>, 'begin'> & { claim?: FreshClaim | null; claimed?(): void };

/** The first write found a run this Idempotency-Key started before: the caller goes on from it. */
export class Resumed extends Error {
  constructor(readonly verification: Verification) {
    super(`resuming verification ${verification.id}`);
  }
}

/**
 * A verification's writes, with brandur's recovery points (reliability-and-performance.md A1). Every call is
 * written ahead: its attempt `in_flight` and its ledger row `unknown` commit before the call is made, so no
 * call is ever made unrecorded; its answer is written with the verification's next write. In the common
 * case that is two write transactions: the verification, the caller's claim and the first attempt; then the
 * answer, the settled ledger row, the completion and the caller's reply. A failover adds one: the previous
 * answer with the next write-ahead. While the run lives it renews the verification's lease; a run that dies
 * leaves a `processing` verification whose in-flight call the retry or the sweep settles as interrupted.
 */
export class VerificationJournal {
  private written = false;
  /** An answer not yet written: it goes with the next write. */
  private answered: Attempt | null = null;
  /** The call written ahead and not yet answered. */
  private inFlight: PendingAttempt | null = null;
  private heartbeat?: NodeJS.Timeout;

  /** Events recorded in a transaction that has not been announced yet. */
  private readonly recorded: string[] = [];

  /** When the verification was first written (kept to answer without reading it back). */
  private createdAt: Date;

  constructor(
    private readonly deps: AppDeps,
    private readonly caller: Caller,
    private readonly request: VerificationRequest,
    public verificationId: string,
    /** How the caller's claim joins the first write (UnitOfWork's `begin` and `record.claim`). */
    private readonly opening: Opening,
  ) {
    this.createdAt = deps.now();
  }

  /** Whether the verification has been written (its first write-ahead, or a resumed run). */
  get started(): boolean {
    return this.written;
  }

  private get leaseMs(): number {
    return this.deps.config.verifications.leaseSeconds * 1000;
  }

  /** The run goes on from a verification an earlier run started (its interrupted calls already settled). */
  resume(verification: Verification): void {
    this.verificationId = verification.id;
    this.createdAt = verification.createdAt;
    this.written = true;
    if (verification.status === 'processing') this.startHeartbeat();
  }

  /**
   * Commits the call about to be made, with whatever the verification's previous write left: on the first
   * write the caller's claim and the verification itself (or, where an earlier run of this Idempotency-Key
   * is found, nothing but that run's interrupted calls: then `Resumed` is thrown and no call is made); on a
   * later one the previous call's answer. One statement, but for a key that already has a record.
   */
  async writeAhead(pending: PendingAttempt): Promise<void> {
    const first = !this.written;
    if (first) await this.writeFirstAhead(pending);
    else await writeNext(this.deps.db, this.answered, pending, this.caller.orgId, this.ledgerRow(pending));
    this.written = true;
    this.answered = null;
    this.inFlight = pending;
    if (first) this.startHeartbeat();
  }

  private async writeFirstAhead(pending: PendingAttempt): Promise<void> {
    const { claim } = this.opening;
    const keyed = this.request.idempotency !== undefined;
    // The short way: one statement, for a request without a key, or whose key is new and has no unfinished run.
    if (!keyed || claim) {
      const written = await writeFirst(this.deps.db, {
        claim: claim ?? null,
        since: this.retentionStart(),
        verification: this.newVerification(),
        pending,
        ledger: this.ledgerRow(pending),
      });
      if (written) return void (claim && this.opening.claimed?.());
    }
    await this.claimAndWrite(async (tx) => {
      await insertPendingAttempt(tx, this.caller.orgId, pending);
      await insertLedgerEntry(tx, this.ledgerRow(pending));
    });
  }

  /**
   * The first write of a run that made no call (every provider skipped: drained, in cooldown, breaker open):
   * the verification with the caller's claim, like any first write. Without it such a run would answer
   * beside its Idempotency-Key: a fresh 503 where the key has a stored reply, and a run of its own while
   * an earlier run of the key is unfinished, whose retry would later call the vendor that earlier run had
   * already been billed by. With it the key is in use (409), replayed, or the earlier run resumed (`Resumed`).
   */
  async open(): Promise<void> {
    if (this.written) return;
    await this.claimAndWrite(async () => undefined);
    this.written = true;
    this.startHeartbeat();
  }

  /** The long way of a first write: the caller's claim (taken over from a dead request, perhaps), then an earlier run of the key or the verification. */
  private async claimAndWrite(more: (tx: Queryable) => Promise<void>): Promise<void> {
    const resumed = await this.deps.db.transaction(async (tx) => {
      const tookOver = (await this.opening.begin?.(tx)) ?? false;
      const earlier = await this.earlierRun(tx, tookOver);
      if (earlier) return earlier;
      await insertVerification(tx, this.newVerification());
      await more(tx);
      return null;
    });
    if (resumed) throw new Resumed(resumed);
  }

  /**
   * Takes an accepted asynchronous verification over for this run: the calls a dead worker left in flight are
   * settled as interrupted and the lease is renewed, in one transaction. Returns it as it is now.
   */
  async takeOver(accepted: Verification): Promise<Verification> {
    await this.deps.db.transaction((tx) => this.settleInterrupted(tx, accepted.id));
    return accepted;
  }

  /** The call's answer; written with the next write. */
  settle(attempt: Attempt): void {
    this.answered = attempt;
    this.inFlight = null;
  }

  /** The adapter refused the input before sending: the call was never made, so its write-ahead goes. */
  async withdraw(pending: PendingAttempt): Promise<void> {
    await this.deps.db.transaction((tx) => deletePendingAttempt(tx, pending.id));
    this.inFlight = null;
  }

  /**
   * The last write: the last call's answer, the completion, and the caller's reply (`uow.record`), in one
   * statement; without a record (a worker), in `uow.commit`. A claim lost meanwhile (a retry took it over
   * after the lock timeout) writes nothing and answers 409: the retry owns the work.
   */
  async finish<T>(completion: Completion, uow: UnitOfWork<T>, build: (v: Verification) => T): Promise<T> {
    try {
      const record = uow.record;
      if (!record) {
        const value = await uow.commit(async (tx) => build(await this.complete(tx, completion)));
        await this.announce();
        return value;
      }
      const value = build(this.completed(completion));
      const { key, response } = record.reply(value);
      const event = { id: newId('evt'), event: this.completedEvent(completion) };
      if (!(await writeLast(this.deps.db, this.verificationId, this.answered, completion, key && { key, response }, event))) {
        throw new AppError('idempotency_key_in_use', { param: 'Idempotency-Key' });
      }
      this.answered = null;
      record.replied();
      await announceEvents(this.deps, [event.id]);
      return value;
    } finally {
      this.stop();
    }
  }

  /** The last write inside `commit`, for use cases that add writes of their own (Dukcapil's enrollment). */
  async finishWith<T>(completion: Completion, commit: Commit<T>, build: (tx: Queryable, v: Verification) => Promise<T>): Promise<T> {
    try {
      const value = await commit(async (tx) => build(tx, await this.complete(tx, completion)));
      await this.announce();
      return value;
    } finally {
      this.stop();
    }
  }

  /** Ends the run without the caller's reply (nobody answered, or something of ours failed): any call in flight settles as interrupted. */
  async abandon(completion: Completion): Promise<Verification> {
    try {
      const ended = await this.deps.db.transaction(async (tx) => {
        if (this.inFlight) this.answered = interruptedAttempt(this.deps.errorMap, this.inFlight);
        this.inFlight = null;
        return this.complete(tx, completion);
      });
      await this.announce();
      return ended;
    } finally {
      this.stop();
    }
  }

  /** The verification as the last write leaves it, without reading it back. */
  private completed(c: Completion): Verification {
    const v = this.newVerification();
    return {
      id: v.id,
      orgId: v.orgId,
      keyId: v.keyId,
      customerId: v.customerId,
      check: v.check,
      mode: v.mode,
      requestedProvider: v.requestedProvider,
      sandbox: v.sandbox,
      status: c.status,
      provider: c.provider,
      resultCode: c.resultCode,
      result: c.result ?? null,
      errorCode: c.errorCode,
      skipped: c.skipped,
      createdAt: v.createdAt,
      completedAt: c.completedAt,
    };
  }

  private retentionStart(): Date {
    return new Date(this.deps.now().getTime() - this.deps.config.idempotency.retentionHours * 3_600_000);
  }

  /** The completion with its answer and its event (outbox), in the caller's transaction; `announce` after the commit. */
  private async complete(tx: Queryable, completion: Completion): Promise<Verification> {
    await this.writeAnswer(tx);
    const ended = await completeVerification(tx, this.verificationId, completion);
    // A flow asked again that still waits is no news: integrators heard of its `pending` the first time.
    const stillWaiting = completion.status === 'pending' && this.request.accepted?.completedAt;
    if (!stillWaiting) this.recorded.push(await recordEvent(tx, this.completedEvent(completion)));
    return ended;
  }

  /** `verification.completed`, or `verification.updated` when its answer leaves it open (a hosted session: `pending`). */
  private completedEvent(completion: Completion) {
    const type = completion.status === 'pending' ? 'verification.updated' : 'verification.completed';
    return verificationEvent(type, this.newVerification(), completion);
  }

  /** Queues the fan-out of the events this run committed (never throws: the webhook sweep catches up). */
  private async announce(): Promise<void> {
    const ids = this.recorded.splice(0);
    await announceEvents(this.deps, ids);
  }

  private async writeAnswer(tx: Queryable): Promise<void> {
    const a = this.answered;
    if (!a) return;
    await settleAttempt(tx, a);
    await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: a.upstream.requestId });
    this.answered = null;
  }

  /**
   * The run this Idempotency-Key and request started before, if it is to be gone on from: an unfinished one
   * always (its process died; its calls left in flight are settled as interrupted, charge unknown, never
   * made again), a finished one only when our claim was taken over from the request that ran it (it died
   * before storing its reply); a finished one whose key was released (an error not remembered) is not.
   */
  private async earlierRun(tx: Queryable, tookOver: boolean): Promise<Verification | null> {
    const k = this.request.idempotency;
    if (!k) return null;
    const earlier = await findByIdempotency(tx, this.caller.orgId, k.key, k.requestHash, this.retentionStart());
    if (!earlier) return null;
    if (earlier.status !== 'processing') return tookOver ? earlier : null;
    await this.settleInterrupted(tx, earlier.id);
    return earlier;
  }

  /** Settles the calls an earlier run of the verification left in flight (charge unknown) and makes the verification ours. */
  private async settleInterrupted(tx: Queryable, verificationId: string): Promise<void> {
    for (const pending of await pendingAttemptsOf(tx, verificationId)) {
      const a = interruptedAttempt(this.deps.errorMap, pending);
      await settleAttempt(tx, a);
      await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: null });
    }
    // Ours now: renewed at once, so the sweep does not settle it under us before the heartbeat's first beat.
    await renewLease(tx, verificationId, new Date(this.deps.now().getTime() + this.leaseMs));
  }

  private newVerification() {
    return {
      id: this.verificationId,
      orgId: this.caller.orgId,
      keyId: this.caller.keyId,
      customerId: this.request.customerId,
      check: this.request.check,
      mode: this.request.accepted ? ('async' as const) : ('sync' as const),
      requestedProvider: this.request.provider ?? 'auto',
      sandbox: this.caller.keyMode === 'test',
      idempotency: this.request.idempotency,
      leaseUntil: new Date(this.deps.now().getTime() + this.leaseMs),
      createdAt: this.createdAt,
    };
  }

  private ledgerRow(p: PendingAttempt) {
    return {
      attemptId: p.id,
      orgId: this.caller.orgId,
      keyId: this.caller.keyId,
      customerId: this.request.customerId,
      verificationId: p.verificationId,
      check: this.request.check,
      provider: p.provider,
      operation: p.operation,
      upstreamRequestId: null,
      suiteCode: null,
      charged: 'unknown' as const,
      unitPrice: this.deps.gateway.pricing.unitPrice(p.provider, p.operation),
      currency: this.deps.gateway.pricing.currency,
      sandbox: this.caller.keyMode === 'test',
    };
  }

  /** Renews the lease every third of it while the run lives (never as part of a transaction the run has open). */
  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      const until = new Date(this.deps.now().getTime() + this.leaseMs);
      detached(() => renewLease(this.deps.db, this.verificationId, until)).catch((err: Error) => {
        this.deps.logger.warn({ err: err.message, verificationId: this.verificationId }, 'verification lease not renewed');
      });
    }, this.leaseMs / 3);
    this.heartbeat.unref();
  }

  private stop(): void {
    clearInterval(this.heartbeat);
  }
}
