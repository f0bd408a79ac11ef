/**
 * The database: PostgreSQL through HikariCP, migrated by Flyway from {@code db/}, embedded when no
 * URL is configured. Modules reach it only through {@link dev.lastcall.platform.database.Transactions}.
 */
@NullMarked
package dev.lastcall.platform.database;

import org.jspecify.annotations.NullMarked;
