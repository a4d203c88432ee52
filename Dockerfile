# One build, two runnable images: `--target trainer` and `--target scorer` (docker-compose.yml and deploy/kubernetes use
# both).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependency-cache layer: the wrapper and the poms alone, built once with no sources, download every plugin and
# dependency. It is rebuilt only when a pom changes, so a code change rebuilds from the layer below in seconds.
COPY mvnw ./
COPY .mvn .mvn
COPY pom.xml ./
COPY common/pom.xml common/
COPY trainer/pom.xml trainer/
COPY scorer/pom.xml scorer/
COPY devkit/pom.xml devkit/
COPY bench/pom.xml bench/
COPY e2e/pom.xml e2e/
COPY demo/pom.xml demo/
RUN ./mvnw -B -q package -DskipTests -pl trainer,scorer -am
COPY . .
RUN ./mvnw -B -q -o package -DskipTests -pl trainer,scorer -am

FROM eclipse-temurin:17-jre AS trainer
WORKDIR /app
COPY --from=build /src/trainer/target/trainer.jar /app/trainer.jar
RUN useradd --system --uid 10001 app && mkdir /data && chown app /data
# --add-modules jdk.incubator.vector: each training pass runs on SIMD registers (the Vector API is an incubator module
# that a jar's manifest cannot add; without it the trainer runs its scalar kernel, about 3x slower per pass, same
# model). In the ENTRYPOINT rather than JDK_JAVA_OPTIONS, which makes every java print a "Picked up" line. The RUN
# fails the build, not the first training run, if this JRE lacks the module.
RUN java --add-modules jdk.incubator.vector -version
USER app
# Container-aware heap: 75% of the container's memory limit (the JVM reads the cgroup limit), and a clean exit rather
# than a half-working JVM when it runs out.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "--add-modules", "jdk.incubator.vector", "-jar", "/app/trainer.jar"]

FROM eclipse-temurin:17-jre AS scorer
WORKDIR /app
COPY --from=build /src/scorer/target/scorer.jar /app/scorer.jar
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8080
# Liveness (restart when failing): /health/live fails only when the scorer cannot repair itself. bash, not sh: /dev/tcp
# is a bash feature. Only the status line is matched, not a body.
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Container-aware heap (75% of the memory limit; the models live on the heap), and exit on OutOfMemoryError so that
# the orchestrator restarts the instance instead of leaving a stream thread dead in a live JVM.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/scorer.jar"]
