package io.streamscore.demo;

import java.io.PrintWriter;

/**
 * The demo's output for a person: plain lines, plus a status line that is redrawn in place on a terminal and printed
 * as its own line (at most once a second, by the caller) elsewhere, so a CI log stays readable.
 */
final class Console {
    private final PrintWriter out;
    private final boolean terminal;
    private int statusWidth;

    Console(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void line(String text) {
        clearStatus();
        out.println(text);
        out.flush();
    }

    void status(String text) {
        if (terminal) {
            clearStatus();
            out.print(text);
            statusWidth = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Ends a status line on a terminal so the next output starts on a fresh line. */
    void endStatus() {
        if (terminal && statusWidth > 0) {
            out.println();
            statusWidth = 0;
            out.flush();
        }
    }

    private void clearStatus() {
        if (terminal && statusWidth > 0) {
            out.print("\r" + " ".repeat(statusWidth) + "\r");
            statusWidth = 0;
        }
    }
}
