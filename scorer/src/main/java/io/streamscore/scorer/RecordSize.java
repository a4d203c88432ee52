package io.streamscore.scorer;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The size the Kafka producer assigns to one record before it accepts it: the upper bound of a record batch holding only
 * that record (magic v2), which {@code KafkaProducer.send} compares with {@code max.request.size} and
 * {@code buffer.memory}. Compression does not enter (the producer checks the uncompressed bound). Same arithmetic as the
 * producer's {@code AbstractRecords.estimateSizeInBytesUpperBound}, which a test pins, written out here so that the
 * check on every score allocates nothing.
 */
final class RecordSize {
    /** Fixed part of a v2 record batch header. */
    static final int BATCH_OVERHEAD = 61;
    /** Largest fixed part of one v2 record: length, attributes, timestamp and offset deltas as varints at their widest. */
    static final int MAX_RECORD_OVERHEAD = 21;

    private RecordSize() {
    }

    /** @param headers null for none */
    static int upperBound(byte[] key, byte[] value, Headers headers) {
        int size = BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + bytesField(key) + bytesField(value);
        int count = 0;
        if (headers != null) {
            for (Header h : headers) {
                size += header(h);
                count++;
            }
        }
        return size + varintSize(count);
    }

    /** What one header adds to a record: its key and value, each with its varint length. */
    static int header(Header h) {
        int keyLength = utf8Length(h.key());
        return varintSize(keyLength) + keyLength + bytesField(h.value());
    }

    /** A length-prefixed byte field; null is the one-byte length -1. */
    private static int bytesField(byte[] b) {
        return b == null ? 1 : varintSize(b.length) + b.length;
    }

    /** Size of {@code value} as a zig-zag varint, as Kafka's record format writes lengths. */
    static int varintSize(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4; // a pair, counted as the producer counts it (a lone surrogate too)
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
