# The exporter's image: built with Maven, run on a JRE as an unprivileged user.
# docker-compose.yml builds it; alone: docker build -t sensecap-exporter .

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so that a change to the sources reuses this layer.
COPY pom.xml .
RUN mvn -B -ntp dependency:go-offline
COPY src src
RUN mvn -B -ntp package -DskipTests

FROM eclipse-temurin:17.0.15_6-jre
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
ENTRYPOINT ["/opt/sensecap-exporter/bin/sensecap-exporter"]
