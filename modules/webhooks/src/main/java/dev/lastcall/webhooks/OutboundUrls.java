package dev.lastcall.webhooks;

import dev.lastcall.platform.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where a webhook may point: an absolute http or https URL without credentials or fragment, whose
 * host resolves only to public addresses (see {@link AddressPolicy}) unless {@code
 * webhooks.allowPrivateNetworks} is on. Checked when a subscription is made and again before every
 * attempt, because what a name resolves to can change.
 */
@Singleton
final class OutboundUrls {

    static final int MAX_LENGTH = 2048;
    private static final int MAX_PORT = 65535;
    private static final Set<String> SCHEMES = Set.of("http", "https");

    private final boolean allowPrivateNetworks;

    @Inject
    OutboundUrls(WebhookSettings settings) {
        this.allowPrivateNetworks = settings.allowPrivateNetworks();
    }

    /**
     * The URL of a new subscription.
     *
     * @throws ProblemException {@code invalid_url} (400), {@code unresolvable_host} or {@code
     *     private_address} (422)
     */
    URI forSubscription(String raw) {
        URI uri = parse(raw);
        try {
            Optional<String> refusal = refusal(uri);
            if (refusal.isPresent()) {
                throw new ProblemException(422, "private_address", "Address not allowed",
                        refusal.get() + "; webhooks may only call public addresses");
            }
        } catch (UnknownHostException e) {
            throw new ProblemException(422, "unresolvable_host", "Host does not resolve",
                    "the host '%s' does not resolve".formatted(uri.getHost()));
        }
        return uri;
    }

    /**
     * Resolves the URL's host now and says why it must not be called, or empty when it may.
     *
     * @throws UnknownHostException when the host does not resolve
     */
    Optional<String> refusal(URI uri) throws UnknownHostException {
        String host = uri.getHost();
        InetAddress[] addresses = InetAddress.getAllByName(host);
        if (allowPrivateNetworks) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> reason = AddressPolicy.refusal(address);
            if (reason.isPresent()) {
                return Optional.of("%s resolves to %s, a %s address".formatted(host, address.getHostAddress(), reason.get()));
            }
        }
        return Optional.empty();
    }

    private static URI parse(String raw) {
        if (raw.length() > MAX_LENGTH) {
            throw invalid("the URL is longer than %d characters".formatted(MAX_LENGTH));
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw invalid("not a valid URL: " + e.getReason());
        }
        if (uri.getScheme() == null || uri.isOpaque()) {
            throw invalid("must be an absolute http or https URL");
        }
        if (!SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw invalid("the scheme '%s' is not allowed; use http or https".formatted(uri.getScheme()));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid("the URL has no valid host");
        }
        if (Ipv4Notation.isNonCanonical(uri.getHost())) {
            throw invalid("an IPv4 host must be written as four decimal numbers without leading zeros, e.g. 203.0.113.7");
        }
        if (uri.getPort() == 0 || uri.getPort() > MAX_PORT) {
            throw invalid("the port must be from 1 to %d".formatted(MAX_PORT));
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid("the URL must not contain credentials");
        }
        if (uri.getRawFragment() != null) {
            throw invalid("the URL must not have a fragment");
        }
        return uri;
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(400, "invalid_url", "Invalid URL", detail);
    }
}
