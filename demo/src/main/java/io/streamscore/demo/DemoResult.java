package io.streamscore.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one demo run measured, for the summary and for tests.
 *
 * @param eventsIn              records produced: good events plus bad records
 * @param scored                distinct events scored
 * @param deadLetters           dead letters by {@code streamscore.reason}
 * @param correct               scored events whose predicted label equals the truth
 * @param holdoutAccuracy       the trainer's accuracy on its holdout
 * @param probabilityMismatches scores whose probability differs from the model's own prediction
 * @param duplicates            events scored more than once
 * @param seconds               first record produced to last output read
 * @param model                 the model JSON written
 * @param report                the training report's index.html
 */
record DemoResult(long eventsIn, long scored, Map<String, Long> deadLetters, long correct, double holdoutAccuracy,
                  long probabilityMismatches, long duplicates, double seconds, Path model, Path report) {
    DemoResult {
        deadLetters = Map.copyOf(deadLetters);
    }

    long deadLettered() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    double liveAccuracy() {
        return scored == 0 ? Double.NaN : (double) correct / scored;
    }
}
