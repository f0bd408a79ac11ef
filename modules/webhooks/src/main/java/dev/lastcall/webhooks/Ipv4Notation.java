package dev.lastcall.webhooks;

import java.util.regex.Pattern;

/**
 * Tells a host written as an IPv4 address in anything but the four decimal numbers of its
 * canonical form. Browsers and curl read {@code 0177.0.0.1} (octal), {@code 0x7f.1} (hex, two
 * parts), {@code 2130706433} (one number) and {@code 127.1} all as 127.0.0.1 (the WHATWG URL
 * standard: a host whose last label is a number is an IPv4 address); a check that reads them
 * otherwise can be led past. Such hosts are refused rather than interpreted.
 */
final class Ipv4Notation {

    /** WHATWG's "ends in a number": the last label is decimal digits or 0x-prefixed hex. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private static final Pattern CANONICAL = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

    private Ipv4Notation() {}

    static boolean isNonCanonical(String host) {
        String[] labels = host.split("\\.", -1);
        String last = labels[labels.length - 1];
        if (last.isEmpty() && labels.length > 1) {
            last = labels[labels.length - 2]; // a trailing dot: "127.0.0.1." is read as 127.0.0.1 too
        }
        return NUMERIC_LABEL.matcher(last).matches() && !CANONICAL.matcher(host).matches();
    }
}
