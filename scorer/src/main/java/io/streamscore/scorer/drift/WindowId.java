package io.streamscore.scorer.drift;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One drift window of one model version, and its keys in the drift stores: size (8 bytes), start (8, sign flipped so
 * keys sort by time), version (8), part (1), source (4), then the model id as UTF-8. Store keys of other kinds (the
 * clock) are shorter than {@value #FIXED} bytes.
 */
record WindowId(String modelId, long version, long sizeMs, long start) {
    /** The fixed-size head of a window key. */
    static final int FIXED = 29;

    long end() {
        return start + sizeMs;
    }

    Bytes key(int part, int source) {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(FIXED + id.length).putLong(sizeMs).putLong(start ^ Long.MIN_VALUE)
                .putLong(version).put((byte) part).putInt(source).put(id).array());
    }

    static boolean isWindowKey(Bytes key) {
        return key.get().length >= FIXED;
    }

    static WindowId of(Bytes key) {
        ByteBuffer k = ByteBuffer.wrap(key.get());
        long size = k.getLong();
        long start = k.getLong() ^ Long.MIN_VALUE;
        long version = k.getLong();
        return new WindowId(new String(key.get(), FIXED, key.get().length - FIXED, StandardCharsets.UTF_8), version,
                size, start);
    }

    static int partOf(Bytes key) {
        return key.get()[24];
    }

    static int sourceOf(Bytes key) {
        return ByteBuffer.wrap(key.get(), 25, 4).getInt();
    }
}
