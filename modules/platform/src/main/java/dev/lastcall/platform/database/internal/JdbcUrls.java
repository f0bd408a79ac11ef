package dev.lastcall.platform.database.internal;

import java.util.regex.Pattern;

/** JDBC URLs fit for a log line. */
final class JdbcUrls {

    /** {@code password=...} in the query string, and {@code user:password@} before the host. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?]*):[^/@?]*@");

    private JdbcUrls() {}

    static String withoutPassword(String url) {
        String result = PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(result).replaceFirst("$1:***@");
    }
}
