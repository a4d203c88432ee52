package io.streamscore.scorer;

import io.streamscore.common.event.FeatureEventException;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeadLettersTest {

    @Test
    void shouldUseTheSameHeaderNamesAsKafkaStreamsBuiltInDeadLetterQueue() {
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME, DeadLetters.HEADER_EXCEPTION);
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME, DeadLetters.HEADER_MESSAGE);
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME, DeadLetters.HEADER_STACKTRACE);
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME, DeadLetters.HEADER_TOPIC);
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME, DeadLetters.HEADER_PARTITION);
        assertEquals(ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME, DeadLetters.HEADER_OFFSET);
    }

    @Test
    void shouldNameTheRealClassificationType() {
        assertEquals(FeatureEventException.class.getName(), DeadLetters.CLASSIFIED_EXCEPTION);
    }
}
