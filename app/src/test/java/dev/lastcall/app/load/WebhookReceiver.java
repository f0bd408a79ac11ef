package dev.lastcall.app.load;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver that answers 204 and remembers every {@code webhook-id} it saw, and the
 * {@code traceparent} of each delivery that had one.
 */
public final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final AtomicLong deliveries = new AtomicLong();
    private final Map<String, String> traceparents = new ConcurrentHashMap<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        WebhookReceiver receiver = new WebhookReceiver(server);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hooks", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            if (id != null) {
                receiver.ids.add(id);
                receiver.deliveries.incrementAndGet();
                String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
                if (traceparent != null) {
                    receiver.traceparents.put(id, traceparent);
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return receiver;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    public Set<String> ids() {
        return Set.copyOf(ids);
    }

    /** The {@code traceparent} sent with each delivery that had one, by {@code webhook-id} (the last, if retried). */
    public Map<String, String> traceparents() {
        return Map.copyOf(traceparents);
    }

    public long deliveries() {
        return deliveries.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
