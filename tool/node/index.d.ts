/** The absolute path of the libmig extension bundled for this platform. */
export function getLoadablePath(): string;

/** Loads libmig into an open database connection (better-sqlite3, libsql); returns it. */
export function load<T extends { loadExtension(path: string): unknown }>(db: T): T;
