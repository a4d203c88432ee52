# One build, two runnable images: `--target trainer` and `--target scorer` (docker-compose.yml uses both).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q package -DskipTests

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
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-jar", "/app/trainer.jar"]

FROM eclipse-temurin:17-jre AS scorer
WORKDIR /app
COPY --from=build /src/scorer/target/scorer.jar /app/scorer.jar
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8080
# Liveness (restart when failing): /health/live fails only when the scorer cannot repair itself. bash, not sh: /dev/tcp
# is a bash feature. Only the status line is matched, not a body.
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "-jar", "/app/scorer.jar"]
