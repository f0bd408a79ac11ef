package dev.lastcall.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void leavesAUrlWithoutPasswordAsItIs() {
        assertThat(Redaction.withoutPassword("jdbc:postgresql://db.example:5432/ledger?user=app&ssl=true"))
                .isEqualTo("jdbc:postgresql://db.example:5432/ledger?user=app&ssl=true");
    }

    @Test
    void hidesAPasswordParameterWhereverItStands() {
        assertThat(Redaction.withoutPassword("jdbc:postgresql://db/ledger?password=s3cret&user=app"))
                .isEqualTo("jdbc:postgresql://db/ledger?password=***&user=app");
        assertThat(Redaction.withoutPassword("jdbc:postgresql://db/ledger?user=app&PASSWORD=s3cret"))
                .isEqualTo("jdbc:postgresql://db/ledger?user=app&PASSWORD=***");
    }

    @Test
    void hidesAPasswordBeforeTheHost() {
        assertThat(Redaction.withoutPassword("jdbc:postgresql://app:s3cret@db:5432/ledger"))
                .isEqualTo("jdbc:postgresql://app:***@db:5432/ledger");
    }
}
