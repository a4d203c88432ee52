package io.streamscore.common.event;

import java.util.Locale;

/**
 * How the scorer picks, among the versions of an event's model, the one that scores it. The wire names ({@link
 * #wireName()}) are a contract: the scorer's {@code --model-selection} flag and the score's {@code "selection"} field.
 */
public enum ModelSelection {
    /** The version served now (the highest valid, unretired version), whatever the event's timestamp. */
    LATEST("latest"),
    /**
     * The version that was being served at the event's record timestamp: the highest valid, unretired version whose
     * publish time is at or before it. A replay of the same events then scores each one as the live run did.
     */
    EVENT_TIME("event-time");

    private final String wireName;

    ModelSelection(String wireName) {
        this.wireName = wireName;
    }

    /** The name in flags, properties and score JSON: {@code latest} or {@code event-time}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The selection named {@code text} (surrounding blanks and case ignored).
     *
     * @throws IllegalArgumentException naming both accepted values
     */
    public static ModelSelection parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ModelSelection s : values()) {
            if (s.wireName.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a model selection; must be latest or event-time");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
