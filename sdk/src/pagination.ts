/** A cursor page as every list route answers it. */
export interface Page<T> {
  object: 'list';
  data: T[];
  hasMore: boolean;
  /** The id to pass as `startingAfter` for the next page (null on the last). */
  nextCursor?: string | null;
}

/**
 * Every item of a cursor-paged list, fetching the next page only when the previous one is used up:
 * `for await (const customer of client.customers.all()) ...`.
 */
export async function* paginate<T>(fetchPage: (startingAfter: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (!page.hasMore || !page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
