package dev.lastcall.platform.testing;

import dev.lastcall.platform.testing.ApiContract.Exchange;
import dev.lastcall.platform.testing.ApiContract.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every exchange the API tests of this JVM make, each checked against {@link ApiContract#shipped}
 * as it happens: a test client calls {@link #check} after each response, so the test that sees
 * code and contract drift apart fails there, naming both. What each test exercised adds up here,
 * for the module's contract test ({@code *ContractIT}, run after the others by {@link
 * ContractTestsLast}) to ask whether every operation it owns was exercised and nothing broke the
 * contract on a thread whose failure no test saw.
 */
public final class ContractExchanges {

    private static final Set<Operation> EXERCISED = ConcurrentHashMap.newKeySet();
    private static final List<String> VIOLATIONS = new ArrayList<>();

    private ContractExchanges() {}

    /** @throws AssertionError naming what in the exchange breaks the contract */
    public static void check(Exchange exchange) {
        ApiContract contract = ApiContract.shipped();
        contract.operation(exchange).ifPresent(EXERCISED::add);
        List<String> violations = contract.violations(exchange);
        if (!violations.isEmpty()) {
            synchronized (VIOLATIONS) {
                VIOLATIONS.addAll(violations);
            }
            throw new AssertionError("the answer breaks the contract (config/openapi.json):\n  "
                    + String.join("\n  ", violations) + "\nexchange: " + exchange);
        }
    }

    /** Everything that broke the contract so far, in this JVM. */
    public static List<String> violations() {
        synchronized (VIOLATIONS) {
            return List.copyOf(VIOLATIONS);
        }
    }

    /** The contract's operations under any of {@code prefixes} (path prefixes) that no exchange so far exercised. */
    public static Set<Operation> notExercised(String... prefixes) {
        return ApiContract.shipped().operations().stream()
                .filter(operation -> Arrays.stream(prefixes).anyMatch(operation.path()::startsWith))
                .filter(operation -> !EXERCISED.contains(operation))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
