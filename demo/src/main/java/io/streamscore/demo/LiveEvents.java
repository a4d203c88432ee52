package io.streamscore.demo;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.trainer.data.Dataset;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The records the demo produces: {@code events} feature events from labelled "live" data the model never saw (row
 * {@code i % rows} for event {@code i}, so the truth of every event is known), and a handful of deliberately bad
 * records spread evenly among them, one per dead-letter reason worth showing.
 */
final class LiveEvents {
    /** A record to produce; {@code eventIndex} is -1 for a bad record, whose {@code expectedReason} is then set. */
    record DemoRecord(String key, byte[] value, int eventIndex, ReasonCode expectedReason) {
    }

    private static final String EVENT_ID_PREFIX = "e-";
    private static final String UNKNOWN_MODEL = "no-such-model";

    private final Dataset live;
    private final int events;
    private final String modelId;
    private final LogisticModel model;
    private final List<DemoRecord> bad;
    private final int total;

    /**
     * @param model the trained model, to compute the probability the scorer must reproduce for every event
     */
    LiveEvents(Dataset live, int events, LogisticModel model) {
        if (events < 1) {
            throw new IllegalArgumentException("events must be >= 1, got " + events);
        }
        this.live = live;
        this.events = events;
        this.model = model;
        this.modelId = model.modelId();
        this.bad = badRecords(model.featureNames(), modelId);
        this.total = events + bad.size();
    }

    int events() {
        return events;
    }

    int badRecords() {
        return bad.size();
    }

    /** Good events plus bad records: what goes onto the feature topic. */
    int total() {
        return total;
    }

    /** How many rows of live data there are; events cycle through them when there are more events than rows. */
    int liveRows() {
        return live.rows();
    }

    java.util.List<String> featureNames() {
        return model.featureNames();
    }

    String modelId() {
        return modelId;
    }

    /** The record at {@code position} (0 ≤ position < total()): bad records sit at evenly spaced positions. */
    DemoRecord at(int position) {
        int slot = bad.size() + 1;
        // Bad record k (0-based) goes to position (k + 1) * total / (bad + 1).
        int k = badIndexAt(position, slot);
        if (k >= 0) {
            return bad.get(k);
        }
        int before = badBefore(position, slot);
        int i = position - before;
        return new DemoRecord(String.format(Locale.ROOT, "entity-%04d", i % 1000), eventJson(i), i, null);
    }

    private int badIndexAt(int position, int slot) {
        for (int k = 0; k < bad.size(); k++) {
            if ((long) (k + 1) * total / slot == position) {
                return k;
            }
        }
        return -1;
    }

    private int badBefore(int position, int slot) {
        int n = 0;
        for (int k = 0; k < bad.size(); k++) {
            if ((long) (k + 1) * total / slot < position) {
                n++;
            }
        }
        return n;
    }

    private byte[] eventJson(int i) {
        Map<String, Double> features = new LinkedHashMap<>();
        double[] row = features(i);
        List<String> names = model.featureNames();
        for (int j = 0; j < row.length; j++) {
            features.put(names.get(j), row[j]);
        }
        return FeatureEventJson.toBytes(FeatureEvent.named(eventId(i), modelId, features, null));
    }

    /** Event {@code i}'s raw features, in the model's order. */
    double[] features(int i) {
        return live.row(i % live.rows());
    }

    /** The true label of event {@code i}. */
    int truth(int i) {
        return (int) live.label(i % live.rows());
    }

    /** What the model itself says for event {@code i}: the scorer must return exactly this. */
    double expectedProbability(int i) {
        return model.predictProbability(features(i));
    }

    /** How many dead letters of each reason the bad records must produce. */
    Map<ReasonCode, Integer> expectedDeadLetters() {
        Map<ReasonCode, Integer> m = new EnumMap<>(ReasonCode.class);
        for (DemoRecord r : bad) {
            m.merge(r.expectedReason(), 1, Integer::sum);
        }
        return m;
    }

    static String eventId(int i) {
        return EVENT_ID_PREFIX + i;
    }

    /** The event index in an event id written by {@link #eventId}, or -1 for any other id. */
    static int eventIndex(String eventId) {
        if (eventId == null || !eventId.startsWith(EVENT_ID_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(eventId.substring(EVENT_ID_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One bad record per reason a producer is likely to cause, hand-written JSON (the serializer cannot err). */
    private static List<DemoRecord> badRecords(List<String> featureNames, String modelId) {
        String first = featureNames.get(0);
        StringBuilder allButLast = new StringBuilder();
        for (int j = 0; j < featureNames.size() - 1; j++) {
            allButLast.append(j == 0 ? "" : ",").append('"').append(featureNames.get(j)).append("\":0.5");
        }
        StringBuilder all = new StringBuilder();
        for (int j = 0; j < featureNames.size(); j++) {
            all.append(j == 0 ? "" : ",").append('"').append(featureNames.get(j)).append("\":0.5");
        }
        String rest = featureNames.size() == 1 ? "" : "," + all.substring(all.indexOf(",") + 1);
        return List.of(
                bad(1, "{\"eventId\":\"bad-1\",\"modelId\":\"" + modelId + "\",\"features\":{\"" + first + "\":0.5,",
                        ReasonCode.MALFORMED_JSON),
                bad(2, "{\"eventId\":\"bad-2\",\"modelId\":\"" + modelId + "\",\"features\":{" + allButLast + "}}",
                        ReasonCode.MISSING_FEATURE),
                bad(3, "{\"eventId\":\"bad-3\",\"modelId\":\"" + UNKNOWN_MODEL + "\",\"features\":{" + all + "}}",
                        ReasonCode.MODEL_NOT_FOUND),
                bad(4, "{\"eventId\":\"bad-4\",\"modelId\":\"" + modelId + "\",\"features\":{\"" + first + "\":NaN" + rest
                        + "}}", ReasonCode.NON_FINITE_FEATURE),
                bad(5, "{\"eventId\":\"bad-5\",\"modelId\":\"" + modelId + "\",\"features\":{\"" + first + "\":\"abc\""
                        + rest + "}}", ReasonCode.WRONG_TYPE));
    }

    private static DemoRecord bad(int n, String json, ReasonCode reason) {
        return new DemoRecord("bad-" + n, json.getBytes(StandardCharsets.UTF_8), -1, reason);
    }
}
