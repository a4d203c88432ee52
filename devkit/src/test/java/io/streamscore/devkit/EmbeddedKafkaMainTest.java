package io.streamscore.devkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaMainTest {

    @Test
    void shouldPrintUsageWithTheOptionsAndExitZeroOnHelp() {
        StringWriter out = new StringWriter();
        int code = EmbeddedKafkaMain.commandLine(new PrintWriter(out), new PrintWriter(new StringWriter()))
                .execute("--help");
        assertEquals(EmbeddedKafkaMain.EXIT_OK, code);
        assertTrue(out.toString().contains("--port"), out.toString());
        assertTrue(out.toString().contains("--data-dir"), out.toString());
    }

    @Test
    void shouldExitTwoOnAnUnknownOption() {
        StringWriter err = new StringWriter();
        int code = EmbeddedKafkaMain.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("--no-such-flag");
        assertEquals(2, code);
        assertTrue(err.toString().contains("--no-such-flag"), err.toString());
    }
}
