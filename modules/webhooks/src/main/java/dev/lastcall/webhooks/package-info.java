/**
 * Webhooks: tells subscribers' URLs about ledger events. A subscriber registers a URL and the
 * event types it wants ({@code /v1/webhooks}) and gets a secret; every {@code transfer.created}
 * event the ledger publishes to the outbox is fanned out into one delivery per matching
 * subscription, in the same transaction that takes the event, and delivered by a background job as
 * a signed POST following the Standard Webhooks specification. Delivery is at least once: a
 * delivery is marked delivered only after the receiver's 2xx, failures are retried with
 * exponential backoff, a claimed delivery is leased so two processes never send it at the same
 * time, and a run cut by shutdown leaves its deliveries for the next process. Outbound requests go
 * only to public http(s) addresses unless {@code webhooks.allowPrivateNetworks} is set, and never
 * follow redirects.
 *
 * <p>{@link dev.lastcall.webhooks.WebhooksModule} is the only public class.
 */
@NullMarked
package dev.lastcall.webhooks;

import org.jspecify.annotations.NullMarked;
