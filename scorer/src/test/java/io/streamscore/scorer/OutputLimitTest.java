package io.streamscore.scorer;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputLimitTest {

    @Test
    void shouldUseKafkasDefaultMaxRequestSizeWithASixteenKibHeadroomForDeadLetters() {
        OutputLimit l = OutputLimit.fromClientConfigs(Map.of());
        assertEquals(1_048_576, l.maxRecordBytes());
        assertEquals(1_048_576 - 16_384, l.deadLetterBudget());
        assertTrue(l.fits(1_048_576));
        assertFalse(l.fits(1_048_577));
    }

    @Test
    void shouldLetTheProducerPrefixWinOverThePlainSettingAsKafkaStreamsDoes() {
        assertEquals(200_000, OutputLimit.fromClientConfigs(Map.of("max.request.size", "100000",
                "producer.max.request.size", " 200000 ")).maxRecordBytes());
        assertEquals(100_000, OutputLimit.fromClientConfigs(Map.of("max.request.size", 100_000)).maxRecordBytes());
    }

    @Test
    void shouldTakeBufferMemoryWhenItIsTheSmaller() {
        assertEquals(65_536, OutputLimit.fromClientConfigs(Map.of("buffer.memory", "65536")).maxRecordBytes());
        assertEquals(8_000_000, OutputLimit.fromClientConfigs(Map.of("producer.max.request.size", "8000000"))
                .maxRecordBytes());
    }

    @Test
    void shouldKeepASixteenthAsHeadroomForSmallLimits() {
        assertEquals(61_440, OutputLimit.of(65_536).deadLetterBudget());
    }

    @Test
    void shouldNameAPropertyThatIsNotAPositiveInteger() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputLimit.fromClientConfigs(Map.of("producer.max.request.size", "1MB")));
        assertEquals("producer.max.request.size is '1MB'; must be a positive integer", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OutputLimit.fromClientConfigs(Map.of("buffer.memory", "0")));
    }
}
