package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SignaturesTest {

    @Test
    void signsLikeTheStandardWebhooksSpecificationsTestVector() {
        assertThat(Signatures.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}"))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aSignatureCoversTheIdTheTimestampAndTheBody() {
        String secret = Signatures.newSecret();
        String signature = Signatures.sign(secret, "id", 100, "{}");
        assertThat(Signatures.sign(secret, "other", 100, "{}")).isNotEqualTo(signature);
        assertThat(Signatures.sign(secret, "id", 101, "{}")).isNotEqualTo(signature);
        assertThat(Signatures.sign(secret, "id", 100, "{ }")).isNotEqualTo(signature);
        assertThat(Signatures.sign(Signatures.newSecret(), "id", 100, "{}")).isNotEqualTo(signature);
    }

    @Test
    void newSecretsAreRandomBytesInTheWhsecForm() {
        String secret = Signatures.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(Signatures.SECRET_BYTES);
        assertThat(Signatures.newSecret()).isNotEqualTo(secret);
    }
}
