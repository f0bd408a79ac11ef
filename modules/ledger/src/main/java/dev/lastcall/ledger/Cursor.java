package dev.lastcall.ledger;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.OptionalLong;

/** The opaque {@code after} cursor of a transfer listing: the id of the last transfer shown. */
final class Cursor {

    private static final int ID_BYTES = Long.BYTES;

    private Cursor() {}

    static String encode(long transferId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(ID_BYTES).putLong(transferId).array());
    }

    /** The transfer id in {@code cursor}, or empty when it is not a cursor this API made. */
    static OptionalLong decode(String cursor) {
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
