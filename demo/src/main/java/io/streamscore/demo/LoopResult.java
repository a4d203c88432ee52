package io.streamscore.demo;

import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.trainer.retrain.Decision;
import io.streamscore.trainer.retrain.DriftRecord;

import java.util.List;
import java.util.function.Predicate;

/**
 * What the loop phase produced: the drift start, the quality and drift windows read back from the scorer's topics, the
 * drift record that triggered the retrain round and that round's decision.
 *
 * @param driftStartMs the record time from which the stream's clusters had moved
 * @param alert        the first drift record after the drift start that fired; null when none did
 * @param decision     the retrain round's decision; null when no round ran
 * @param quality      the newest revision of every quality window of the model since the loop began
 * @param drift        the newest revision of every drift window of the model since the loop began
 * @param events       feature events the loop produced (each with a label)
 */
record LoopResult(long driftStartMs, DriftRecord alert, Decision decision, List<QualityWindow> quality,
                  List<DriftRecord> drift, long events) {

    LoopResult {
        quality = List.copyOf(quality);
        drift = List.copyOf(drift);
    }

    /** Outcomes, accuracy and log-loss over some windows, each window weighted by its count of outcomes. */
    record Pooled(long count, int windows, double accuracy, double logLoss) {
        static Pooled of(List<QualityWindow> windows) {
            long n = 0;
            double correct = 0;
            double loss = 0;
            for (QualityWindow w : windows) {
                long c = w.figures().count();
                n += c;
                correct += w.figures().accuracy() * c;
                loss += w.figures().logLoss() * c;
            }
            return n == 0 ? new Pooled(0, windows.size(), Double.NaN, Double.NaN)
                    : new Pooled(n, windows.size(), correct / n, loss / n);
        }
    }

    private Pooled pooled(Predicate<QualityWindow> which) {
        return Pooled.of(quality.stream().filter(w -> w.figures().count() > 0).filter(which).toList());
    }

    /** The first version's windows that ended by the drift start: its quality before the drift. */
    Pooled firstBefore() {
        return pooled(w -> w.modelVersion() == firstVersion() && w.windowEndMs() <= driftStartMs);
    }

    /** The first version's windows that started at or after the drift start: its quality on the moved clusters. */
    Pooled firstAfter() {
        return pooled(w -> w.modelVersion() == firstVersion() && w.windowStartMs() >= driftStartMs);
    }

    /** The retrained version's windows (every one of its outcomes comes after the swap, all of them drifted). */
    Pooled retrained() {
        Long v = retrainedVersion();
        return v == null ? Pooled.of(List.of()) : pooled(w -> w.modelVersion() == v);
    }

    /** The version served when the loop began: the one the demo published. */
    long firstVersion() {
        return decision != null && decision.championVersion() != null ? decision.championVersion()
                : quality.stream().mapToLong(QualityWindow::modelVersion).min().orElse(0);
    }

    /** The version the retrain round published; null when it published none. */
    Long retrainedVersion() {
        return decision == null || !decision.kind().published() ? null : decision.candidateVersion();
    }

    /** Whether the loop closed: a drift alert, a published candidate, and its windows better on both figures. */
    boolean recovered() {
        Pooled after = firstAfter();
        Pooled v2 = retrained();
        return alert != null && retrainedVersion() != null && v2.count() > 0 && after.count() > 0
                && v2.accuracy() > after.accuracy() && v2.logLoss() < after.logLoss();
    }
}
