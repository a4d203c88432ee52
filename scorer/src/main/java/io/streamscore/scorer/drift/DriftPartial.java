package io.streamscore.scorer.drift;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One scoring task's running total of one drift window, as it travels through the repartition topic to the drift
 * task: idempotent (the latest total of a source replaces the one before it), so sending it again after a restart is
 * harmless. Carries the model version's baseline (its JSON) so the drift task needs nothing else, also for a version
 * that is no longer served.
 *
 * @param source      the scoring task's partition (of the features topic)
 * @param sourceClock the scoring task's drift clock when it sent this: the largest event timestamp it has counted
 * @param counts      as {@code DriftBaseline#count} fills them
 */
record DriftPartial(int source, long sourceClock, long sizeMs, long start, long version, String modelId, long[] counts,
                    byte[] baselineJson) {
    private static final byte FORMAT = 1;

    /** {@code MODEL@vVERSION} as UTF-8: the repartition key, so one task sees every partial of a model version. */
    static byte[] modelKey(String modelId, long version) {
        return (modelId + "@v" + version).getBytes(StandardCharsets.UTF_8);
    }

    byte[] toBytes() {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 * 4 + 4 + id.length + 4 + 8 * counts.length + baselineJson.length);
        b.put(FORMAT).putInt(source).putLong(sourceClock).putLong(sizeMs).putLong(start).putLong(version)
                .putInt(id.length).put(id).putInt(counts.length);
        b.asLongBuffer().put(counts);
        b.position(b.position() + 8 * counts.length);
        b.put(baselineJson);
        return b.array();
    }

    static DriftPartial fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != FORMAT) {
            throw new IllegalStateException("drift partial of format " + bytes[0] + "; this version reads " + FORMAT);
        }
        int source = b.getInt();
        long clock = b.getLong();
        long sizeMs = b.getLong();
        long start = b.getLong();
        long version = b.getLong();
        byte[] id = new byte[b.getInt()];
        b.get(id);
        long[] counts = new long[b.getInt()];
        b.asLongBuffer().get(counts);
        b.position(b.position() + 8 * counts.length);
        byte[] baseline = Arrays.copyOfRange(bytes, b.position(), bytes.length);
        return new DriftPartial(source, clock, sizeMs, start, version, new String(id, StandardCharsets.UTF_8), counts,
                baseline);
    }
}
