/**
 * The central site's database over JDBC (seed 003 FIG. 4 and 8: the contents identifier file, the
 * user profile database, billing): Flyway migrations in {@code db/migration} valid on H2 and
 * PostgreSQL, and the transactions that issue a copy with its bill. Shared with the distributors:
 * {@link dev.secdrive.center.store.Database} (a pool and its transactions) and {@link
 * dev.secdrive.center.store.Batcher} (group commit: the requests waiting at a moment in one
 * transaction).
 */
package dev.secdrive.center.store;
