package io.streamscore.common;

import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What {@code --version} prints for every streamscore program: the version the build wrote into the runnable jar's
 * manifest ({@code Implementation-Version}, from the Maven project version), with the Kafka client and Java versions
 * it runs on, so that a bug report says exactly what ran.
 */
public final class BuildVersion {
    private BuildVersion() {
    }

    /**
     * The version of the jar that holds {@code mainClass}; {@code "development build"} when it is not run from a built
     * jar (from an IDE or {@code target/classes}), where no manifest names one.
     */
    public static String of(Class<?> mainClass) {
        String v = mainClass.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** One line: {@code "<program> <version> (Kafka <clients version>, Java <runtime version>)"}. */
    public static String line(String program, Class<?> mainClass) {
        return program + " " + of(mainClass) + " (Kafka " + AppInfoParser.getVersion() + ", Java "
                + Runtime.version() + ")";
    }
}
