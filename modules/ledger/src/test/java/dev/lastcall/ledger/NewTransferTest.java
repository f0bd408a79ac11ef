package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NewTransferTest {

    private static final NewTransfer TRANSFER = new NewTransfer("world", "alice", 1000, "EUR", "rent");

    @Test
    void theSameTransferHasTheSameFingerprint() {
        assertThat(new NewTransfer("world", "alice", 1000, "EUR", "rent").fingerprint()).isEqualTo(TRANSFER.fingerprint());
        assertThat(TRANSFER.fingerprint()).hasSize(32);
    }

    @Test
    void everyFieldChangesTheFingerprint() {
        List<NewTransfer> others = List.of(
                new NewTransfer("world2", "alice", 1000, "EUR", "rent"),
                new NewTransfer("world", "alice2", 1000, "EUR", "rent"),
                new NewTransfer("world", "alice", 1001, "EUR", "rent"),
                new NewTransfer("world", "alice", 1000, "USD", "rent"),
                new NewTransfer("world", "alice", 1000, "EUR", "rent2"),
                new NewTransfer("world", "alice", 1000, "EUR", ""),
                new NewTransfer("world", "alice", 1000, "EUR", null),
                new NewTransfer("alice", "world", 1000, "EUR", "rent"));

        assertThat(others).allSatisfy(other -> assertThat(other.fingerprint()).isNotEqualTo(TRANSFER.fingerprint()));
    }

    @Test
    void anAbsentReferenceDiffersFromAnEmptyOrADashOne() {
        assertThat(new NewTransfer("a", "b", 1, "EUR", null).fingerprint())
                .isNotEqualTo(new NewTransfer("a", "b", 1, "EUR", "").fingerprint())
                .isNotEqualTo(new NewTransfer("a", "b", 1, "EUR", "-").fingerprint());
    }
}
