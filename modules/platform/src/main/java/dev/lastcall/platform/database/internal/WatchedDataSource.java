package dev.lastcall.platform.database.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where the pool opens its connections. A connection attempt that fails because the database
 * cannot be reached tells {@link DatabaseAvailability} at once. While it is down, the pool's
 * attempts wait here instead of failing: HikariCP backs off ever longer (up to {@code
 * db.connectTimeout}) after each failure, which would delay the recovery; the prober tries in
 * its place, and the waiting attempt goes ahead the moment the database answers again.
 */
final class WatchedDataSource implements DataSource {

    private final DataSource driver;
    private final DatabaseAvailability availability;

    WatchedDataSource(DataSource driver, DatabaseAvailability availability) {
        this.driver = driver;
        this.availability = availability;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            if (!availability.awaitAvailable()) {
                throw new SQLTransientConnectionException("the database is unreachable and the pool is closing", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for the database", "08001", e);
        }
        try {
            return driver.getConnection();
        } catch (SQLException e) {
            if (SqlStates.databaseUnavailable(e)) {
                availability.unreachable(Failures.oneLine(e));
            }
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool's credentials are set on the data source");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return driver.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        driver.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        driver.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return driver.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return driver.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || driver.isWrapperFor(type);
    }
}
