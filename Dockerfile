# The exporter's image: built with Maven, run on a JRE as an unprivileged user.
# docker-compose.yml builds it; alone (README.md, "Install: Docker and Compose"):
#   docker build --build-arg VERSION=... --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t sensecap-exporter .

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so that a change to the sources reuses this layer.
COPY pom.xml .
RUN mvn -B -ntp dependency:go-offline
COPY src src
# .git stays out of the build context (.dockerignore): the revision the jar reports comes from here.
# The full commit goes into the OCI label; the jar gets its first 7 characters, the abbreviation a
# build from a git checkout records, so that one commit is one build_info value however it was built.
ARG REVISION=unknown
RUN mvn -B -ntp package -DskipTests -Dsensecap.revision="$(printf %.7s "$REVISION")"

FROM eclipse-temurin:17.0.15_6-jre
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="sensecap-exporter" \
      org.opencontainers.image.description="Prometheus exporter for SenseCAP OpenStream (MQTT)" \
      org.opencontainers.image.source="https://github.com/sensecap-exporter/sensecap-exporter" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
RUN groupadd --system --gid 10001 exporter \
 && useradd --system --uid 10001 --gid exporter --no-create-home --shell /usr/sbin/nologin exporter \
 && mkdir -p /var/lib/sensecap-exporter \
 && chown exporter:exporter /var/lib/sensecap-exporter
COPY --from=build /src/target/sensecap-exporter.jar /opt/sensecap-exporter/lib/sensecap-exporter.jar
# The launcher sizes the JVM from the configuration (README.md, Sizing); JAVA_OPTS add to it.
COPY --chmod=0755 bin/sensecap-exporter /opt/sensecap-exporter/bin/sensecap-exporter
# application.conf is read from the working directory; mount one here to configure by file.
WORKDIR /opt/sensecap-exporter
USER exporter:exporter
EXPOSE 9816
# The series survive restarts in the volume.
ENV SENSECAP_STATE_PATH=/var/lib/sensecap-exporter/state
VOLUME /var/lib/sensecap-exporter
# Why the launcher's --probe, and /-/healthy rather than /-/ready: README.md, "Healthchecks" under
# "Install: Docker and Compose".
# Another sensecap.http.port, or HTTPS, needs its own HEALTHCHECK here or in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/opt/sensecap-exporter/bin/sensecap-exporter", "--probe", "http://127.0.0.1:9816/-/healthy"]
ENTRYPOINT ["/opt/sensecap-exporter/bin/sensecap-exporter"]
