package io.streamscore.devkit.junit;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Resolves {@code EmbeddedKafkaBroker} parameters of classes annotated {@link SharedKafkaBroker} to their family's
 * broker. The brokers live in the root context's store, so they outlast every class and are closed (they are
 * {@link AutoCloseable}, which JUnit 5.13+ closes with the store) once the whole run in this JVM is over.
 */
public final class SharedKafkaBrokerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SharedKafkaBrokerExtension.class);
    private static final Logger LOG = LoggerFactory.getLogger(SharedKafkaBrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class && annotation(context).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        SharedKafkaBroker annotation = annotation(context).orElseThrow();
        String testClass = context.getRequiredTestClass().getName();
        Map<String, String> properties = parse(annotation.brokerProperties(), testClass);
        Family family = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(annotation.family(),
                name -> Family.start(name, properties, testClass), Family.class);
        if (!family.properties().equals(properties)) {
            throw new ParameterResolutionException(testClass + " asks for the shared broker family '" + family.name()
                    + "' with broker properties " + properties + ", but " + family.startedFor() + " started it with "
                    + family.properties() + "; give the class its own family or the same properties");
        }
        if (!family.broker().isRunning()) {
            throw new ParameterResolutionException("the shared broker family '" + family.name() + "' ("
                    + family.broker() + ") is not running: a test stopped it; tests that stop the broker must start "
                    + "their own");
        }
        return family.broker();
    }

    private static Optional<SharedKafkaBroker> annotation(ExtensionContext context) {
        // Nested classes inherit their enclosing class's family.
        for (Optional<Class<?>> c = context.getTestClass(); c.isPresent(); c = Optional.ofNullable(c.get().getEnclosingClass())) {
            Optional<SharedKafkaBroker> found = AnnotationSupport.findAnnotation(c.get(), SharedKafkaBroker.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> parse(String[] pairs, String testClass) {
        Map<String, String> properties = new TreeMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ParameterResolutionException(testClass + ": broker property '" + pair
                        + "' is not key=value");
            }
            properties.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return Collections.unmodifiableMap(properties);
    }

    /** One family's broker, its properties and the class that started it (for error messages). */
    private record Family(String name, Map<String, String> properties, String startedFor, EmbeddedKafkaBroker broker)
            implements AutoCloseable {

        static Family start(String name, Map<String, String> properties, String startedFor) {
            long startNanos = System.nanoTime();
            EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
            properties.forEach(builder::withBrokerProperty);
            EmbeddedKafkaBroker broker = builder.start();
            LOG.info("Shared broker family '{}' started for {} on {} in {} ms", name, startedFor,
                    broker.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return new Family(name, properties, startedFor, broker);
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
