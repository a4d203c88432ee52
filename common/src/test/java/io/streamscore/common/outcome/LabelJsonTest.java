package io.streamscore.common.outcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelJsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1|1", "0|0", "true|1", "false|0", "1.0|1", "0.0|0", "\"1\"|1", "\"0\"|0", "\"TRUE\"|1", "\"False\"|0",
            "\"1.0\"|1"})
    void readsTheTrainersLabelGrammar(String label, int expected) throws Exception {
        Label l = LabelJson.parse(utf8("{\"eventId\":\"e-1\",\"label\":" + label + "}"));
        assertEquals(new Label("e-1", expected), l);
    }

    @Test
    void ignoresOtherFieldsAndAcceptsSchemaVersionOne() throws Exception {
        assertEquals(new Label("e-9", 1), LabelJson.parse(utf8(
                "{\"schemaVersion\":1,\"source\":{\"team\":\"fraud-ops\"},\"eventId\":\"e-9\",\"label\":true,\"note\":null}")));
    }

    @Test
    void writesWhatItReads() throws Exception {
        Label l = new Label("e-\u00e9\"x", 0);
        assertEquals(l, LabelJson.parse(LabelJson.toBytes(l)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "not json", "[1]", "{\"eventId\":\"e-1\"}", "{\"label\":1}", "{\"eventId\":\"\",\"label\":1}",
            "{\"eventId\":7,\"label\":1}", "{\"eventId\":\"e-1\",\"label\":2}", "{\"eventId\":\"e-1\",\"label\":0.5}",
            "{\"eventId\":\"e-1\",\"label\":\"yes\"}", "{\"eventId\":\"e-1\",\"label\":[1]}",
            "{\"eventId\":\"e-1\",\"label\":{}}", "{\"eventId\":\"e-1\",\"label\":1}{}",
            "{\"eventId\":\"e-1\",\"label\":1,\"label\":0}", "{\"schemaVersion\":2,\"eventId\":\"e-1\",\"label\":1}",
            "{\"eventId\":\"e-1\",\"label\":null}"})
    void refusesWhatIsNotALabel(String json) {
        LabelException e = assertThrows(LabelException.class, () -> LabelJson.parse(utf8(json)));
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void refusesNullAndInvalidUtf8() {
        assertThrows(LabelException.class, () -> LabelJson.parse(null));
        assertThrows(LabelException.class, () -> LabelJson.parse(new byte[]{'{', '"', (byte) 0xC0, (byte) 0x80, '"', '}'}));
    }
}
