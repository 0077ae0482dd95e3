/**
 * The central site's database over JDBC (seed 003 FIG. 4 and 8: the contents identifier file, the
 * user profile database, billing): Flyway migrations in {@code db/migration} valid on H2 and
 * PostgreSQL, and the transactions that issue a copy with its bill.
 */
package dev.secdrive.center.store;
