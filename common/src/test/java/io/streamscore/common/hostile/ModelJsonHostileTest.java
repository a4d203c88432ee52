package io.streamscore.common.hostile;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelFormatException;
import io.streamscore.common.ModelJson;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelJsonHostileTest {
    private static final String GOOD = ModelJson.toCompactJson(
            new LogisticModel("fraud", 2, List.of("a", "b"), new double[]{1, 2}, 0.5, null, 0.5, null));

    @Test
    void shouldRefuseContentAfterTheDocument() {
        for (String tail : new String[]{" garbage", "}", GOOD, "[]", "0"}) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelJson.fromJson(GOOD + tail), tail);
            assertTrue(e.getMessage().startsWith("model JSON is malformed: "), e.getMessage());
        }
        assertEquals(2, ModelJson.fromJson(GOOD + " \n\t").version(), "trailing whitespace is fine");
    }
}
