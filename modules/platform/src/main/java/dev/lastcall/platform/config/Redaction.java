package dev.lastcall.platform.config;

import java.util.regex.Pattern;

/** What must not be shown of a setting: secrets by key, and a password written into a URL. */
public final class Redaction {

    public static final String HIDDEN = "***";

    /** {@code password=...} in a query string, and {@code user:password@} before the host. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?]*):[^/@?]*@");

    private Redaction() {}

    /** Keys whose whole value is a secret: {@code db.password}, {@code api.tokens}, {@code admin.tokens}. */
    public static boolean secretKey(String key) {
        String name = key.substring(key.lastIndexOf('.') + 1);
        return name.equals("password") || name.equals("tokens");
    }

    public static String withoutPassword(String url) {
        String result = PASSWORD_PARAMETER.matcher(url).replaceAll("$1" + HIDDEN);
        return USER_INFO.matcher(result).replaceFirst("$1:" + HIDDEN + "@");
    }
}
