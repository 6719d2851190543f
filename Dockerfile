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
COPY --from=build /src/target/sensecap-exporter.jar /opt/sensecap-exporter/sensecap-exporter.jar
# application.conf is read from the working directory; mount one here to configure by file.
WORKDIR /opt/sensecap-exporter
USER exporter:exporter
EXPOSE 9816
# A quarter of the container's memory is the JVM's default heap: the series store needs more.
# MaxTenuringThreshold=0: many new series at once are copied once, not twice (README, Sizing).
# The series survive restarts in the volume; see sensecap.state.path.
VOLUME /var/lib/sensecap-exporter
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:MaxTenuringThreshold=0", "-Dsensecap.state.path=/var/lib/sensecap-exporter/state", "-jar", "/opt/sensecap-exporter/sensecap-exporter.jar"]
