package io.streamscore.e2e;

import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.QualityJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.streamscore.common.outcome.QualityFigures;
import io.streamscore.common.outcome.QualityWindow;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A known stream of feature events and labels for the clusters model (features x1, x2), in time order, where each
 * event's fate is decided by its number, so every counter's final value is known in advance:
 *
 * <ul>
 *   <li>{@code n % 500 == 250}: the event has no eventId (score not kept: NO_EVENT_ID), no label;</li>
 *   <li>{@code n % 50 == 5}: the label comes 10 s before the event (JOINED_LABEL_FIRST when read first);</li>
 *   <li>{@code n % 40 == 7}: the label comes label window + 30 s after the event (LABEL_LATE; the score expires);</li>
 *   <li>{@code n % 30 == 11}: no label (EXPIRED_UNLABELLED);</li>
 *   <li>{@code n % 25 == 3}: the label comes twice, 1 s apart (the second is LABEL_DUPLICATE);</li>
 *   <li>{@code n % 700 == 350}: the event comes twice, 2 s apart (the second score: DUPLICATE_EVENT_ID);</li>
 *   <li>otherwise a label 5 s to 4 min after the event;</li>
 *   <li>besides: for {@code n % 100 == 50} a label for an event that never comes (LABEL_UNKNOWN_EVENT), and for
 *       {@code n % 150 == 75} a record that is not a label (LABEL_MALFORMED).</li>
 * </ul>
 *
 * Events are 1 s apart from {@code start}; the true label follows a noisy rule of x1 and x2, so the model's quality is
 * neither perfect nor random. Keys are {@code k-n}, the same for an event and its labels.
 */
public final class OutcomeScenario {
    /** One record to produce, on the features topic or the labels topic. */
    public record Send(boolean label, String key, byte[] value, long timestamp, boolean labelFirst, boolean held) {
    }

    public final List<Send> sends;
    /** The event ids that must each appear exactly once on the outcomes topic. */
    public final Set<String> joined = new LinkedHashSet<>();
    public long labelsSent;
    public long scoresWritten;
    public long labelFirst;
    public long late;
    public long duplicateLabels;
    public long unknown;
    public long malformed;
    public long neverLabelled;
    public long noEventId;
    public long duplicateScores;

    private OutcomeScenario(List<Send> sends) {
        this.sends = sends;
    }

    public static OutcomeScenario build(int events, long start, long labelWindowMs, String modelId) {
        SplittableRandom rnd = new SplittableRandom(17);
        List<Send> sends = new ArrayList<>();
        OutcomeScenario s = new OutcomeScenario(sends);
        for (int n = 0; n < events; n++) {
            long at = start + n * 1000L;
            double x1 = rnd.nextDouble(-2, 4);
            double x2 = rnd.nextDouble(-2, 4);
            int y = x1 + x2 + rnd.nextGaussian() * 1.5 > 2 ? 1 : 0;
            String key = "k-" + n;
            String id = "e-" + n;
            if (n % 500 == 250) {
                sends.add(new Send(false, key, event(null, modelId, x1, x2), at, false, false));
                s.scoresWritten++;
                s.noEventId++;
                continue;
            }
            sends.add(new Send(false, key, event(id, modelId, x1, x2), at, false, false));
            s.scoresWritten++;
            if (n % 50 == 5) {
                sends.add(new Send(true, key, label(id, y), at - 10_000, true, true));
                s.labelFirst++;
                s.joined.add(id);
            } else if (n % 40 == 7) {
                sends.add(new Send(true, key, label(id, y), at + labelWindowMs + 30_000, false, false));
                s.late++;
            } else if (n % 30 == 11) {
                s.neverLabelled++;
            } else if (n % 25 == 3) {
                long l = at + 5_000 + rnd.nextLong(235_000);
                sends.add(new Send(true, key, label(id, y), l, false, false));
                sends.add(new Send(true, key, label(id, 1 - y), l + 1000, false, false));
                s.duplicateLabels++;
                s.joined.add(id);
            } else {
                if (n % 700 == 350) {
                    sends.add(new Send(false, key, event(id, modelId, x1 + 1, x2), at + 2000, false, false));
                    s.scoresWritten++;
                    s.duplicateScores++;
                }
                sends.add(new Send(true, key, label(id, y), at + 5_000 + rnd.nextLong(235_000), false, false));
                s.joined.add(id);
            }
            if (n % 100 == 50) {
                sends.add(new Send(true, "ghost-" + n, label("ghost-" + n, 1), at + 5_000, false, true));
                s.unknown++;
            }
            if (n % 150 == 75) {
                sends.add(new Send(true, key, "{\"eventId\":".getBytes(StandardCharsets.UTF_8), at + 6_000, false, false));
                s.malformed++;
            }
        }
        sends.sort(Comparator.comparingLong(Send::timestamp)); // stable: equal times keep their order
        s.labelsSent = sends.stream().filter(Send::label).count();
        return s;
    }

    public static byte[] event(String eventId, String modelId, double x1, double x2) {
        return ("{" + (eventId == null ? "" : "\"eventId\":\"" + eventId + "\",") + "\"modelId\":\"" + modelId
                + "\",\"features\":{\"x1\":" + x1 + ",\"x2\":" + x2 + "}}").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] label(String eventId, int value) {
        return ("{\"eventId\":\"" + eventId + "\",\"label\":" + value + "}").getBytes(StandardCharsets.UTF_8);
    }

    // ---- offline quality ---------------------------------------------------------------------------------------------

    /**
     * The outcomes of each quality window the clock has closed, from the outcomes alone: window of size S from
     * labelledAt - (labelledAt mod S), closed when the highest labelledAt reaches its end + grace. Keyed like the
     * quality topic.
     */
    public static Map<String, List<Outcome>> closedWindows(List<Outcome> outcomes, Map<String, Long> sizes, long graceMs) {
        long clock = outcomes.stream().mapToLong(Outcome::labelledAt).max().orElse(Long.MIN_VALUE);
        Map<String, List<Outcome>> out = new TreeMap<>();
        for (Outcome o : outcomes) {
            for (Map.Entry<String, Long> size : sizes.entrySet()) {
                long startMs = QualityWindow.windowStart(o.labelledAt(), size.getValue());
                if (startMs + size.getValue() + graceMs <= clock) {
                    out.computeIfAbsent(QualityWindow.key(o.modelId(), o.modelVersion(), size.getKey(), startMs),
                            k -> new ArrayList<>()).add(o);
                }
            }
        }
        return out;
    }

    /**
     * Holds {@code f} to the textbook formulas over {@code os}: counts exact; log-loss, Brier and accuracy to 1e-9; the
     * histogram AUC within its published bound of the exact AUC (pairs counted).
     *
     * @return |exact AUC − histogram AUC|, NaN without both classes
     */
    public static double assertFiguresMatch(String what, List<Outcome> os, QualityFigures f) {
        long n = os.size();
        double ll = 0;
        double brier = 0;
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (Outcome o : os) {
            double q = Math.min(Math.max(o.probability(), 1e-15), 1 - 1e-15);
            ll += o.label() == 1 ? -Math.log(q) : -Math.log(1 - q);
            brier += (o.probability() - o.label()) * (o.probability() - o.label());
            if (o.label() == 1) {
                if (o.predictedLabel() == 1) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (o.predictedLabel() == 1) {
                fp++;
            } else {
                tn++;
            }
        }
        assertEquals(n, f.count(), what + ": count");
        assertEquals(tp, f.truePositives(), what + ": TP");
        assertEquals(fp, f.falsePositives(), what + ": FP");
        assertEquals(tn, f.trueNegatives(), what + ": TN");
        assertEquals(fn, f.falseNegatives(), what + ": FN");
        assertEquals(ll / n, f.logLoss(), 1e-9, what + ": log-loss");
        assertEquals(brier / n, f.brierScore(), 1e-9, what + ": Brier");
        assertEquals((tp + tn) / (double) n, f.accuracy(), 1e-9, what + ": accuracy");
        if (tp + fn == 0 || fp + tn == 0) {
            assertTrue(Double.isNaN(f.rocAuc()), what + ": no AUC without both classes");
            return Double.NaN;
        }
        double won = 0;
        for (Outcome pos : os) {
            if (pos.label() != 1) {
                continue;
            }
            for (Outcome neg : os) {
                if (neg.label() == 0) {
                    won += pos.probability() > neg.probability() ? 1 : pos.probability() == neg.probability() ? 0.5 : 0;
                }
            }
        }
        double exact = won / ((double) (tp + fn) * (fp + tn));
        double error = Math.abs(exact - f.rocAuc());
        assertTrue(error <= f.rocAucErrorBound() + 1e-12, what + ": exact AUC " + exact + ", histogram AUC "
                + f.rocAuc() + ", stated bound " + f.rocAucErrorBound());
        return error;
    }

    /**
     * Reads the quality topic (read_committed) until every window of {@code offline} has a record counting all its
     * outcomes; returns the highest revision of each key, each validated against the schema.
     */
    public static Map<String, QualityWindow> awaitQuality(EmbeddedKafkaBroker kafka, String topic,
                                                          Map<String, List<Outcome>> offline, Duration timeout) {
        Map<String, QualityWindow> highest = new TreeMap<>();
        try (TopicReader r = new TopicReader(kafka, topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (ConsumerRecord<byte[], byte[]> c : r.pollOnce(Duration.ofMillis(200))) {
                    PublishedSchemas.assertValidQuality(c.value());
                    QualityWindow w = QualityJson.fromBytes(c.value());
                    assertEquals(w.key(), E2e.text(c.key()));
                    QualityWindow before = highest.get(w.key());
                    if (before == null || before.revision() < w.revision()) {
                        highest.put(w.key(), w);
                    }
                }
                boolean complete = offline.entrySet().stream().allMatch(e -> highest.containsKey(e.getKey())
                        && highest.get(e.getKey()).figures().count() == e.getValue().size());
                if (complete) {
                    return highest;
                }
                if (System.nanoTime() > deadline) {
                    List<String> missing = new ArrayList<>();
                    offline.forEach((k, v) -> {
                        QualityWindow w = highest.get(k);
                        if (w == null || w.figures().count() != v.size()) {
                            missing.add(k + " offline " + v.size() + ", written " + (w == null ? "none" : w.figures().count()));
                        }
                    });
                    fail("quality topic incomplete after " + timeout.toSeconds() + " s: " + missing);
                }
            }
        }
    }

    /**
     * Every outcome on {@code topic} (read_committed), once at least {@code atLeast} were read and the topic was read to
     * its end; each validated against the published schema.
     */
    public static List<Outcome> readOutcomes(EmbeddedKafkaBroker kafka, String topic, int atLeast, Duration timeout) {
        List<Outcome> out = new ArrayList<>();
        try (TopicReader r = new TopicReader(kafka, topic)) {
            r.awaitCount(atLeast, timeout);
            r.drainToEnd(timeout);
            for (ConsumerRecord<byte[], byte[]> c : r.records()) {
                PublishedSchemas.assertValidOutcome(c.value());
                Outcome o = io.streamscore.common.outcome.OutcomeJson.fromBytes(c.value());
                assertEquals(o.labelledAt(), c.timestamp(), "an outcome's timestamp is its label time");
                out.add(o);
            }
        }
        return out;
    }
}
