package io.streamscore.scorer.outcomes;

import io.streamscore.common.event.ModelSelection;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of the outcome join's state store ({@value OutcomesTopology#JOIN_STORE}, one RocksDB store with a
 * changelog per task). One store for four kinds of entry, told apart by the key's first byte, so a task opens one
 * RocksDB instance and one changelog partition, not four:
 *
 * <ul>
 *   <li>{@code 'S' + eventId} → a {@link ScoreEntry}: the score awaiting its label, or the marker left once it was
 *       labelled or expired (kept to tell a duplicate or late label from an unknown one);</li>
 *   <li>{@code 'L' + eventId} → a {@link HeldLabel}: a label read before its score, with the original record;</li>
 *   <li>{@code 'D' + deadline + kind + eventId} → the phase due then: the time index the stream-time punctuator scans
 *       in key order (the deadline is big-endian with its sign bit flipped, so byte order is time order);</li>
 *   <li>{@code 'F' + feature-schema fingerprint} → the feature names of that order, so a score entry holds its values
 *       only.</li>
 * </ul>
 *
 * Values start with a format byte; this code writes and reads format 1.
 */
final class JoinState {
    static final byte SCORE = 'S';
    static final byte LABEL = 'L';
    static final byte DEADLINE = 'D';
    static final byte FEATURES = 'F';
    private static final byte FORMAT = 1;

    private JoinState() {
    }

    static Bytes scoreKey(String eventId) {
        return prefixed(SCORE, eventId);
    }

    static Bytes labelKey(String eventId) {
        return prefixed(LABEL, eventId);
    }

    static Bytes featuresKey(String fingerprint) {
        return prefixed(FEATURES, fingerprint);
    }

    private static Bytes prefixed(byte kind, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + t.length];
        k[0] = kind;
        System.arraycopy(t, 0, k, 1, t.length);
        return Bytes.wrap(k);
    }

    /** What a deadline entry is due for. */
    enum Phase {
        /** A score's label window ends: an awaiting score expires unlabelled; every score entry becomes a marker. */
        EXPIRE_SCORE,
        /** A score marker's second window ends: the entry is deleted. */
        DELETE_SCORE,
        /** A held label's window ends without its score: dead-lettered as unknown. */
        EXPIRE_LABEL
    }

    /** A parsed deadline key. */
    record Deadline(long at, Phase phase, String eventId) {
    }

    static Bytes deadlineKey(long at, Phase phase, String eventId) {
        byte[] t = eventId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + t.length);
        b.put(DEADLINE).putLong(at ^ Long.MIN_VALUE).put((byte) phase.ordinal()).put(t);
        return Bytes.wrap(b.array());
    }

    /** The first deadline key due at or after {@code at}. */
    static Bytes deadlinesFrom(long at) {
        return Bytes.wrap(ByteBuffer.allocate(9).put(DEADLINE).putLong(at ^ Long.MIN_VALUE).array());
    }

    /** A key after every deadline key due at or before {@code at}. */
    static Bytes deadlinesThrough(long at) {
        // 'D' + at + 0xFF…: above every (phase, event id) suffix at that time, below the next millisecond's keys.
        ByteBuffer b = ByteBuffer.allocate(9 + 2);
        b.put(DEADLINE).putLong(at ^ Long.MIN_VALUE).put((byte) 0xFF).put((byte) 0xFF);
        return Bytes.wrap(b.array());
    }

    static Deadline deadline(Bytes key) {
        ByteBuffer b = ByteBuffer.wrap(key.get());
        if (b.get() != DEADLINE) {
            throw new IllegalStateException("not a deadline key");
        }
        long at = b.getLong() ^ Long.MIN_VALUE;
        Phase phase = Phase.values()[b.get()];
        return new Deadline(at, phase, new String(key.get(), 10, key.get().length - 10, StandardCharsets.UTF_8));
    }

    /** A deadline entry's value: nothing to say but that it exists (a store value cannot be null). */
    static final byte[] DUE = {FORMAT};

    // ---- score entries ---------------------------------------------------------------------------------------------

    /** Where a score entry is in its life. */
    enum ScoreState {
        AWAITING, LABELLED, EXPIRED
    }

    /**
     * A score entry. A marker ({@code LABELLED}, {@code EXPIRED}) keeps the event timestamp only; the other fields are
     * null or zero.
     *
     * @param publishedAt ms since the epoch; {@link Long#MIN_VALUE} when unknown
     * @param features    the fingerprint of the feature order of {@code x} (its names are under a 'F' key)
     */
    record ScoreEntry(ScoreState state, long eventTimestamp, long scoredAt, String modelId, long modelVersion,
                      double probability, int predictedLabel, double threshold, long publishedAt,
                      ModelSelection selection, String features, double[] x) {

        static ScoreEntry marker(ScoreState state, long eventTimestamp) {
            return new ScoreEntry(state, eventTimestamp, 0, null, 0, 0, 0, 0, Long.MIN_VALUE, null, null, null);
        }

        byte[] toBytes() {
            if (state != ScoreState.AWAITING) {
                return ByteBuffer.allocate(10).put(FORMAT).put((byte) state.ordinal()).putLong(eventTimestamp).array();
            }
            byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
            byte[] fp = features.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(2 + 8 * 4 + 1 + 8 + 8 + 1 + 4 + id.length + 4 + fp.length + 4 + 8 * x.length);
            b.put(FORMAT).put((byte) state.ordinal()).putLong(eventTimestamp).putLong(scoredAt).putLong(modelVersion)
                    .putDouble(probability).put((byte) predictedLabel).putDouble(threshold).putLong(publishedAt)
                    .put((byte) selection.ordinal());
            b.putInt(id.length).put(id).putInt(fp.length).put(fp).putInt(x.length);
            for (double v : x) {
                b.putDouble(v);
            }
            return b.array();
        }

        static ScoreEntry fromBytes(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            format(b.get());
            ScoreState state = ScoreState.values()[b.get()];
            long eventTimestamp = b.getLong();
            if (state != ScoreState.AWAITING) {
                return marker(state, eventTimestamp);
            }
            long scoredAt = b.getLong();
            long version = b.getLong();
            double p = b.getDouble();
            int predicted = b.get();
            double threshold = b.getDouble();
            long publishedAt = b.getLong();
            ModelSelection selection = ModelSelection.values()[b.get()];
            String modelId = text(b);
            String features = text(b);
            double[] x = new double[b.getInt()];
            for (int i = 0; i < x.length; i++) {
                x[i] = b.getDouble();
            }
            return new ScoreEntry(state, eventTimestamp, scoredAt, modelId, version, p, predicted, threshold,
                    publishedAt, selection, features, x);
        }
    }

    /** The state byte of a score entry without decoding the rest. */
    static ScoreState stateOf(byte[] scoreEntry) {
        return ScoreState.values()[scoreEntry[1]];
    }

    /** The event timestamp of a score entry without decoding the rest. */
    static long eventTimestampOf(byte[] scoreEntry) {
        return ByteBuffer.wrap(scoreEntry, 2, 8).getLong();
    }

    // ---- held labels -----------------------------------------------------------------------------------------------

    /**
     * A label read before its score, with what its dead letter would need: the original record and where it was read.
     *
     * @param key the original key (null for none); {@code value} the original value
     */
    record HeldLabel(int label, long labelledAt, String topic, int partition, long offset, byte[] key, byte[] value,
                     Headers headers) {

        byte[] toBytes() {
            byte[] t = topic == null ? null : topic.getBytes(StandardCharsets.UTF_8);
            List<byte[]> headerBytes = new ArrayList<>();
            int size = 2 + 8 + 4 + 8 + 4 + len(t) + 4 + len(key) + 4 + len(value) + 4;
            for (Header h : headers) {
                byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
                headerBytes.add(k);
                headerBytes.add(h.value());
                size += 8 + k.length + len(h.value());
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            b.put(FORMAT).put((byte) label).putLong(labelledAt).putInt(partition).putLong(offset);
            putBytes(b, t);
            putBytes(b, key);
            putBytes(b, value);
            b.putInt(headerBytes.size() / 2);
            for (byte[] hb : headerBytes) {
                putBytes(b, hb);
            }
            return b.array();
        }

        static HeldLabel fromBytes(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            format(b.get());
            int label = b.get();
            long labelledAt = b.getLong();
            int partition = b.getInt();
            long offset = b.getLong();
            byte[] t = getBytes(b);
            byte[] key = getBytes(b);
            byte[] value = getBytes(b);
            RecordHeaders headers = new RecordHeaders();
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                byte[] k = getBytes(b);
                headers.add(new String(k, StandardCharsets.UTF_8), getBytes(b));
            }
            return new HeldLabel(label, labelledAt, t == null ? null : new String(t, StandardCharsets.UTF_8), partition,
                    offset, key, value, headers);
        }
    }

    // ---- feature names ---------------------------------------------------------------------------------------------

    static byte[] featureNamesToBytes(List<String> names) {
        List<byte[]> encoded = new ArrayList<>(names.size());
        int size = 1 + 4;
        for (String n : names) {
            byte[] e = n.getBytes(StandardCharsets.UTF_8);
            encoded.add(e);
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(FORMAT).putInt(names.size());
        for (byte[] e : encoded) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    static List<String> featureNamesFromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        format(b.get());
        int n = b.getInt();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(text(b));
        }
        return List.copyOf(names);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static void format(byte f) {
        if (f != FORMAT) {
            throw new IllegalStateException("outcome join state of format " + f + "; this version reads " + FORMAT);
        }
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void putBytes(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String text(ByteBuffer b) {
        byte[] t = new byte[b.getInt()];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }
}
