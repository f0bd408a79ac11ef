package dev.lastcall.ledger;

import dev.lastcall.platform.http.WarmUp;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;

/**
 * What a reload's successor serves itself before it takes the clients ({@link WarmUp}): an
 * account and its transfers, read, and a transfer refused (amount 0) before it reaches the
 * database. None of it writes anything.
 */
final class LedgerWarmUp implements WarmUp.Source {

    private static final String NO_SUCH_ACCOUNT = "warm-up";

    private final Accounts accounts;

    @Inject
    LedgerWarmUp(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public List<WarmUp.Request> requests() {
        String code = accounts.firstCode().orElse(NO_SUCH_ACCOUNT);
        String refused = "{\"from\":\"%s\",\"to\":\"%s\",\"amount\":0,\"currency\":\"EUR\",\"reference\":\"warm-up\"}"
                .formatted(code, NO_SUCH_ACCOUNT);
        return List.of(
                WarmUp.Request.get("/v1/accounts/" + code),
                WarmUp.Request.get("/v1/accounts/" + code + "/transfers"),
                WarmUp.Request.post("/v1/transfers", Map.of(IdempotencyKey.HEADER, NO_SUCH_ACCOUNT), refused));
    }
}
