package io.streamscore.trainer.retrain;

import io.streamscore.common.outcome.DurationText;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which rows of a range are held out to judge on: the most recent ones, so the candidate is trained on the past and
 * judged, next to the champion, on the rows that came after (as it would be used). Either the rows of the range's last
 * {@code last} (by record timestamp), or the last {@code fraction} of the rows in time order. The held-out part never
 * shares a timestamp with the training part: rows with the timestamp at the boundary are all held out, so the
 * candidate is trained on strictly older rows.
 *
 * @param last     the length of the held-out end of the range; null when {@code fraction} says it
 * @param fraction the fraction of the rows held out, in (0, 1); NaN when {@code last} says it
 */
public record Holdout(Duration last, double fraction) {
    /** The default: the newest 20% of the rows. */
    public static final Holdout DEFAULT = fraction(0.2);

    public Holdout {
        if ((last == null) == Double.isNaN(fraction)) {
            throw new IllegalArgumentException("a holdout is a duration or a fraction");
        }
        if (last != null && (last.isNegative() || last.isZero())) {
            throw new IllegalArgumentException("the held-out duration must be positive, got " + DurationText.format(last));
        }
        if (last == null && !(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be in (0, 1), got " + fraction);
        }
    }

    public static Holdout last(Duration d) {
        return new Holdout(d, Double.NaN);
    }

    public static Holdout fraction(double f) {
        return new Holdout(null, f);
    }

    /**
     * {@code 1h} (a duration: whole number and unit) or {@code 0.2} (a fraction).
     *
     * @throws IllegalArgumentException saying what is expected
     */
    public static Holdout parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.matches("[0-9]+\\s*[a-zA-Z]+")) {
            return last(DurationText.parse(t));
        }
        double f;
        try {
            f = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is neither a duration (1h, 30m) nor a fraction in (0, 1)"
                    + " (0.2)");
        }
        return fraction(f);
    }

    /**
     * The rows in time order (by timestamp, then by the order read), cut into the training part (older) and the
     * held-out part (newer).
     *
     * @param timestamps each row's record timestamp, ms
     * @param range      the range read; a duration is counted back from its end
     */
    public Split split(long[] timestamps, TimeRange range) {
        int n = timestamps.length;
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        // Stable: rows with one timestamp keep the order they were read in, so the split is reproducible.
        Arrays.sort(boxed, (a, b) -> Long.compare(timestamps[a], timestamps[b]));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
        }
        int trainRows;
        if (last != null) {
            long boundary = range.toMs() - last.toMillis();
            trainRows = 0;
            while (trainRows < n && timestamps[order[trainRows]] < boundary) {
                trainRows++;
            }
        } else {
            trainRows = n - (int) Math.round(n * fraction);
            // Rows at the boundary's timestamp all go to the held-out part: training stays strictly older.
            while (trainRows > 0 && trainRows < n && timestamps[order[trainRows - 1]] == timestamps[order[trainRows]]) {
                trainRows--;
            }
        }
        Long holdoutFrom = last != null ? Long.valueOf(range.toMs() - last.toMillis())
                : trainRows < n ? Long.valueOf(timestamps[order[trainRows]]) : null;
        return new Split(order, trainRows, holdoutFrom);
    }

    /** As the summary and the help say it. */
    @Override
    public String toString() {
        return last != null ? "the last " + DurationText.format(last) + " of the range"
                : "the newest " + String.format(Locale.ROOT, "%.3g", fraction).replaceAll("\\.?0+$", "") + " of the rows";
    }

    /**
     * Row indices in time order, the first {@code trainRows} for training, the rest held out.
     *
     * @param holdoutFromMs the first held-out timestamp (for a duration, the range's end minus it); null when nothing
     *                      is held out
     */
    public record Split(int[] order, int trainRows, Long holdoutFromMs) {
        public int holdoutRows() {
            return order.length - trainRows;
        }
    }
}
