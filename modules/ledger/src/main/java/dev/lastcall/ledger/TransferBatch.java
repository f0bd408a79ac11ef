package dev.lastcall.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.ledger.TransferAnswer.KeyInUse;
import dev.lastcall.ledger.TransferAnswer.KeyReused;
import dev.lastcall.ledger.TransferAnswer.Stored;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.TransferCreated;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Applies transfers, in the order given, in the caller's transaction, with six statements in two
 * round trips however many there are: take their Idempotency-Keys, read the keys already stored,
 * lock every account involved (in id order, so two batches cannot deadlock) and draw ids in the
 * first; write transfers, entries, balances, keys and events in the second. Each transfer is decided on
 * the balances the ones before it left, and a refused one changes nothing but its own key; the
 * same key twice gets the first one's answer. Can run again from the start, as {@code
 * Transactions} does after a serialization failure or deadlock.
 */
final class TransferBatch {

    private static final String LOCK_KEYS = """
            SELECT k.key, pg_try_advisory_xact_lock(hashtextextended(k.key, 0))
            FROM unnest(?::text[]) WITH ORDINALITY AS k(key, position)
            ORDER BY k.position""";
    private static final String STORED_KEYS = """
            SELECT idempotency_key, fingerprint, response_status, response_body, transfer_id
            FROM ledger_idempotency_key WHERE idempotency_key = ANY (?::text[])""";
    private static final String LOCK_ACCOUNTS = """
            SELECT id, code, currency, balance, allow_negative FROM ledger_account
            WHERE code = ANY (?::text[])
            ORDER BY id
            FOR UPDATE""";
    /** One id per key, drawn holding the account locks, so that ids on one account follow the order applied. */
    private static final String NUMBER_TRANSFERS = """
            SELECT nextval(pg_get_serial_sequence('ledger_transfer', 'id')), now()
            FROM generate_series(1, ?)""";
    /** Balances are written as the decisions left them: the accounts are locked, so nothing else moved them. */
    private static final String WRITE = """
            WITH transfers AS (
                INSERT INTO ledger_transfer (id, from_account_id, to_account_id, amount, currency, reference)
                OVERRIDING SYSTEM VALUE
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[])
            ), entries AS (
                INSERT INTO ledger_entry (account_id, transfer_id, amount)
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[])
            ), balances AS (
                UPDATE ledger_account a SET balance = b.balance
                FROM unnest(?::bigint[], ?::bigint[]) AS b(id, balance)
                WHERE a.id = b.id
            )
            INSERT INTO ledger_idempotency_key (idempotency_key, fingerprint, response_status, response_body, transfer_id)
            SELECT k.key, decode(k.fingerprint, 'hex'), k.status, k.body, k.transfer_id
            FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::bigint[]) AS k(key, fingerprint, status, body, transfer_id)""";

    /** One transfer request in a batch, with the trace its event continues ({@code traceparent}, or null). */
    record Request(IdempotencyKey key, NewTransfer transfer, byte[] fingerprint, @Nullable String traceparent) {}

    private final Connection connection;
    private final Outbox outbox;
    private final ObjectMapper mapper;

    private TransferBatch(Connection connection, Outbox outbox, ObjectMapper mapper) {
        this.connection = connection;
        this.outbox = outbox;
        this.mapper = mapper;
    }

    /** The answers, one per request in the same order; nothing is committed here. */
    static List<TransferAnswer> apply(Connection connection, Outbox outbox, ObjectMapper mapper, List<Request> requests)
            throws SQLException {
        return new TransferBatch(connection, outbox, mapper).apply(requests);
    }

    private List<TransferAnswer> apply(List<Request> requests) throws SQLException {
        Locked read = lockAndRead(requests);
        Set<String> locked = read.keys();
        Map<String, StoredKey> stored = read.stored();
        TransferAnswer[] answers = new TransferAnswer[requests.size()];
        Map<String, Integer> firstWithKey = new HashMap<>();
        List<Integer> toDecide = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Request request = requests.get(i);
            String key = request.key().value();
            Integer first = firstWithKey.putIfAbsent(key, i);
            if (first != null) {
                continue; // answered below, once the first request with its key has its answer
            }
            StoredKey previous = stored.get(key);
            if (!locked.contains(key)) {
                answers[i] = new KeyInUse();
            } else if (previous != null) {
                answers[i] = Arrays.equals(previous.fingerprint(), request.fingerprint())
                        ? previous.answer().replay() : new KeyReused();
            } else {
                toDecide.add(i);
            }
        }
        Map<String, LockedAccount> accounts = read.accounts();
        List<Decided> written = new ArrayList<>();
        for (int i : toDecide) {
            Decision decision = decide(requests.get(i).transfer(), accounts);
            if (decision instanceof Refused refused) {
                answers[i] = refused.answer();
            } else {
                written.add(new Decided(i, (Accepted) decision));
            }
        }
        write(requests, answers, toDecide, number(written, read.ids(), read.now()), accounts);
        for (int i = 0; i < requests.size(); i++) {
            if (answers[i] == null) {
                answers[i] = sameKeyAgain(requests, answers, firstWithKey, i);
            }
        }
        return List.of(answers);
    }

    /** A key seen earlier in the batch: the earlier request's answer if the request is the same. */
    private static TransferAnswer sameKeyAgain(List<Request> requests, TransferAnswer[] answers,
            Map<String, Integer> firstWithKey, int i) {
        int first = firstWithKey.get(requests.get(i).key().value());
        if (!Arrays.equals(requests.get(first).fingerprint(), requests.get(i).fingerprint())) {
            return answers[first] instanceof KeyInUse ? answers[first] : new KeyReused();
        }
        return answers[first] instanceof Stored answer ? answer.replay() : answers[first];
    }

    private record Locked(Set<String> keys, Map<String, StoredKey> stored, Map<String, LockedAccount> accounts,
            List<Long> ids, Instant now) {}

    /**
     * One round trip, four statements: transaction-scoped advisory locks on the keys (a request
     * whose key another transaction holds is told the key is in use instead of waiting), the keys
     * already stored, a lock on every account any request names, and an id for each key. The keys
     * are read in a statement after the one that locked them, so that its snapshot (READ COMMITTED
     * takes one per statement) sees whatever the previous holder committed before it let go. The
     * accounts of a request that turns out to be a replay are locked too, and ids drawn for it are
     * left unused (a sequence has gaps anyway), for nothing but fewer round trips.
     */
    private Locked lockAndRead(List<Request> requests) throws SQLException {
        String[] keys = requests.stream().map(r -> r.key().value()).distinct().toArray(String[]::new);
        String[] codes = requests.stream().flatMap(r -> Stream.of(r.transfer().from(), r.transfer().to()))
                .distinct().toArray(String[]::new);
        try (PreparedStatement statements = connection.prepareStatement(
                String.join(";\n", LOCK_KEYS, STORED_KEYS, LOCK_ACCOUNTS, NUMBER_TRANSFERS))) {
            Array keyArray = connection.createArrayOf("text", keys);
            statements.setArray(1, keyArray);
            statements.setArray(2, keyArray);
            statements.setArray(3, connection.createArrayOf("text", codes));
            statements.setInt(4, keys.length);
            statements.execute();
            Set<String> locked = lockedKeys(statements.getResultSet());
            statements.getMoreResults();
            Map<String, StoredKey> stored = storedKeys(statements.getResultSet());
            statements.getMoreResults();
            Map<String, LockedAccount> accounts = lockedAccounts(statements.getResultSet());
            statements.getMoreResults();
            List<Long> ids = new ArrayList<>(keys.length);
            Instant now = null;
            try (ResultSet rows = statements.getResultSet()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                    now = rows.getTimestamp(2).toInstant();
                }
            }
            ids.sort(null);
            return new Locked(locked, stored, accounts, ids, now);
        }
    }

    private static Set<String> lockedKeys(ResultSet rows) throws SQLException {
        Set<String> locked = new LinkedHashSet<>();
        while (rows.next()) {
            if (rows.getBoolean(2)) {
                locked.add(rows.getString(1));
            }
        }
        return locked;
    }

    private static Map<String, StoredKey> storedKeys(ResultSet rows) throws SQLException {
        Map<String, StoredKey> stored = new HashMap<>();
        while (rows.next()) {
            stored.put(rows.getString(1), new StoredKey(rows.getBytes(2), new Stored(rows.getInt(3), rows.getString(4),
                    rows.getObject(5, Long.class), false)));
        }
        return stored;
    }

    private static Map<String, LockedAccount> lockedAccounts(ResultSet rows) throws SQLException {
        Map<String, LockedAccount> accounts = new HashMap<>();
        while (rows.next()) {
            LockedAccount account = new LockedAccount(rows.getLong(1), rows.getString(2), rows.getString(3),
                    rows.getLong(4), rows.getBoolean(5));
            accounts.put(account.code, account);
        }
        return accounts;
    }

    private sealed interface Decision {}

    private record Refused(Stored answer) implements Decision {}

    private record Accepted(LockedAccount from, LockedAccount to, NewTransfer transfer) implements Decision {}

    private record Decided(int index, Accepted transfer) {}

    /** The rules, on the balances as the transfers before this one in the batch left them. */
    private Decision decide(NewTransfer transfer, Map<String, LockedAccount> accounts) {
        if (transfer.from().equals(transfer.to())) {
            return refusal(422, "same_account", "Same account", "from and to are the same account");
        }
        LockedAccount from = accounts.get(transfer.from());
        LockedAccount to = accounts.get(transfer.to());
        if (from == null || to == null) {
            return refusal(422, "account_not_found", "Account not found",
                    "no account with code '%s'".formatted(from == null ? transfer.from() : transfer.to()));
        }
        if (!from.currency.equals(transfer.currency()) || !to.currency.equals(transfer.currency())) {
            return refusal(422, "currency_mismatch", "Currency mismatch",
                    "the transfer is in %s, but '%s' is in %s and '%s' is in %s".formatted(transfer.currency(),
                            from.code, from.currency, to.code, to.currency));
        }
        if (!from.allowNegative && from.balance < transfer.amount()) {
            return refusal(409, "insufficient_funds", "Insufficient funds",
                    "account '%s' has %d, less than %d".formatted(from.code, from.balance, transfer.amount()));
        }
        if (from.balance < Long.MIN_VALUE + transfer.amount() || to.balance > Long.MAX_VALUE - transfer.amount()) {
            return refusal(422, "balance_out_of_range", "Balance out of range",
                    "the transfer would take a balance beyond the range of a 64-bit integer");
        }
        from.balance -= transfer.amount();
        to.balance += transfer.amount();
        from.moved = true;
        to.moved = true;
        return new Accepted(from, to, transfer);
    }

    private record Numbered(Decided decided, Transfer transfer) {}

    /**
     * Writes the accepted transfers with their entries and balances, every decided key, and the
     * events, in one round trip.
     */
    private void write(List<Request> requests, TransferAnswer[] answers, List<Integer> decided,
            List<Numbered> accepted, Map<String, LockedAccount> accounts) throws SQLException {
        int n = accepted.size();
        Long[] ids = new Long[n];
        Long[] fromIds = new Long[n];
        Long[] toIds = new Long[n];
        Long[] amounts = new Long[n];
        String[] currencies = new String[n];
        String[] references = new String[n];
        Long[] entryAccounts = new Long[2 * n];
        Long[] entryTransfers = new Long[2 * n];
        Long[] entryAmounts = new Long[2 * n];
        List<Outbox.Publication> events = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            Transfer transfer = accepted.get(t).transfer();
            Accepted decision = accepted.get(t).decided().transfer();
            ids[t] = transfer.id();
            fromIds[t] = decision.from().id;
            toIds[t] = decision.to().id;
            amounts[t] = transfer.amount();
            currencies[t] = transfer.currency();
            references[t] = transfer.reference();
            entryAccounts[2 * t] = decision.from().id;
            entryTransfers[2 * t] = transfer.id();
            entryAmounts[2 * t] = -transfer.amount();
            entryAccounts[2 * t + 1] = decision.to().id;
            entryTransfers[2 * t + 1] = transfer.id();
            entryAmounts[2 * t + 1] = transfer.amount();
            int index = accepted.get(t).decided().index();
            answers[index] = new Stored(201, json(transfer), transfer.id(), false);
            events.add(new Outbox.Publication(transfer.created(), requests.get(index).traceparent()));
        }
        List<LockedAccount> moved = accounts.values().stream().filter(a -> a.moved).toList();
        Long[] balanceIds = moved.stream().map(a -> a.id).toArray(Long[]::new);
        Long[] balances = moved.stream().map(a -> a.balance).toArray(Long[]::new);
        int k = decided.size();
        String[] keys = new String[k];
        String[] fingerprints = new String[k];
        Integer[] statuses = new Integer[k];
        String[] bodies = new String[k];
        Long[] transferIds = new Long[k];
        for (int j = 0; j < k; j++) {
            int i = decided.get(j);
            Stored answer = (Stored) answers[i];
            keys[j] = requests.get(i).key().value();
            fingerprints[j] = HexFormat.of().formatHex(requests.get(i).fingerprint());
            statuses[j] = answer.status();
            bodies[j] = answer.body();
            transferIds[j] = answer.transferId();
        }
        if (k == 0) {
            return;
        }
        Outbox.Events published = n > 0 ? outbox.events(connection, TransferCreated.TYPE, events) : null;
        try (PreparedStatement write = connection.prepareStatement(
                published == null ? WRITE : WRITE + ";\n" + published.sql())) {
            int p = 0;
            for (Object[] column : new Object[][] {ids, fromIds, toIds, amounts}) {
                write.setArray(++p, connection.createArrayOf("bigint", column));
            }
            write.setArray(++p, connection.createArrayOf("text", currencies));
            write.setArray(++p, connection.createArrayOf("text", references));
            for (Object[] column : new Object[][] {entryAccounts, entryTransfers, entryAmounts, balanceIds, balances}) {
                write.setArray(++p, connection.createArrayOf("bigint", column));
            }
            write.setArray(++p, connection.createArrayOf("text", keys));
            write.setArray(++p, connection.createArrayOf("text", fingerprints));
            write.setArray(++p, connection.createArrayOf("int", statuses));
            write.setArray(++p, connection.createArrayOf("text", bodies));
            write.setArray(++p, connection.createArrayOf("bigint", transferIds));
            if (published != null) {
                published.bind(write, p + 1);
            }
            write.execute();
        }
    }

    /** The accepted transfers with ids in the order they were decided, and the transaction's time. */
    private static List<Numbered> number(List<Decided> accepted, List<Long> ids, Instant now) {
        List<Numbered> numbered = new ArrayList<>(accepted.size());
        for (int t = 0; t < accepted.size(); t++) {
            NewTransfer transfer = accepted.get(t).transfer().transfer();
            numbered.add(new Numbered(accepted.get(t), new Transfer(ids.get(t), transfer.from(), transfer.to(),
                    transfer.amount(), transfer.currency(), transfer.reference(), now)));
        }
        return numbered;
    }

    private Refused refusal(int status, String code, String title, String detail) {
        return new Refused(new Stored(status, json(Problem.of(status, code, title, detail)), null, false, code));
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** An account as locked at the batch's start; {@code balance} follows the batch's decisions. */
    private static final class LockedAccount {
        final long id;
        final String code;
        final String currency;
        final boolean allowNegative;
        long balance;
        boolean moved;

        LockedAccount(long id, String code, String currency, long balance, boolean allowNegative) {
            this.id = id;
            this.code = code;
            this.currency = currency;
            this.balance = balance;
            this.allowNegative = allowNegative;
        }
    }

    private record StoredKey(byte[] fingerprint, Stored answer) {}
}
