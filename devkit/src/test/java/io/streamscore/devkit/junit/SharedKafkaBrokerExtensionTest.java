package io.streamscore.devkit.junit;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs small test classes through the JUnit launcher in this JVM (one engine run, as surefire or failsafe does) and
 * checks what the extension gave them: one broker per family, running while the classes run, closed when the run ends,
 * and a clear failure for a class that asks for a family with other broker properties.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedKafkaBrokerExtensionTest {

    @Test
    void classesOfAFamilyShareOneBrokerWhichIsClosedWhenTheRunEnds() {
        TestExecutionSummary summary = run(FirstOfA.class, SecondOfA.class, OnlyOfB.class);

        assertEquals(3, summary.getTestsSucceededCount(), () -> failures(summary));
        assertNotNull(FirstOfA.seen, "FirstOfA got a broker");
        assertSame(FirstOfA.seen, SecondOfA.seen, "two classes of family a: one broker");
        assertNotSame(FirstOfA.seen, OnlyOfB.seen, "family b: its own broker");
        assertTrue(FirstOfA.runningDuringTest && SecondOfA.runningDuringTest && OnlyOfB.runningDuringTest,
                "the broker runs while the classes' tests run");
        assertFalse(FirstOfA.seen.isRunning(), "family a's broker closed at the end of the run");
        assertFalse(OnlyOfB.seen.isRunning(), "family b's broker closed at the end of the run");
        assertEquals("200", OnlyOfB.cleanerBackoff, "family b's broker property applied");
    }

    @Test
    void aClassAskingForAFamilyWithOtherPropertiesFailsAndSaysWhy() {
        TestExecutionSummary summary = run(FirstOfA.class, ConflictingA.class);

        assertEquals(1, summary.getTestsSucceededCount(), () -> failures(summary));
        List<TestExecutionSummary.Failure> failed = summary.getFailures();
        assertEquals(1, failed.size(), () -> failures(summary));
        String message = failed.get(0).getException().getMessage();
        assertTrue(message.contains("family 'a'") && message.contains(FirstOfA.class.getName())
                && message.contains("log.cleaner.backoff.ms"), message);
    }

    private static TestExecutionSummary run(Class<?>... classes) {
        LauncherDiscoveryRequest request = request()
                .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toList())
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    private static String failures(TestExecutionSummary summary) {
        StringBuilder s = new StringBuilder();
        summary.getFailures().forEach(f -> s.append(f.getTestIdentifier().getDisplayName()).append(": ")
                .append(f.getException()).append('\n'));
        return s.length() == 0 ? "no failures" : s.toString();
    }

    // The classes below are run by the launcher above, not by surefire or failsafe (which skip nested classes).

    @SharedKafkaBroker(family = "a")
    static class FirstOfA {
        static EmbeddedKafkaBroker seen;
        static boolean runningDuringTest;

        @BeforeAll
        static void broker(EmbeddedKafkaBroker shared) {
            seen = shared;
        }

        @Test
        void runs() {
            runningDuringTest = seen.isRunning();
        }
    }

    @SharedKafkaBroker(family = "a")
    static class SecondOfA {
        static EmbeddedKafkaBroker seen;
        static boolean runningDuringTest;

        @BeforeAll
        static void broker(EmbeddedKafkaBroker shared) {
            seen = shared;
        }

        @Test
        void runs() {
            runningDuringTest = seen.isRunning();
        }
    }

    @SharedKafkaBroker(family = "b", brokerProperties = "log.cleaner.backoff.ms=200")
    static class OnlyOfB {
        static EmbeddedKafkaBroker seen;
        static boolean runningDuringTest;
        static String cleanerBackoff;

        @BeforeAll
        static void broker(EmbeddedKafkaBroker shared) {
            seen = shared;
        }

        @Test
        void runs() throws Exception {
            runningDuringTest = seen.isRunning();
            try (Admin admin = seen.admin()) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, "1");
                cleanerBackoff = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                        .get(resource).get("log.cleaner.backoff.ms").value();
            }
        }
    }

    @SharedKafkaBroker(family = "a", brokerProperties = "log.cleaner.backoff.ms=200")
    static class ConflictingA {
        @BeforeAll
        static void broker(EmbeddedKafkaBroker shared) {
            fail("resolving the parameter must fail: family a exists with other broker properties");
        }

        @Test
        void runs() {
        }
    }
}
