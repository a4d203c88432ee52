package io.streamscore.trainer.eval.report;

import java.util.Locale;

/** Escaping and number formatting for the report page; every figure on the page goes through here. */
final class Html {
    private Html() {
    }

    /** Escapes text for use in element content and in quoted attribute values. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A metric in [0, 1] or a loss: four decimals, "n/a" when undefined (e.g. AUC with one class). */
    static String metric(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    /** A setting such as the threshold, as short as it is exact: 0.5, not 0.5000. */
    static String plain(double v) {
        return Double.isFinite(v) ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : String.valueOf(v);
    }

    /** A weight, mean or std: six significant digits, whatever the magnitude. */
    static String coefficient(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : String.valueOf(v);
    }
}
