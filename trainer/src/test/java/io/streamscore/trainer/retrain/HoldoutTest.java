package io.streamscore.trainer.retrain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HoldoutTest {
    private static final TimeRange RANGE = new TimeRange(Instant.ofEpochMilli(0), Instant.ofEpochMilli(1000));

    @Test
    void aFractionHoldsOutTheNewestRowsWhateverOrderTheyWereReadIn() {
        long[] ts = {500, 100, 900, 300, 700, 200, 800, 400, 600, 0};
        Holdout.Split s = Holdout.fraction(0.2).split(ts, RANGE);
        assertArrayEquals(new int[] {9, 1, 5, 3, 7, 0, 8, 4, 6, 2}, s.order(), "time order");
        assertEquals(8, s.trainRows());
        assertEquals(2, s.holdoutRows());
        assertEquals(800L, s.holdoutFromMs());
    }

    @Test
    void rowsSharingTheBoundarysTimestampAreAllHeldOutSoTrainingIsStrictlyOlder() {
        long[] ts = {1, 2, 3, 4, 5, 6, 7, 8, 8, 8};
        Holdout.Split s = Holdout.fraction(0.2).split(ts, RANGE);
        assertEquals(7, s.trainRows(), "the third row at 8 joins the held-out part");
        assertEquals(8L, s.holdoutFromMs());
        for (int i = 0; i < s.trainRows(); i++) {
            assertTrue(ts[s.order()[i]] < s.holdoutFromMs());
        }
        long[] same = {5, 5, 5, 5};
        assertEquals(0, Holdout.fraction(0.5).split(same, RANGE).trainRows(), "one timestamp: nothing older to train on");
    }

    @Test
    void aDurationHoldsOutTheRangesLastStretch() {
        long[] ts = {100, 899, 900, 950, 999, 10};
        Holdout.Split s = Holdout.last(Duration.ofMillis(100)).split(ts, RANGE);
        assertEquals(3, s.trainRows(), "900 and later are held out");
        assertEquals(900L, s.holdoutFromMs());
        assertEquals(0, Holdout.last(Duration.ofMillis(100)).split(new long[0], RANGE).trainRows());
    }

    @Test
    void emptyDataHoldsNothingOut() {
        Holdout.Split s = Holdout.fraction(0.2).split(new long[0], RANGE);
        assertEquals(0, s.holdoutRows());
        assertNull(s.holdoutFromMs());
    }

    @Test
    void parsesADurationOrAFraction() {
        assertEquals(Holdout.last(Duration.ofHours(1)), Holdout.parse("1h"));
        assertEquals(Holdout.fraction(0.25), Holdout.parse("0.25"));
        assertThrows(IllegalArgumentException.class, () -> Holdout.parse("1.5"));
        assertThrows(IllegalArgumentException.class, () -> Holdout.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Holdout.parse("1 fortnight"));
        assertThrows(IllegalArgumentException.class, () -> Holdout.parse("soon"));
        assertEquals("the newest 0.2 of the rows", Holdout.DEFAULT.toString());
        assertEquals("the last 1h of the range", Holdout.parse("60m").toString());
    }

    @Test
    void aRangeIncludesItsStartAndExcludesItsEnd() {
        assertTrue(RANGE.contains(0));
        assertTrue(RANGE.contains(999));
        assertTrue(!RANGE.contains(1000));
        assertEquals(new TimeRange(Instant.parse("2026-12-02T12:00:00Z"), Instant.parse("2026-12-03T12:00:00Z")),
                TimeRange.last(Duration.ofDays(1), Instant.parse("2026-12-03T12:00:00Z")));
        assertThrows(IllegalArgumentException.class, () -> new TimeRange(Instant.EPOCH, Instant.EPOCH));
    }
}
