package dev.lastcall.app.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hostile requests, generated from tables (fields × bad values, paths × methods, …). The
 * service they run against has the accounts {@code world} and {@code alice} (EUR) and transfer 1.
 */
final class HostileCases {

    static final String ACCOUNTS = "/v1/accounts";
    static final String ALICE = "/v1/accounts/alice";
    static final String ALICES_TRANSFERS = "/v1/accounts/alice/transfers";
    static final String TRANSFERS = "/v1/transfers";
    static final String TRANSFER_1 = "/v1/transfers/1";
    static final String WEBHOOKS = "/v1/webhooks";
    static final String WEBHOOK = "/v1/webhooks/00000000-0000-4000-8000-000000000000";
    static final String DELIVERIES = WEBHOOK + "/deliveries";

    /** Bodies that pass every check but the last business rule: a refusal, never a write. */
    private static final Map<String, String> REFUSED_BUT_WELL_FORMED = Map.of(
            ACCOUNTS, "{\"code\":\"alice\",\"currency\":\"EUR\"}",
            TRANSFERS, "{\"from\":\"nobody\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\"}",
            WEBHOOKS, "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"transfer.created\"]}");
    private static final Map<String, Integer> REFUSED_STATUS = Map.of(ACCOUNTS, 409, TRANSFERS, 422, WEBHOOKS, 422);

    private final List<HostileCase> cases = new ArrayList<>();
    private final AtomicInteger keys = new AtomicInteger();

    static List<HostileCase> all() {
        HostileCases table = new HostileCases();
        table.malformedJson();
        table.encodings();
        table.nestingAndSize();
        table.accountFields();
        table.transferFields();
        table.webhookFields();
        table.webhookUrls();
        table.contentTypes();
        table.idempotencyKeys();
        table.methods();
        table.unknownPaths();
        table.adminPort();
        table.versions();
        table.oddPaths();
        table.queries();
        table.framing();
        table.smuggling();
        table.headerLimits();
        table.slowClients();
        table.authorization();
        return table.cases;
    }

    private HostileCase.Builder post(String name, String path) {
        HostileCase.Builder builder = HostileCase.named(name).request("POST", path);
        if (path.equals(TRANSFERS)) {
            builder.header("Idempotency-Key: hostile-" + keys.incrementAndGet());
        }
        return builder;
    }

    private void add(HostileCase.Builder builder) {
        cases.add(builder.build());
    }

    private static final List<String> WRITE_PATHS = List.of(ACCOUNTS, TRANSFERS, WEBHOOKS);

    private void malformedJson() {
        List<String> bodies = List.of("", " ", "{", "}", "[", "]", "{\"code\":}", "{\"code\"}", "{code:\"a\"}",
                "{'code':'a'}", "{\"code\":\"a\",}", "[1,]", "{\"a\":1}{\"b\":2}", "{\"a\":1} x", "nul", "null",
                "true", "1", "\"text\"", "[]", "{} {}", "/* c */ {}", "{\"code\":\"a\" // c\n}", "{\"code\":NaN}",
                "{\"code\":Infinity}", "{\"code\":\"\\x41\"}", "{\"code\":\"\\ud800\"}", "{\"code\":\"\t\"}",
                "{\"\u0000\":1}", "{\"code\":\"a\"\u0000}", "\u0000", "{\"code\":\"a\",\"code\":\"b\"}", "{}",
                "{\"code\":\"a\"", "{\"code\":\"a\\\"}", "{\"code\" \"a\"}", "{\"code\":'a'}", "{,}", "[{}]",
                "{\"code\":-}", "{\"code\":01}", "{\"code\":0x10}", "{\"code\":+1}", "{\"code\":.5}", "\uFEFF\uFEFF{}");
        for (String path : WRITE_PATHS) {
            for (String body : bodies) {
                add(post("malformed JSON " + abbreviate(body) + " to " + path, path).json(body).expect(400, null));
            }
        }
    }

    private void encodings() {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("invalid UTF-8 continuation", bytes("{\"code\":\"a", 0xC3, 0x28, "\",\"currency\":\"EUR\"}"));
        bodies.put("overlong UTF-8 slash", bytes("{\"code\":\"a", 0xC0, 0xAF, "\",\"currency\":\"EUR\"}"));
        bodies.put("UTF-8 encoded surrogate (CESU-8)", bytes("{\"code\":\"a", 0xED, 0xA0, 0x80, "\",\"currency\":\"EUR\"}"));
        bodies.put("five-byte UTF-8", bytes("{\"code\":\"a", 0xF8, 0x88, 0x80, 0x80, 0x80, "\",\"currency\":\"EUR\"}"));
        bodies.put("Latin-1 e-acute", bytes("{\"code\":\"caf", 0xE9, "\",\"currency\":\"EUR\"}"));
        bodies.put("lone continuation byte", bytes(0x80, "{\"code\":\"a\"}"));
        bodies.put("UTF-16LE with BOM", concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                "{\"code\":\"utf16\",\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_16LE)));
        bodies.put("UTF-16BE without BOM", "{\"code\":\"utf16\",\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_16BE));
        bodies.put("UTF-32LE", utf32le("{\"code\":\"utf32\",\"currency\":\"EUR\"}"));
        bodies.put("UTF-8 BOM then an empty object", bytes(0xEF, 0xBB, 0xBF, "{}"));
        bodies.put("UTF-8 BOM then invalid UTF-8", bytes(0xEF, 0xBB, 0xBF, "{\"code\":\"", 0xFF, "\"}"));
        bodies.put("truncated multi-byte at the end", bytes("{\"code\":\"a\"}", 0xE2, 0x82));
        for (String path : WRITE_PATHS) {
            bodies.forEach((name, body) -> add(post(name + " to " + path, path)
                    .header("Content-Type: application/json").body(body).expect(400, null)));
            String refused = REFUSED_BUT_WELL_FORMED.get(path);
            add(post("UTF-8 BOM before a well-formed body to " + path, path).header("Content-Type: application/json")
                    .body(concat(bytes(0xEF, 0xBB, 0xBF), refused.getBytes(StandardCharsets.UTF_8)))
                    .expect(REFUSED_STATUS.get(path), null));
        }
    }

    private void nestingAndSize() {
        for (String path : WRITE_PATHS) {
            add(post("arrays nested 100000 deep to " + path, path).json("[".repeat(100_000) + "]".repeat(100_000)).expect(400, "invalid_request"));
            add(post("objects nested 5000 deep to " + path, path).json("{\"a\":".repeat(5000) + "1" + "}".repeat(5000)).expect(400, "invalid_request"));
            add(post("a field nested 2000 deep to " + path, path).json("{\"code\":" + "[".repeat(2000) + "]".repeat(2000) + "}").expect(400, "invalid_request"));
            add(post("a number of 100000 digits to " + path, path).json("{\"amount\":" + "9".repeat(100_000) + "}").expect(400, "invalid_request"));
            add(post("a key of 100000 characters to " + path, path).json("{\"" + "k".repeat(100_000) + "\":1}").expect(400, "invalid_request"));
            add(post("a string of 900000 characters to " + path, path).json("{\"code\":\"" + "a".repeat(900_000) + "\"}").expect(400, "invalid_request"));
            add(post("an array of 100000 numbers to " + path, path).json("{\"events\":[" + "1,".repeat(99_999) + "1]}").expect(400, null));
            add(post("a body one byte over 1MiB to " + path, path).json("{\"code\":\"" + "a".repeat(1024 * 1024 - 10) + "\"}").expect(413, "payload_too_large"));
            add(post("a chunked body over 1MiB to " + path, path).header("Content-Type: application/json")
                    .header("Transfer-Encoding: chunked").noContentLength()
                    .body(chunk("{\"code\":\"" + "a".repeat(1024 * 1024) + "\"}")).expect(413, "payload_too_large"));
            add(post("Content-Length of 2MiB, body not sent, to " + path, path).header("Content-Type: application/json")
                    .header("Content-Length: 2097152").noContentLength().body(new byte[] {'{'}).expect(413, "payload_too_large"));
        }
    }

    private static final List<String> BAD_CODES = List.of("null", "true", "1", "1.5", "\"\"", "\" \"", "\"a b\"",
            "\"a/b\"", "\"\u00e4\"", "\"" + "a".repeat(65) + "\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\n\"",
            "\"<script>\"", "\"'; DROP TABLE ledger_account;--\"", "\"%00\"", "\"../x\"", "[]", "{}", "\"\\ud83d\\ude00\"",
            "\"\\u202eabc\"", "[\"alice\"]", "{\"code\":\"alice\"}", "\"alice\\r\\nX: y\"", "\"\\ud800\"");

    private static final List<String> BAD_CURRENCIES = List.of("null", "\"\"", "\"eur\"", "\"EURO\"", "\"EU\"",
            "\"E1R\"", "\"\u20ac\"", "978", "true", "[]", "{}", "\" EUR\"", "\"EUR \"", "\"\\u0000UR\"", "\"\u0415UR\"",
            "[\"EUR\"]");

    private void accountFields() {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        fields.put("code", BAD_CODES);
        fields.put("currency", BAD_CURRENCIES);
        fields.put("allowNegative", List.of("\"true\"", "1", "0", "\"yes\"", "[]", "{}", "1.0", "\"\"", "[true]"));
        AtomicInteger n = new AtomicInteger();
        fields.forEach((field, values) -> values.forEach(value -> {
            Map<String, String> body = new LinkedHashMap<>(Map.of("code", "\"hostile-account-" + n.incrementAndGet() + "\"",
                    "currency", "\"EUR\""));
            body.put(field, value);
            add(post("account " + field + " = " + abbreviate(value), ACCOUNTS).json(object(body)).expect(400, "invalid_request"));
        }));
        add(post("account with an unknown field", ACCOUNTS).json("{\"code\":\"hostile-u\",\"currency\":\"EUR\",\"admin\":true}").expect(400, "invalid_request"));
        add(post("account without code", ACCOUNTS).json("{\"currency\":\"EUR\"}").expect(400, "invalid_request"));
        add(post("account without currency", ACCOUNTS).json("{\"code\":\"hostile-nc\"}").expect(400, "invalid_request"));
        add(post("account with balance set", ACCOUNTS).json("{\"code\":\"hostile-b\",\"currency\":\"EUR\",\"balance\":100}").expect(400, "invalid_request"));
        add(post("account with an id set", ACCOUNTS).json("{\"code\":\"hostile-i\",\"currency\":\"EUR\",\"id\":1}").expect(400, "invalid_request"));
    }

    private void transferFields() {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        fields.put("from", BAD_CODES);
        fields.put("to", BAD_CODES);
        fields.put("amount", List.of("0", "-1", "9007199254740992", "1e400", "1.5", "1e2", "1E+2", "\"1\"", "null",
                "true", "[]", "{}", "-0", "1.0", "99999999999999999999999999", "-9223372036854775809",
                "9223372036854775807", "-9223372036854775808", "1e-400", "[1]", "\"\"", "0.0"));
        fields.put("currency", BAD_CURRENCIES);
        fields.put("reference", List.of("\"" + "r".repeat(256) + "\"", "1", "true", "[]", "{}", "\"\\u0000\"", "\"a\\u0000b\"",
                "[\"r\"]"));
        fields.forEach((field, values) -> values.forEach(value -> {
            Map<String, String> body = new LinkedHashMap<>(Map.of("from", "\"world\"", "to", "\"alice\"", "amount", "1",
                    "currency", "\"EUR\"", "reference", "\"hostile\""));
            body.put(field, value);
            add(post("transfer " + field + " = " + abbreviate(value), TRANSFERS).json(object(body)).expect(400, "invalid_request"));
        }));
        add(post("transfer with an unknown field", TRANSFERS)
                .json("{\"from\":\"world\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\",\"fee\":0}").expect(400, "invalid_request"));
        add(post("transfer with an id set", TRANSFERS)
                .json("{\"id\":1,\"from\":\"world\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\"}").expect(400, "invalid_request"));
        for (String missing : List.of("from", "to", "amount", "currency")) {
            Map<String, String> body = new LinkedHashMap<>(Map.of("from", "\"world\"", "to", "\"alice\"", "amount", "1", "currency", "\"EUR\""));
            body.remove(missing);
            add(post("transfer without " + missing, TRANSFERS).json(object(body)).expect(400, "invalid_request"));
        }
        add(post("transfer from an account to itself", TRANSFERS)
                .json("{\"from\":\"alice\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\"}").expect(422, "same_account"));
        add(post("transfer more than alice has", TRANSFERS)
                .json("{\"from\":\"alice\",\"to\":\"world\",\"amount\":9007199254740991,\"currency\":\"EUR\"}").expect(409, "insufficient_funds"));
        add(post("transfer in another currency", TRANSFERS)
                .json("{\"from\":\"world\",\"to\":\"alice\",\"amount\":1,\"currency\":\"USD\"}").expect(422, "currency_mismatch"));
    }

    private void webhookFields() {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        fields.put("url", List.of("null", "1", "true", "[]", "{}", "[\"http://203.0.113.7/\"]"));
        fields.put("events", List.of("null", "[]", "[null]", "[1]", "[[]]", "\"transfer.created\"", "{}", "true",
                "[\"transfer.created\",1]"));
        fields.forEach((field, values) -> values.forEach(value -> {
            Map<String, String> body = new LinkedHashMap<>(Map.of("url", "\"http://203.0.113.7/hook\"",
                    "events", "[\"transfer.created\"]"));
            body.put(field, value);
            add(post("webhook " + field + " = " + abbreviate(value), WEBHOOKS).json(object(body)).expect(400, "invalid_request"));
        }));
        for (String event : List.of("\"nope\"", "\"TRANSFER.CREATED\"", "\"transfer.created \"", "\"\"", "\"*\"",
                "\"transfer.*\"", "\"" + "e".repeat(5000) + "\"")) {
            add(post("webhook event " + abbreviate(event), WEBHOOKS)
                    .json("{\"url\":\"http://203.0.113.7/hook\",\"events\":[" + event + "]}").expect(400, "unknown_event_type"));
        }
        add(post("webhook with a secret set", WEBHOOKS)
                .json("{\"url\":\"http://203.0.113.7/hook\",\"events\":[\"transfer.created\"],\"secret\":\"x\"}").expect(400, "invalid_request"));
    }

    private void webhookUrls() {
        List<String> invalid = List.of("http://0177.0.0.1/", "http://0x7f.1/", "http://0x7F.0.0.1/", "http://2130706433/",
                "http://127.1/", "http://127.0.1/", "http://017700000001/", "http://127.0.0.01/", "http://127.0.0.1./",
                "http://0xcb.0.113.7/", "http://3405803783/", "http://203.0.113.07/", "http://256.0.0.1/",
                "http://1.2.3.4.5/", "http://0/", "http://0x0/", "http://00.0.0.0/", "http://%31%32%37.0.0.1/",
                "http://\u2460\u2461\u2466.0.0.1/", "http://127\u30020\u30020\u30021/", "javascript:alert(1)",
                "file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://203.0.113.7/", "http://user:pass@203.0.113.7/",
                "http://203.0.113.7/#frag", "http:///hook", "//203.0.113.7/hook", "/hook", "", " ", "http://",
                "http://[::1/", "http://203.0.113.7:99999/", "http://example.com\\@127.0.0.1/",
                "http://" + "a".repeat(3000) + ".example/", "http://203.0.113.7/\u0000", "http://203.0.113.7/ space",
                "dict://127.0.0.1:11211/", "http://[fe80::1%25eth0]/");
        for (String url : invalid) {
            add(post("webhook URL " + abbreviate(url), WEBHOOKS)
                    .json("{\"url\":" + quote(url) + ",\"events\":[\"transfer.created\"]}").expectAny(400, 422));
        }
        List<String> privateAddresses = List.of("http://127.0.0.1/", "http://localhost/", "http://localhost./",
                "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://0.0.0.0/", "http://[::]/",
                "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data",
                "http://[fd00::1]/", "http://224.0.0.1/", "HTTP://127.0.0.1/", "https://127.0.0.1:443/",
                "http://[0:0:0:0:0:ffff:127.0.0.1]/", "http://[::127.0.0.1]/", "http://100.64.0.1/");
        for (String url : privateAddresses) {
            add(post("webhook URL to a private address " + url, WEBHOOKS)
                    .json("{\"url\":" + quote(url) + ",\"events\":[\"transfer.created\"]}").expectAny(400, 422));
        }
    }

    private void contentTypes() {
        List<String> refused = List.of("text/plain", "application/json; charset=bogus", "application/json; charset=@@@",
                "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/jsonx",
                "application/json-patch+json", "application/json, text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/json; foo=bar", "application/json; charset",
                "application/json;;;charset=bogus", "*/*", "", "application/json; charset=utf-8; charset=bogus",
                "application/json; charset=\"bogus\"", "text/json", "application/jso");
        List<String> accepted = List.of("application/json; charset=utf-8", "APPLICATION/JSON", "application/json; charset=\"UTF-8\"",
                "application/json;", "application/json ; charset=utf-8");
        for (String path : WRITE_PATHS) {
            byte[] body = REFUSED_BUT_WELL_FORMED.get(path).getBytes(StandardCharsets.UTF_8);
            for (String type : refused) {
                add(post("Content-Type '" + type + "' to " + path, path).header("Content-Type: " + type).body(body)
                        .expect(415, "unsupported_media_type"));
            }
            add(post("no Content-Type to " + path, path).body(body).expect(415, "unsupported_media_type"));
            add(post("two Content-Types to " + path, path).header("Content-Type: application/json")
                    .header("Content-Type: application/json").body(body).expect(415, "unsupported_media_type"));
            add(post("Content-Type with a NUL to " + path, path).header("Content-Type: application/json\u0000").body(body)
                    .expectAny(400, 415));
            for (String type : accepted) {
                add(post("Content-Type '" + type + "' (accepted) to " + path, path).header("Content-Type: " + type).body(body)
                        .expectAny(REFUSED_STATUS.get(path)));
            }
        }
    }

    private void idempotencyKeys() {
        String body = REFUSED_BUT_WELL_FORMED.get(TRANSFERS);
        add(HostileCase.named("transfer without Idempotency-Key").request("POST", TRANSFERS).json(body)
                .expect(400, "idempotency_key_required"));
        for (String key : List.of("", " ", "k".repeat(256), "caf\u00e9", "a b\u0001", "a\tb", "\u00ff\u00fe")) {
            add(HostileCase.named("Idempotency-Key " + abbreviate(key)).request("POST", TRANSFERS)
                    .header("Idempotency-Key: " + key).json(body).expectAny(400));
        }
        add(HostileCase.named("two Idempotency-Keys").request("POST", TRANSFERS).header("Idempotency-Key: hostile-two-a")
                .header("Idempotency-Key: hostile-two-b").json(body).expect(400, "invalid_request"));
    }

    private static final List<String> API_PATHS = List.of(ACCOUNTS, ALICE, ALICES_TRANSFERS, TRANSFERS, TRANSFER_1,
            WEBHOOKS, WEBHOOK, DELIVERIES, "/v1/openapi.json");

    private void methods() {
        List<String> methods = List.of("PATCH", "PUT", "DELETE", "OPTIONS", "TRACE", "TRACK", "FOO", "PROPFIND", "MOVE",
                "get", "M-SEARCH", "X".repeat(100), "POST");
        for (String path : API_PATHS) {
            for (String method : methods) {
                boolean served = (method.equals("POST") && WRITE_PATHS.contains(path))
                        || (method.equals("DELETE") && path.equals(WEBHOOK));
                if (served) {
                    continue;
                }
                add(HostileCase.named(abbreviate(method) + " " + path).request(method, path).header("Cookie: session=secret")
                        .expect(405, "method_not_allowed"));
            }
            add(HostileCase.named("CONNECT " + path).request("CONNECT", path).expectAny(400, 405));
        }
        add(HostileCase.named("CONNECT authority-form").request("CONNECT", "127.0.0.1:22").expectAny(400, 405));
    }

    private void unknownPaths() {
        for (String path : List.of("/", "/v1", "/v1/", "/nope", "/v1/nope", "/admin", "/health/ready", "/.env",
                "/WEB-INF/web.xml", "/favicon.ico", "/v2/accounts")) {
            for (String method : List.of("GET", "POST", "TRACE", "TRACK", "FOO", "OPTIONS", "PATCH", "DELETE")) {
                add(HostileCase.named(method + " " + path + " (no route)").request(method, path)
                        .header("Cookie: session=secret").expect(404, "not_found"));
            }
        }
    }

    private void adminPort() {
        for (String path : List.of("/health/ready", "/health/live", "/metrics", "/info", "/threads")) {
            for (String method : List.of("TRACE", "TRACK", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO")) {
                add(HostileCase.named("admin " + method + " " + path).request(method, path).admin()
                        .header("Cookie: session=secret").expect(405, "method_not_allowed"));
            }
            if (!path.equals("/threads")) { // a thread dump names Java classes: that is what it is for
                add(HostileCase.named("admin GET " + path + " HTTP/1.2").request("GET", path).version("HTTP/1.2").admin().expectAny(200));
            }
            add(HostileCase.named("admin GET " + path + " HTTP/2.0").request("GET", path).version("HTTP/2.0").admin()
                    .expect(505, "http_version_not_supported"));
        }
        for (String method : List.of("GET", "TRACE", "FOO")) {
            add(HostileCase.named("admin " + method + " / (no endpoint)").request(method, "/").admin().expect(404, "not_found"));
        }
        add(HostileCase.named("admin CONNECT").request("CONNECT", "127.0.0.1:22").admin().expectAny(400, 404, 405));
        add(HostileCase.named("admin HTTX/1.1").request("GET", "/health/ready").version("HTTX/1.1").admin().expect(400, "invalid_request"));
    }

    private void versions() {
        for (String version : List.of("HTTP/1.0", "HTTP/1.2", "HTTP/1.9")) {
            add(HostileCase.named("GET alice over " + version).request("GET", ALICE).version(version).expectAny(200));
        }
        for (String version : List.of("HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9", "HTTP/2.1")) {
            add(HostileCase.named("GET alice over " + version).request("GET", ALICE).version(version)
                    .expect(505, "http_version_not_supported"));
            add(post("POST an account over " + version, ACCOUNTS).version(version)
                    .json("{\"code\":\"hostile-version\",\"currency\":\"EUR\"}").expect(505, "http_version_not_supported"));
        }
        for (String version : List.of("HTTX/1.1", "HTTP/1", "HTTP/1.1.1", "HTTP/11", "http/1.1", "HTTP/1.a", "HTTP/01.1",
                "HTTP/1.1x", "HTTP\\1.1", "HTTP/-1.1", "HTTP/1.10")) {
            add(HostileCase.named("GET alice over " + version).request("GET", ALICE).version(version).expect(400, "invalid_request"));
        }
        add(HostileCase.named("POST over HTTP/1.2 is served as 1.1 and refused on its merits").request("POST", ACCOUNTS)
                .version("HTTP/1.2").json(REFUSED_BUT_WELL_FORMED.get(ACCOUNTS)).expect(409, "account_exists"));
        add(HostileCase.named("a control character for a method and a malformed version").raw("\u0001ET " + ALICE + " HTTX/1.1\r\n\r\n")
                .expect(400, "invalid_request"));
        add(HostileCase.named("request line without a version").raw("GET " + ALICE + "\r\n\r\n").expectAny(400, 505));
        add(HostileCase.named("PRI * HTTP/2.0 preface").raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").expectAny(400, 505));
    }

    private void oddPaths() {
        List<String> paths = List.of(ALICE, ALICES_TRANSFERS, TRANSFER_1, WEBHOOK, DELIVERIES);
        List<String[]> edits = List.of(
                new String[] {"encoded slash", "%2F"}, new String[] {"lower encoded slash", "%2f"},
                new String[] {"NUL", "%00"}, new String[] {"lone percent", "%"}, new String[] {"bad escape", "%zz"},
                new String[] {"path parameter", ";jsessionid=x"}, new String[] {"empty parameter", ";"},
                new String[] {"trailing slash", "/"}, new String[] {"two trailing slashes", "//"},
                new String[] {"dot-dot", "/.."}, new String[] {"dot", "/."}, new String[] {"encoded dot", "/%2e"},
                new String[] {"encoded dot-dot", "/%2e%2e"}, new String[] {"backslash", "\\"},
                new String[] {"e-acute", "%C3%A9"}, new String[] {"invalid UTF-8 escape", "%FF"},
                new String[] {"%u escape", "%u0041"}, new String[] {"double encoding", "%252F"},
                new String[] {"CRLF escape", "%0d%0aSet-Cookie:%20x=y"}, new String[] {"long segment", "/" + "a".repeat(3000)},
                new String[] {"fragment", "#frag"}, new String[] {"bad query escape", "?x=%zz"},
                new String[] {"NUL in query", "?%00=1"}, new String[] {"raw non-ASCII", "\u00e9"},
                new String[] {"tab", "\t"}, new String[] {"encoded traversal", "/..%2f..%2fetc%2fpasswd"});
        for (String path : paths) {
            for (String[] edit : edits) {
                add(HostileCase.named("GET " + path + " + " + edit[0]).request("GET", path + edit[1]));
            }
            add(HostileCase.named("GET " + path + " with a doubled slash").request("GET", path.replace("/v1/", "/v1//")).expect(400, "invalid_request"));
            add(HostileCase.named("GET " + path + " upper case").request("GET", path.toUpperCase()).expect(404, "not_found"));
            add(HostileCase.named("GET " + path + " via a dot segment").request("GET", path.replace("/v1/", "/v1/./")));
            add(HostileCase.named("GET " + path + " via dot-dot").request("GET", path.replace("/v1/", "/v1/x/../")));
        }
        add(HostileCase.named("GET ../ above the root").request("GET", "/../../etc/passwd"));
        add(HostileCase.named("GET without a leading slash").request("GET", "v1/accounts/alice").expect(400, "invalid_request"));
        add(HostileCase.named("GET absolute-form target").request("GET", "http://evil.example/v1/accounts/alice"));
        add(HostileCase.named("GET asterisk-form target").request("GET", "*"));
        add(HostileCase.named("OPTIONS asterisk-form target").request("OPTIONS", "*"));
        add(HostileCase.named("URI of 20000 bytes").request("GET", ALICE + "?" + "a".repeat(20_000)).expectAny(414, 431));
    }

    private void queries() {
        for (String query : List.of("limit=0", "limit=-1", "limit=101", "limit=1e2", "limit=abc", "limit=", "limit=1&limit=1",
                "after=", "after=garbage", "after=%00", "unknown=1", "LIMIT=1", "limit=99999999999999999999", "after=AAAAAAAAAAI=",
                "limit=+1", "limit=%201", "limit=1.0", "after=-AAAAAAAAAA", "after=" + "A".repeat(5000))) {
            add(HostileCase.named("alice's transfers ?" + abbreviate(query)).request("GET", ALICES_TRANSFERS + "?" + query)
                    .expect(400, "invalid_request"));
        }
        add(HostileCase.named("alice's transfers with a form body").request("GET", ALICES_TRANSFERS + "?limit=1")
                .header("Content-Type: application/x-www-form-urlencoded; charset=bogus").body("limit=2&x=%zz".getBytes(StandardCharsets.UTF_8)));
        add(HostileCase.named("a form POST with a bogus charset").request("POST", ACCOUNTS)
                .header("Content-Type: application/x-www-form-urlencoded; charset=bogus").body("code=a&currency=EUR".getBytes(StandardCharsets.UTF_8))
                .expect(415, "unsupported_media_type"));
    }

    private void framing() {
        String account = "{\"code\":\"hostile-framing\",\"currency\":\"EUR\"}";
        for (String length : List.of("-1", "abc", "1e3", "+45", "99999999999999999999", "45, 45", "0x2d", "4 5", "")) {
            add(HostileCase.named("Content-Length '" + length + "'").request("POST", ACCOUNTS).noContentLength()
                    .header("Content-Type: application/json").header("Content-Length: " + length)
                    .body(account.getBytes(StandardCharsets.UTF_8)).expect(400, null));
        }
        add(HostileCase.named("two equal Content-Lengths").request("POST", ACCOUNTS).noContentLength()
                .header("Content-Type: application/json").header("Content-Length: 45").header("Content-Length: 45")
                .body(account.getBytes(StandardCharsets.UTF_8)).expectAny(400, 409, 201));
        add(HostileCase.named("Content-Length shorter than the body").request("POST", ACCOUNTS).noContentLength()
                .header("Content-Type: application/json").header("Content-Length: 10").body(account.getBytes(StandardCharsets.UTF_8)));
        for (String chunks : List.of("fffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n", "0x2\r\n{}\r\n0\r\n\r\n",
                "g\r\n{}\r\n0\r\n\r\n", "2;" + "e".repeat(10_000) + "\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n",
                "5\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n0\r\nTrailer: " + "t".repeat(20_000) + "\r\n\r\n", " 2\r\n{}\r\n0\r\n\r\n",
                "2 \r\n{}\r\n0\r\n\r\n", "2\n{}\n0\n\n")) {
            add(HostileCase.named("chunked body " + abbreviate(chunks)).request("POST", ACCOUNTS).noContentLength()
                    .header("Content-Type: application/json").header("Transfer-Encoding: chunked")
                    .body(chunks.getBytes(StandardCharsets.ISO_8859_1)).expect(400, "invalid_request"));
        }
        add(HostileCase.named("Transfer-Encoding gzip").request("POST", ACCOUNTS).noContentLength()
                .header("Content-Type: application/json").header("Transfer-Encoding: gzip").body("{}".getBytes(StandardCharsets.UTF_8)));
        for (String coding : List.of("gzip", "deflate", "br", "x-unknown", "gzip, identity")) {
            add(HostileCase.named("Content-Encoding " + coding + " on a plain body").request("POST", ACCOUNTS)
                    .header("Content-Encoding: " + coding).json(account).expect(415, "unsupported_media_type"));
        }
        add(HostileCase.named("Expect: 100-continue with a bad body").request("POST", ACCOUNTS)
                .header("Expect: 100-continue").json("{").expect(400, null));
        add(HostileCase.named("Expect: something else").request("POST", ACCOUNTS).header("Expect: teapot").json(account).expect(417, "expectation_failed"));
        add(HostileCase.named("HTTP/1.1 without Host").raw("GET " + ALICE + " HTTP/1.1\r\n" + HostileCase.AUTHORIZATION
                + "\r\nConnection: close\r\n\r\n").expect(400, "invalid_request"));
        add(HostileCase.named("two Host headers").request("GET", ALICE).header("Host: evil.example").expect(400, "invalid_request"));
        add(HostileCase.named("Host with a path").request("GET", ALICE).raw("GET " + ALICE + " HTTP/1.1\r\nHost: a/b\r\n"
                + HostileCase.AUTHORIZATION + "\r\nConnection: close\r\n\r\n").expect(400, "invalid_request"));
    }

    private void smuggling() {
        String hidden = hiddenWrite("smuggled-hidden");
        Map<String, String> heads = new LinkedHashMap<>();
        heads.put("CL.TE", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        heads.put("TE.CL", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + Integer.toHexString(hidden.length()) + "\r\n");
        heads.put("TE xchunked", "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE space before colon", "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE tab", "Transfer-Encoding:\tchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE twice, chunked first", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n");
        heads.put("TE twice, chunked last", "Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE chunked, identity", "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
        heads.put("TE obs-fold", "Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE vertical tab", "Transfer-Encoding: \u000bchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE upper case", "Transfer-Encoding: CHUNKED\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE quoted", "Transfer-Encoding: \"chunked\"\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE after a bare LF", "X-A: a\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("TE behind a bare CR", "X-A: a\rTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("two different Content-Lengths", "Content-Length: 0\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
        heads.put("Content-Length list", "Content-Length: 0, 5\r\n\r\n0\r\n\r\n");
        heads.put("Content-Length obs-fold", "Content-Length: 0\r\n 5\r\n\r\n0\r\n\r\n");
        heads.put("NUL in a header", "X-A: a\u0000b\r\nContent-Length: 0\r\n\r\n");
        heads.put("header name with a space", "X A: a\r\nContent-Length: 0\r\n\r\n");
        heads.put("header without a colon", "X-A\r\nContent-Length: 0\r\n\r\n");
        heads.put("non-ASCII header name", "X-\u00e9: a\r\nContent-Length: 0\r\n\r\n");
        heads.put("obs-fold in a plain header", "X-A: a\r\n b\r\nContent-Length: 0\r\n\r\n");
        int n = 0;
        for (Map.Entry<String, String> head : heads.entrySet()) {
            n++;
            String request = "POST /v1/accounts/alice/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\n" + HostileCase.AUTHORIZATION + "\r\n";
            add(HostileCase.named("smuggling: " + head.getKey()).raw(request + head.getValue() + hiddenWrite("smuggled-" + n))
                    .expect(400, "invalid_request"));
        }
        // RFC 9112 §2.2 lets a server read a bare LF as a line's end, as Jetty does: no disagreement, no smuggling
        add(HostileCase.named("request with bare LF line ends").raw("POST " + ALICES_TRANSFERS + " HTTP/1.1\nHost: 127.0.0.1\n"
                + HostileCase.AUTHORIZATION + "\nContent-Length: 0\nConnection: close\n\n").expect(405, "method_not_allowed"));
        add(HostileCase.named("smuggling: GET with a body hiding a write").raw("GET " + ALICE + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + HostileCase.AUTHORIZATION + "\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden).expectAny(200));
        add(HostileCase.named("smuggling: CRLF injected through an encoded target").raw("GET " + ALICE
                + "%0d%0aContent-Length:%200%0d%0a%0d%0a HTTP/1.1\r\nHost: 127.0.0.1\r\n" + HostileCase.AUTHORIZATION
                + "\r\nConnection: close\r\n\r\n").expect(400, "invalid_request"));
    }

    /** A request that would open an account if it were ever read as a request of its own. */
    private static String hiddenWrite(String code) {
        String body = "{\"code\":\"" + code + "\",\"currency\":\"EUR\"}";
        return "POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n" + HostileCase.AUTHORIZATION
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
    }

    private void headerLimits() {
        add(HostileCase.named("a header of 20000 bytes").request("GET", ALICE).header("X-Big: " + "b".repeat(20_000)).expect(431, "headers_too_large"));
        add(HostileCase.named("a cookie of 100000 bytes").request("GET", ALICE).header("Cookie: " + "c".repeat(100_000)).expect(431, "headers_too_large"));
        add(HostileCase.named("2000 small headers").request("GET", ALICE).header(headers(2000)).expect(431, "headers_too_large"));
        add(HostileCase.named("100 small headers").request("GET", ALICE).header(headers(100)).expectAny(200));
        add(HostileCase.named("a header name of 10000 bytes").request("GET", ALICE).header("X" + "n".repeat(10_000) + ": v").expect(431, "headers_too_large"));
        add(HostileCase.named("a method of 10000 bytes").request("G".repeat(10_000), ALICE).expectAny(400, 405, 414, 431));
        add(HostileCase.named("non-ASCII header value").request("GET", ALICE).header("X-Name: caf\u00e9 \u2603").expectAny(200, 400));
        add(HostileCase.named("X-Request-Id of 10000 bytes").request("GET", ALICE).header("X-Request-Id: " + "r".repeat(7000)).expectAny(200, 431));
        add(HostileCase.named("X-Request-Id with a CR").request("GET", ALICE).header("X-Request-Id: a\rb").expect(400, "invalid_request"));
        add(HostileCase.named("malformed traceparent").request("GET", ALICE).header("traceparent: 00-zz-zz-zz").expectAny(200));
        add(HostileCase.named("X-Forwarded-For injection").request("GET", ALICE).header("X-Forwarded-For: 1.2.3.4\r\nX-Injected: 1").expectAny(200));
    }

    private void slowClients() {
        add(HostileCase.named("slowloris: headers stall past the idle timeout")
                .raw("GET " + ALICE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
                .thenAfter(Duration.ofSeconds(6), "b\r\n\r\n")); // Jetty closes the connection, with no answer
        String body = "{\"code\":\"hostile-slow\",\"currency\":\"EUR\"}";
        add(HostileCase.named("stalled body past the idle timeout").request("POST", ACCOUNTS).noContentLength()
                .header("Content-Type: application/json").header("Content-Length: " + body.length())
                .body(body.substring(0, 10).getBytes(StandardCharsets.UTF_8)).expect(408, "request_timeout"));
        add(HostileCase.named("stalled chunked body past the idle timeout").request("POST", ACCOUNTS).noContentLength()
                .header("Content-Type: application/json").header("Transfer-Encoding: chunked")
                .body("5\r\n{\"cod\r\n".getBytes(StandardCharsets.UTF_8)).expect(408, "request_timeout"));
        add(HostileCase.named("stalled transfer body past the idle timeout").request("POST", TRANSFERS).noContentLength()
                .header("Idempotency-Key: hostile-slow").header("Content-Type: application/json").header("Content-Length: 100")
                .body("{\"from\":".getBytes(StandardCharsets.UTF_8)).expect(408, "request_timeout"));
    }

    private void authorization() {
        List<String> refused = List.of("", "Bearer", "Bearer ", "Bearer wrong-token-0123456789", "Basic dXNlcjpwYXNz",
                "Bearer " + HostileCase.TOKEN + " extra", "Bearer " + HostileCase.TOKEN.substring(1),
                "Bearer " + HostileCase.TOKEN + "x", "Bearer " + "t".repeat(6000), "Bearer caf\u00e9-token-0123456789",
                "Token " + HostileCase.TOKEN, HostileCase.TOKEN, "Bearer " + HostileCase.TOKEN.toUpperCase(),
                "Bearer\t" + HostileCase.TOKEN + "\u0000");
        for (String path : List.of(ALICE, WEBHOOKS)) {
            add(HostileCase.named("no Authorization on " + path).request("GET", path).unauthorized().expect(401, "unauthorized"));
            for (String value : refused) {
                add(HostileCase.named("Authorization '" + abbreviate(value) + "' on " + path).request("GET", path).unauthorized()
                        .header("Authorization: " + value).expectAny(400, 401));
            }
            add(HostileCase.named("good then bad Authorization on " + path).request("GET", path)
                    .header("Authorization: Bearer wrong-token-0123456789").expect(401, "unauthorized"));
        }
        add(HostileCase.named("no Authorization on a POST with a body").request("POST", ACCOUNTS).unauthorized()
                .json("{\"code\":\"hostile-noauth\",\"currency\":\"EUR\"}").expect(401, "unauthorized"));
        add(HostileCase.named("wrong token on a transfer").request("POST", TRANSFERS).unauthorized()
                .header("Authorization: Bearer wrong-token-0123456789").header("Idempotency-Key: hostile-auth")
                .json("{\"from\":\"world\",\"to\":\"alice\",\"amount\":1,\"currency\":\"EUR\"}").expect(401, "unauthorized"));
    }

    // ---- helpers ----

    private static String headers(int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(i == 0 ? "" : "\r\n").append("X-H").append(i).append(": v");
        }
        return lines.toString();
    }

    private static String object(Map<String, String> fields) {
        StringBuilder json = new StringBuilder("{");
        fields.forEach((name, value) -> json.append(json.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value));
        return json.append('}').toString();
    }

    private static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append("\\u%04x".formatted((int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    private static byte[] chunk(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return concat((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII), bytes,
                "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Strings as UTF-8, integers as single bytes. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private static byte[] utf32le(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        text.codePoints().forEach(c -> {
            out.write(c & 0xFF);
            out.write((c >> 8) & 0xFF);
            out.write((c >> 16) & 0xFF);
            out.write(c >>> 24);
        });
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A printable, short form of a value for a case's name. */
    static String abbreviate(String value) {
        StringBuilder shown = new StringBuilder();
        value.codePoints().limit(40).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                shown.append("\\x%02x".formatted(c));
            } else if (c > 0x7e) {
                shown.append("\\u%04x".formatted(c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        return value.length() > 40 ? shown + "…(" + value.length() + ")" : shown.toString();
    }
}
