package dev.lastcall.platform.database.internal;

import java.nio.file.Path;
import java.time.Duration;

/** A process that starts the embedded database, writes a row, says so, and waits to be killed. */
final class EmbeddedDatabaseChild {

    static final String READY = "child: ready";
    static final String NOTE = "written by a process that was then killed";

    private EmbeddedDatabaseChild() {}

    public static void main(String[] args) throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        new Database(EmbeddedDatabaseIT.settings(Path.of(args[0])), transactions).start();
        transactions.execute(connection -> connection.createStatement().execute(
                "CREATE TABLE survivor (note text); INSERT INTO survivor VALUES ('" + NOTE + "')"));
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Duration.ofHours(1));
    }
}
