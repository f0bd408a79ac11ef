package dev.lastcall.platform.http;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * The opaque cursor of a listing page: the positive id of the last item shown, as eleven
 * base64url characters. Clients only hand back what a page gave them.
 */
public final class Cursor {

    private static final int ID_BYTES = Long.BYTES;

    private Cursor() {}

    public static String encode(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(ID_BYTES).putLong(id).array());
    }

    /** The id in {@code cursor}, or empty when it is not a cursor {@link #encode} made. */
    public static OptionalLong decode(String cursor) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        if (bytes.length != ID_BYTES || !encode(ByteBuffer.wrap(bytes).getLong()).equals(cursor)) {
            return OptionalLong.empty();
        }
        long id = ByteBuffer.wrap(bytes).getLong();
        return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
    }
}
