package io.streamscore.trainer.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardizerTest {

    @Test
    void aSpreadWithinTheRoundingOfTheMeanIsNoSpread() {
        assertTrue(Standardizer.withinRounding(0, 5.0, 10));
        assertTrue(Standardizer.withinRounding(1e-34, 0.1, 1000), "0.1 repeated: std ~1e-17");
        assertFalse(Standardizer.withinRounding(1e-20, 0.0, 10));
        assertFalse(Standardizer.withinRounding(1e-12, 1000.0, 1000), "std 1e-6 around 1000 is real");
    }

    @Test
    void meansAndPopulationStds() {
        Dataset d = new Dataset(List.of("a", "b"), new double[] {1, 10, 3, 10, 5, 10}, new double[] {0, 1, 0}, "t");
        List<String> warnings = new ArrayList<>();
        io.streamscore.common.Standardization s = Standardizer.fit(d, warnings);
        assertEquals(3.0, s.mean()[0]);
        assertEquals(Math.sqrt(8.0 / 3), s.std()[0], 1e-15);
        assertEquals(1.0, s.std()[1], "constant column");
        assertEquals(1, warnings.size());
    }
}
