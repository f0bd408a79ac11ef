package dev.lastcall.platform.database;

import java.sql.SQLException;

/**
 * A database error that is no fault of the client: the HTTP layer logs it and answers 500. Its
 * message names only the SQLState; the SQL and its values stay in the cause, for the log.
 */
public final class DatabaseException extends RuntimeException {

    public DatabaseException(SQLException cause) {
        super("database error (SQLState " + cause.getSQLState() + ")", cause);
    }
}
