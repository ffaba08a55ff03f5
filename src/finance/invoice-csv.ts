import { parse } from 'csv-parse/sync';

/** One billed line of a vendor invoice. */
export interface InvoiceLine {
  /** 1-based line of the file, the header being line 1: what finance looks up in the vendor's file. */
  line: number;
  /** UTC day of the call, YYYY-MM-DD. */
  date: string;
  /** The vendor's reference for the call: AccuAuth's order_no, iDenfy's scanRef, Lapis' request or document id. */
  reference: string;
  /** Billed amount in cents (hundredths of the currency unit), exact. */
  amountCents: number;
  /** ISO 4217 code when the file has a currency column. */
  currency: string | null;
}

/** A file that is not a readable invoice; the message names the line and column. */
export class InvoiceFormatError extends Error {
  override name = 'InvoiceFormatError';
}

/** Header names accepted for each column (vendors name them differently), compared case-insensitively. */
const COLUMNS = {
  date: ['date', 'day', 'billed_at', 'created_at'],
  reference: ['reference', 'vendor_reference', 'order_no', 'orderno', 'scanref', 'scan_ref', 'request_id', 'requestid', 'id'],
  amount: ['amount', 'price', 'charge', 'total'],
  currency: ['currency'],
} as const;

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

/** Largest invoice accepted, in lines: a month of calls at a busy vendor fits many times over. */
export const MAX_INVOICE_LINES = 200_000;

/**
 * Reads a vendor invoice CSV (RFC 4180: quoted fields, CRLF or LF, a header row naming at least a date, a
 * reference and an amount column; more columns are ignored). Amounts are plain decimals with at most two
 * places (`3500`, `3500.00`); anything else is refused with its line rather than guessed at.
 */
export function parseInvoiceCsv(text: string): InvoiceLine[] {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (err) {
    throw new InvoiceFormatError(`not a CSV file: ${(err as Error).message}`);
  }
  const [header, ...body] = rows;
  if (!header) throw new InvoiceFormatError('the file is empty: expected a header row with date, reference and amount');
  if (body.length > MAX_INVOICE_LINES) throw new InvoiceFormatError(`more than ${MAX_INVOICE_LINES} lines`);
  const names = header.map((h) => h.toLowerCase());
  const column = (name: keyof typeof COLUMNS, required: boolean): number => {
    const index = names.findIndex((h) => (COLUMNS[name] as readonly string[]).includes(h));
    if (index < 0 && required) throw new InvoiceFormatError(`line 1: no ${name} column (one of ${COLUMNS[name].join(', ')})`);
    return index;
  };
  const at = {
    date: column('date', true),
    reference: column('reference', true),
    amount: column('amount', true),
    currency: column('currency', false),
  };
  return body.map((row, i) => {
    const line = i + 2;
    const date = DATE.exec(row[at.date] ?? '')?.[1];
    if (!date || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new InvoiceFormatError(`line ${line}: date must be YYYY-MM-DD`);
    const reference = row[at.reference] ?? '';
    if (reference === '' || reference.length > 200) throw new InvoiceFormatError(`line ${line}: reference must be 1 to 200 characters`);
    const amount = AMOUNT.exec(row[at.amount] ?? '');
    if (!amount) throw new InvoiceFormatError(`line ${line}: amount must be a plain decimal such as 3500 or 3500.00`);
    const amountCents = Number(amount[1]) * 100 + Number((amount[2] ?? '0').padEnd(2, '0'));
    if (!Number.isSafeInteger(amountCents)) throw new InvoiceFormatError(`line ${line}: amount too large`);
    const currency = at.currency >= 0 ? (row[at.currency] ?? '').toUpperCase() : null;
    if (currency !== null && !/^[A-Z]{3}$/.test(currency)) throw new InvoiceFormatError(`line ${line}: currency must be an ISO 4217 code`);
    return { line, date, reference, amountCents, currency };
  });
}
