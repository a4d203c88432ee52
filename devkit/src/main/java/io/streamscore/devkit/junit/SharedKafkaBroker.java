package io.streamscore.devkit.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One {@link io.streamscore.devkit.EmbeddedKafkaBroker} for a whole family of test classes instead of one per class:
 * the first class of the family that asks for it starts it, every later class of the family gets the same broker, and
 * it is closed when the test run (the JUnit engine's root context) ends. A class asks for it with a parameter of type
 * {@code EmbeddedKafkaBroker}, usually on its {@code @BeforeAll}:
 *
 * <pre>{@code
 * @SharedKafkaBroker
 * class ScoringIntegrationTest {
 *     private static EmbeddedKafkaBroker kafka;
 *
 *     @BeforeAll
 *     static void broker(EmbeddedKafkaBroker shared) {
 *         kafka = shared;
 *     }
 * }
 * }</pre>
 *
 * <p>Classes on a shared broker must leave it as they found it for the others: unique topic names, application ids
 * and group ids, no broker-wide config changes, never {@code stop()}, {@code restart()} or {@code close()} it. A test
 * that takes the broker away, or needs other broker settings than its family's, starts its own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SharedKafkaBrokerExtension.class)
public @interface SharedKafkaBroker {

    /** Classes naming the same family (in one test JVM) share one broker. */
    String family() default "default";

    /**
     * Broker properties of the family as {@code key=value}, on top of the devkit's single-node defaults. Every class
     * of a family must declare the same ones; a class that declares others fails to get the broker (and says why).
     */
    String[] brokerProperties() default {};
}
