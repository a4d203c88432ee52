package io.streamscore.demo;

import io.streamscore.common.outcome.QualityFigures;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.trainer.retrain.Decision;
import io.streamscore.trainer.retrain.DriftRecord;
import io.streamscore.trainer.retrain.GateMetric;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the loop's figures are pooled and when the loop counts as closed, without a broker. */
class LoopResultTest {
    private static final long MOVE = 1_000_000L;
    private static final DriftRecord ALERT = new DriftRecord("clusters", 1, MOVE + 5_000, 2000, 0.9, Map.of("x1", 0.7),
            List.of("x1", "score"));

    private static QualityWindow window(long version, long start, long count, double accuracy, double logLoss) {
        QualityFigures f = new QualityFigures(count, count / 2, count - count / 2, 0.5, logLoss, 0.1, accuracy,
                Double.NaN, Double.NaN, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, List.of());
        return new QualityWindow("clusters", version, "5s", 5_000, start, 1, start + 6_000, f);
    }

    private static Decision decision(Decision.Kind kind, Long candidateVersion) {
        return new Decision("clusters", Instant.ofEpochMilli(MOVE + 7_000), Decision.Trigger.DRIFT, kind, "why",
                GateMetric.LOG_LOSS, 0.2, 1.1, 0.0, 1L, candidateVersion, 2000, 500, Instant.ofEpochMilli(MOVE),
                Instant.ofEpochMilli(MOVE + 7_000), Instant.ofEpochMilli(MOVE + 6_000), "outcomes", ALERT.windowEndMs());
    }

    private static final List<QualityWindow> WINDOWS = List.of(
            window(1, MOVE - 10_000, 1000, 0.90, 0.20),
            window(1, MOVE - 5_000, 3000, 0.94, 0.16),
            window(1, MOVE, 2000, 0.60, 1.2),
            window(1, MOVE + 5_000, 0, Double.NaN, Double.NaN),
            window(2, MOVE + 5_000, 500, 0.92, 0.20),
            window(2, MOVE + 10_000, 2000, 0.93, 0.18));

    @Test
    void shouldPoolWindowsByTheirOutcomesAndSplitThemAtTheMove() {
        LoopResult r = new LoopResult(MOVE, ALERT, decision(Decision.Kind.PUBLISHED, 2L), WINDOWS, List.of(ALERT), 10_000);
        assertEquals(new LoopResult.Pooled(4000, 2, (0.90 * 1000 + 0.94 * 3000) / 4000, (0.20 * 1000 + 0.16 * 3000) / 4000),
                r.firstBefore());
        assertEquals(new LoopResult.Pooled(2000, 1, 0.60, 1.2), r.firstAfter(), "the empty window counts nowhere");
        assertEquals(2500, r.retrained().count());
        assertEquals((0.92 * 500 + 0.93 * 2000) / 2500, r.retrained().accuracy(), 1e-12);
        assertTrue(r.recovered());
    }

    @Test
    void shouldNotCountTheLoopClosedWithoutAPublishedVersionThatIsBetterOnBothFigures() {
        assertFalse(new LoopResult(MOVE, ALERT, decision(Decision.Kind.REJECTED, null), WINDOWS, List.of(), 1).recovered());
        assertNull(new LoopResult(MOVE, ALERT, decision(Decision.Kind.REJECTED, null), WINDOWS, List.of(), 1)
                .retrainedVersion());
        assertFalse(new LoopResult(MOVE, null, decision(Decision.Kind.PUBLISHED, 2L), WINDOWS, List.of(), 1).recovered(),
                "no alert");
        List<QualityWindow> worseLogLoss = List.of(window(1, MOVE, 2000, 0.60, 0.15), window(2, MOVE + 5_000, 2000, 0.93, 0.18));
        assertFalse(new LoopResult(MOVE, ALERT, decision(Decision.Kind.PUBLISHED, 2L), worseLogLoss, List.of(), 1)
                .recovered(), "better accuracy alone is not enough");
        List<QualityWindow> noV2 = List.of(window(1, MOVE, 2000, 0.60, 1.2));
        assertFalse(new LoopResult(MOVE, ALERT, decision(Decision.Kind.PUBLISHED, 2L), noV2, List.of(), 1).recovered(),
                "v2 never served");
    }
}
