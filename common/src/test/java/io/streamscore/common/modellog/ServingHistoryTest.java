package io.streamscore.common.modellog;

import io.streamscore.common.event.ModelSelection;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.streamscore.common.modellog.ModelLogTest.json;
import static io.streamscore.common.modellog.ModelLogTest.key;
import static io.streamscore.common.modellog.ModelLogTest.model;
import static io.streamscore.common.modellog.ModelLogTest.retirement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServingHistoryTest {

    private static long version(ServingHistory.ServedVersion v) {
        return v == null ? 0 : v.model().version();
    }

    @Test
    void shouldSelectTheVersionServedAtTheEventsTimestampPublishTimeInclusive() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1_000);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2_000);
        log.apply(key("fraud@v3"), json(model("fraud", 3, 3.0)), 3_000);
        ServingHistory h = log.history("fraud");

        assertNull(h.at(999), "before the first version: nothing was served");
        assertEquals(1, version(h.at(1_000)), "a version counts from its publish time, inclusive");
        assertEquals(1, version(h.at(1_999)));
        assertEquals(2, version(h.at(2_000)));
        assertEquals(3, version(h.at(3_000)));
        assertEquals(3, version(h.at(Long.MAX_VALUE)));
        assertEquals(Instant.ofEpochMilli(2_000), h.at(2_500).publishedAt());
        assertEquals(1, version(h.earliest()));

        assertEquals(3, version(h.select(ModelSelection.LATEST, 0)), "latest ignores the event's time");
        assertEquals(3, version(h.select(ModelSelection.LATEST, 1_500)));
        assertEquals(1, version(h.select(ModelSelection.EVENT_TIME, 1_500)));
        assertNull(h.select(ModelSelection.EVENT_TIME, 0));
        assertSame(h.served(), h.at(3_000), "one instance per version");
    }

    @Test
    void shouldNeverSelectARetiredVersionAndSelectItAgainOnceRestored() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1_000);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2_000);
        log.apply(key("fraud@v3"), json(model("fraud", 3, 3.0)), 3_000);
        log.apply(key("fraud@v2@retired"), retirement("fraud", 2), 4_000);
        ServingHistory h = log.history("fraud");
        assertEquals(1, version(h.at(2_500)), "v2 is retired: its time falls back to v1");
        assertEquals(3, version(h.at(3_500)));

        log.apply(key("fraud@v1@retired"), retirement("fraud", 1), 5_000);
        ServingHistory noV1 = log.history("fraud");
        assertNull(noV1.at(2_500), "no eligible version was published by then");
        assertEquals(3, version(noV1.earliest()));
        assertEquals(1, version(h.at(2_500)), "a published snapshot never changes");

        log.apply(key("fraud@v2@retired"), null, 6_000);
        assertEquals(2, version(log.history("fraud").at(2_500)), "restored");
    }

    @Test
    void shouldSelectTheHighestVersionPublishedByThenWhenPublishTimesAreOutOfVersionOrder() {
        // v1 rewritten after v2 (its record now carries the later time): from 2,000 to 2,999 only v2 was published.
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2_000);
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 3_000);
        ServingHistory h = log.history("fraud");
        assertNull(h.at(1_999));
        assertEquals(2, version(h.at(2_000)));
        assertEquals(2, version(h.at(5_000)), "v1 published later does not displace the higher v2");
        assertEquals(2, version(h.served()));
        assertEquals(2, version(h.earliest()));
    }

    @Test
    void shouldBeEmptyWhenNothingIsEligible() {
        ModelLog log = new ModelLog();
        assertTrue(log.history("nobody").isEmpty());
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1_000);
        log.apply(key("fraud@v1@retired"), retirement("fraud", 1), 2_000);
        ServingHistory h = log.history("fraud");
        assertTrue(h.isEmpty());
        assertNull(h.at(Long.MAX_VALUE));
        assertNull(h.served());
        assertNull(h.earliest());
    }

    @Test
    void shouldUseTheLegacyKeysRecordTimestampAsItsPublishTime() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud"), json(model("fraud", 4, 1.0)), 1_000);
        log.apply(key("fraud@v5"), json(model("fraud", 5, 2.0)), 2_000);
        ServingHistory h = log.history("fraud");
        assertEquals(4, version(h.at(1_500)));
        assertEquals(5, version(h.at(2_000)));
    }
}
