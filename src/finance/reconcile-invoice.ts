import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error';
import { newId } from '../ids';
import type { Commit } from '../store/db';
import { InvoiceFormatError, parseInvoiceCsv, type InvoiceLine } from './invoice-csv';
import { bookedCalls, insertInvoiceImport, lockResolvable, resolveByInvoice, type BookedCall, type LedgerScope } from './invoice-repo';

const DAY_MS = 86_400_000;

export interface InvoiceImport {
  /** The vendor that sent the invoice (a provider id of the registry). */
  provider: string;
  /** Sandbox rows (calls the simulators answered) instead of live ones. */
  sandbox: boolean;
  /** Only this org's rows (a tenant's finance), or the whole platform's (null: the operator, the CLI). */
  orgId: string | null;
  fileName: string;
  csv: string;
  /** First and last UTC day (YYYY-MM-DD) the invoice covers; by default its earliest and latest line's. */
  from?: string;
  to?: string;
  /** Who imports, for the record: an API key id, or `cli:<user>`. */
  importedBy: string;
}

/** One thing the invoice and the ledger disagree on. Amounts are in the currency's units (IDR 3500.00 is 3500). */
export type InvoiceDifference =
  | { kind: 'billed_not_on_ledger'; line: number; date: string; reference: string; billed: number; currency: string | null }
  | { kind: 'on_ledger_not_billed'; entryId: string; reference: string | null; bookedAt: string; expected: number; currency: string }
  | {
      kind: 'price_mismatch';
      line: number;
      reference: string;
      entryId: string;
      /** How the ledger booked the call: billed although booked `free` is a mismatch against 0. */
      ledgerCharge: 'charged' | 'free' | 'unknown';
      billed: number;
      expected: number;
      currency: string;
    };

export interface Reconciliation {
  id: string;
  provider: string;
  sandbox: boolean;
  orgId: string | null;
  fileName: string;
  period: { from: string; to: string };
  lines: number;
  /** Lines that matched a ledger row at the booked price. */
  matched: number;
  /** `unknown` rows the invoice bills: now resolved `charged`, with this import as their evidence. */
  resolved: Array<{ entryId: string; line: number; reference: string }>;
  differences: InvoiceDifference[];
  /** `unknown` rows of the period the invoice does not bill: not proven either way (a later invoice may bill them). */
  unknownNotBilled: number;
  importedAt: string;
}

const units = (cents: number) => cents / 100;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Reconciles a vendor invoice against the ledger: every line is matched to a booked call of that vendor by
 * its reference (each call at most once, so a reference billed twice shows up), then three kinds of
 * difference are listed: billed but not on the ledger, charged on the ledger in the period but not billed,
 * and billed at another price than booked (a call booked `free` that is billed counts as one). An `unknown`
 * row the invoice bills is proven charged and resolved so. The import, its result and the resolutions
 * commit together; nothing is written when the file cannot be read.
 */
export async function reconcileInvoice(input: InvoiceImport, now: Date, commit: Commit<Reconciliation>): Promise<Reconciliation> {
  let lines: InvoiceLine[];
  try {
    lines = parseInvoiceCsv(input.csv);
  } catch (err) {
    if (err instanceof InvoiceFormatError)
      throw new AppError('invalid_request', { params: { detail: `csv: ${err.message}` }, param: 'csv' });
    throw err;
  }
  const period = periodOf(input, lines);
  const scope: LedgerScope = { provider: input.provider, sandbox: input.sandbox, orgId: input.orgId };
  return commit(async (tx) => {
    const booked = await bookedCalls(
      tx,
      scope,
      [...new Set(lines.map((l) => l.reference))],
      new Date(`${period.from}T00:00:00Z`),
      new Date(Date.parse(`${period.to}T00:00:00Z`) + DAY_MS),
    );
    const compared = compare(lines, booked, period);
    const { differences, matched } = compared;
    const resolvable = await lockResolvable(
      tx,
      compared.proven.map((p) => p.call.entryId),
    );
    const proven = compared.proven.filter((p) => resolvable.has(p.call.entryId));
    const id = newId('inv');
    const unknownNotBilled = booked.filter(
      (b) => b.charged === 'unknown' && !proven.some((p) => p.call === b) && inPeriod(b, period),
    ).length;
    const result: Reconciliation = {
      id,
      provider: input.provider,
      sandbox: input.sandbox,
      orgId: input.orgId,
      fileName: input.fileName,
      period,
      lines: lines.length,
      matched,
      resolved: proven.map((p) => ({ entryId: p.call.entryId, line: p.line.line, reference: p.line.reference })),
      differences,
      unknownNotBilled,
      importedAt: now.toISOString(),
    };
    await insertInvoiceImport(tx, {
      id,
      scope,
      fileName: input.fileName,
      fileSha256: createHash('sha256').update(input.csv).digest('hex'),
      periodFrom: period.from,
      periodTo: period.to,
      lines: lines.length,
      importedBy: input.importedBy,
      importedAt: now,
      result,
    });
    for (const p of proven) {
      const note = `invoice ${input.fileName} line ${p.line.line} (${p.line.reference})`;
      // Locked above while unknown and settled: a refusal is a broken invariant.
      if (!(await resolveByInvoice(tx, p.call, { importId: id, note, at: now })))
        throw new Error(`ledger entry ${p.call.entryId} could not be resolved`);
    }
    return result;
  });
}

function compare(lines: InvoiceLine[], booked: BookedCall[], period: { from: string; to: string }) {
  const byReference = new Map<string, BookedCall[]>();
  for (const call of booked) {
    if (call.reference !== null) byReference.set(call.reference, [...(byReference.get(call.reference) ?? []), call]);
  }
  const used = new Set<BookedCall>();
  const differences: InvoiceDifference[] = [];
  const proven: Array<{ call: BookedCall; line: InvoiceLine }> = [];
  let matched = 0;
  for (const line of lines) {
    const candidates = (byReference.get(line.reference) ?? []).filter((c) => !used.has(c));
    // Prefer a call booked as billed, then an unknown one, then a free one: a vendor that shares one
    // reference across calls (Lapis' document id) bills the ones it charged.
    const call = candidates.find((c) => c.charged === 'charged') ?? candidates.find((c) => c.charged === 'unknown') ?? candidates[0];
    if (!call) {
      differences.push({
        kind: 'billed_not_on_ledger',
        line: line.line,
        date: line.date,
        reference: line.reference,
        billed: units(line.amountCents),
        currency: line.currency,
      });
      continue;
    }
    used.add(call);
    if (call.charged === 'unknown' && call.settled) proven.push({ call, line });
    const expectedCents = call.charged === 'free' ? 0 : call.priceCents;
    if (expectedCents !== line.amountCents || (line.currency !== null && line.currency !== call.currency)) {
      differences.push({
        kind: 'price_mismatch',
        line: line.line,
        reference: line.reference,
        entryId: call.entryId,
        ledgerCharge: call.charged,
        billed: units(line.amountCents),
        expected: units(expectedCents),
        currency: call.currency,
      });
    } else {
      matched++;
    }
  }
  for (const call of booked) {
    if (call.charged === 'charged' && !used.has(call) && inPeriod(call, period)) {
      differences.push({
        kind: 'on_ledger_not_billed',
        entryId: call.entryId,
        reference: call.reference,
        bookedAt: call.createdAt.toISOString(),
        expected: units(call.priceCents),
        currency: call.currency,
      });
    }
  }
  return { differences, proven, matched };
}

const inPeriod = (call: BookedCall, period: { from: string; to: string }) =>
  day(call.createdAt) >= period.from && day(call.createdAt) <= period.to;

function periodOf(input: InvoiceImport, lines: InvoiceLine[]): { from: string; to: string } {
  const days = lines.map((l) => l.date).sort();
  for (const [name, value] of [
    ['from', input.from],
    ['to', input.to],
  ] as const) {
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value))
      throw new AppError('invalid_request', { params: { detail: `${name}: must be YYYY-MM-DD` }, param: name });
  }
  const from = input.from ?? days[0];
  const to = input.to ?? days.at(-1);
  if (!from || !to)
    throw new AppError('invalid_request', {
      params: { detail: 'csv: the invoice has no lines; give from and to for an empty period' },
      param: 'csv',
    });
  if (from > to) throw new AppError('invalid_request', { params: { detail: 'from: must not be after to' }, param: 'from' });
  return { from, to };
}
