/**
 * A statement server Postgres parses and plans once per connection, then reuses: for the few fixed statements
 * every verification runs (parse and plan were ~40% of their server time). Other statements stay plain text,
 * so a connection never holds an unbounded set of them. PGlite runs the text.
 */
export interface Prepared {
  /** Unique per text, for the life of the process. */
  name: string;
  text: string;
}

export type Sql = string | Prepared;

export const textOf = (sql: Sql): string => (typeof sql === 'string' ? sql : sql.text);
