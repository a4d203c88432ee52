# One build, two runnable images: `--target trainer` and `--target scorer` (docker-compose.yml uses both).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:17-jre AS trainer
WORKDIR /app
COPY --from=build /src/trainer/target/trainer.jar /app/trainer.jar
RUN useradd --system --uid 10001 app && mkdir /data && chown app /data
USER app
ENTRYPOINT ["java", "-jar", "/app/trainer.jar"]

FROM eclipse-temurin:17-jre AS scorer
WORKDIR /app
COPY --from=build /src/scorer/target/scorer.jar /app/scorer.jar
RUN useradd --system --uid 10001 app
USER app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["java", "-jar", "/app/scorer.jar"]
