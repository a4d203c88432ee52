package io.streamscore.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runnable jars the image ships say the version the build gave them: {@code --version} prints the project version
 * from the root pom (written into each jar's manifest by the build), not a string in the code.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PackagedJarsVersionTest {
    @Test
    void everyJarPrintsTheProjectVersionItWasBuiltAs() throws Exception {
        Path root = DockerComposeTest.repositoryRoot();
        Matcher m = Pattern.compile("<artifactId>streamscore-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(root.resolve("pom.xml")));
        assertTrue(m.find(), "the root pom names the project version");
        String version = m.group(1);
        for (String program : List.of("scorer", "trainer")) { // the images' programs; the demo is built after this module
            Path jar = root.resolve(program).resolve("target").resolve(program + ".jar");
            assertTrue(Files.exists(jar), jar + " is built before the end-to-end tests run");
            Process p = new ProcessBuilder("java", "-jar", jar.toString(), "--version").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.startsWith(program + " " + version + " (Kafka "), program + " --version: " + out);
        }
    }
}
