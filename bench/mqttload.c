/*
 * mqttload: a minimal MQTT 3.1.1 load tool over a raw TCP socket, for bench/run.
 *
 *   mqttload pub   publish SenseCAP-shaped readings at a paced rate (QoS 0 or 1)
 *   mqttload sub   subscribe and only count PUBLISH packets (PUBACK at QoS 1)
 *   mqttload check read a /metrics scrape on stdin and check every series' final value
 *
 * Series i (0-based) is device d = i / M, measurement 4097 + i % M, with M measurements a device
 * (--per-device, 1 to 13, default 4):
 *   /device_sensor_data/<org>/2CF7F1C0<d as 8 hex>/1/2CF7F1C1<d as 8 hex>/<4097 + i % M>
 * Messages go round-robin over the series; the last message of each series in a run carries
 * the value <final> + i, so a scrape afterwards can be checked exactly.
 *
 * Build: gcc -O2 -pthread -o mqttload mqttload.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const unsigned char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    buf += n;
    len -= (size_t)n;
  }
}

static int read_full(int fd, unsigned char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = read(fd, buf, len);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static size_t put_remlen(unsigned char *p, size_t len) {
  size_t i = 0;
  do {
    unsigned char b = len % 128;
    len /= 128;
    if (len > 0) b |= 0x80;
    p[i++] = b;
  } while (len > 0);
  return i;
}

static size_t put_str(unsigned char *p, const char *s, size_t len) {
  p[0] = (unsigned char)(len >> 8);
  p[1] = (unsigned char)(len & 0xff);
  memcpy(p + 2, s, len);
  return len + 2;
}

static int connect_tcp(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
    exit(1);
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0) die("socket");
  if (connect(fd, res->ai_addr, res->ai_addrlen) < 0) die("connect");
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* CONNECT with clean session, keep-alive 0; waits for CONNACK. */
static void mqtt_connect(int fd, const char *client_id) {
  unsigned char buf[512], body[400];
  size_t b = 0;
  b += put_str(body + b, "MQTT", 4);
  body[b++] = 4;    /* protocol level 3.1.1 */
  body[b++] = 0x02; /* clean session */
  body[b++] = 0;
  body[b++] = 0; /* keep-alive off */
  b += put_str(body + b, client_id, strlen(client_id));
  size_t n = 0;
  buf[n++] = 0x10;
  n += put_remlen(buf + n, b);
  memcpy(buf + n, body, b);
  write_all(fd, buf, n + b);
  unsigned char ack[4];
  if (read_full(fd, ack, 4) < 0 || ack[0] != 0x20 || ack[3] != 0) {
    fprintf(stderr, "mqttload: CONNACK refused or missing\n");
    exit(1);
  }
}

static const char *arg(int argc, char **argv, const char *name, const char *dflt) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return dflt;
}

/* ------------------------------------------------------------------ pub */

static atomic_long acked;
static int pub_fd;

static void *ack_reader(void *unused) {
  (void)unused;
  static unsigned char buf[1 << 16];
  size_t have = 0;
  for (;;) {
    ssize_t n = read(pub_fd, buf + have, sizeof buf - have);
    if (n <= 0) return NULL;
    have += (size_t)n;
    size_t off = 0;
    long puback = 0;
    while (have - off >= 2) {
      /* the broker sends us only short packets: PUBACK, PINGRESP */
      size_t len = buf[off + 1];
      if (have - off < 2 + len) break;
      if ((buf[off] & 0xf0) == 0x40) puback++;
      off += 2 + len;
    }
    memmove(buf, buf + off, have - off);
    have -= off;
    atomic_fetch_add(&acked, puback);
  }
}

static int cmd_pub(int argc, char **argv) {
  const char *host = arg(argc, argv, "--host", "127.0.0.1");
  const char *port = arg(argc, argv, "--port", "1883");
  const char *org = arg(argc, argv, "--org", "521853156991");
  int qos = atoi(arg(argc, argv, "--qos", "0"));
  double rate = atof(arg(argc, argv, "--rate", "10000")); /* 0: as fast as possible */
  double duration = atof(arg(argc, argv, "--duration", "8"));
  long series = atol(arg(argc, argv, "--series", "1000"));
  long offset = atol(arg(argc, argv, "--offset", "0")); /* first series index */
  long count = atol(arg(argc, argv, "--count", "0"));   /* 0: rate * duration */
  double final_base = atof(arg(argc, argv, "--final", "0"));
  long window = atol(arg(argc, argv, "--window", "60000"));
  long per = atol(arg(argc, argv, "--per-device", "4"));
  if (window > 65000) window = 65000;
  if (per < 1 || per > 13) {
    fprintf(stderr, "mqttload pub: --per-device must be 1 to 13\n");
    return 2;
  }
  if (count <= 0) count = (long)(rate * duration);
  if (series <= 0 || count <= 0) {
    fprintf(stderr, "mqttload pub: nothing to publish\n");
    return 2;
  }

  char client_id[64];
  snprintf(client_id, sizeof client_id, "mqttload-pub-%d", (int)getpid());
  pub_fd = connect_tcp(host, port);
  mqtt_connect(pub_fd, client_id);
  pthread_t reader;
  pthread_create(&reader, NULL, ack_reader, NULL);

  /* Pacing without spinning (the machine may have few cores): wake about once a millisecond
   * (tick messages), then send in one write every message that is due by now, at most max_batch. */
  long max_batch = 1024;
  long tick = rate > 0 ? (long)(rate / 1000) : 1;
  if (tick < 1) tick = 1;
  unsigned char *buf = malloc((size_t)max_batch * 256);
  unsigned packet_id = 0;
  long sent = 0;
  double t0 = now_s();
  while (sent < count) {
    long n = max_batch;
    if (rate > 0) {
      double wait = t0 + (sent + tick - 1) / rate - now_s();
      if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
      }
      n = (long)((now_s() - t0) * rate) - sent + 1;
      if (n < 1) n = 1;
      if (n > max_batch) n = max_batch;
    }
    if (n > count - sent) n = count - sent;
    if (qos > 0) {
      while (sent + n - atomic_load(&acked) > window) usleep(50);
    }
    long long ts_ms = wall_ms();
    size_t len = 0;
    for (long j = 0; j < n; j++) {
      long k = sent + j;
      long s = offset + k % series;
      char topic[160], body[96];
      size_t tl = (size_t)snprintf(topic, sizeof topic,
                                   "/device_sensor_data/%s/2CF7F1C0%08lX/1/2CF7F1C1%08lX/%ld", org,
                                   s / per, s / per, 4097 + s % per);
      size_t bl;
      if (k >= count - series) {
        bl = (size_t)snprintf(body, sizeof body, "{\"value\":%.17g,\"timestamp\":%lld}",
                              final_base + (double)s, ts_ms);
      } else {
        bl = (size_t)snprintf(body, sizeof body, "{\"value\":%.1f,\"timestamp\":%lld}",
                              20.5 + (double)((k / series) % 50), ts_ms);
      }
      unsigned char *p = buf + len;
      size_t rem = 2 + tl + (qos > 0 ? 2 : 0) + bl;
      p[0] = (unsigned char)(0x30 | (qos << 1));
      size_t h = 1 + put_remlen(p + 1, rem);
      h += put_str(p + h, topic, tl);
      if (qos > 0) {
        packet_id = packet_id % 65535 + 1;
        p[h++] = (unsigned char)(packet_id >> 8);
        p[h++] = (unsigned char)(packet_id & 0xff);
      }
      memcpy(p + h, body, bl);
      len += h + bl;
    }
    write_all(pub_fd, buf, len);
    sent += n;
  }
  double t_sent = now_s() - t0;
  double t_acked = t_sent;
  if (qos > 0) {
    double give_up = now_s() + 60;
    while (atomic_load(&acked) < sent && now_s() < give_up) usleep(200);
    t_acked = now_s() - t0;
  }
  unsigned char disc[2] = {0xe0, 0};
  write_all(pub_fd, disc, 2);
  shutdown(pub_fd, SHUT_WR);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("published=%ld elapsed=%.3f rate=%.0f acked=%ld acked_elapsed=%.3f cpu_pct=%.0f\n", sent, t_sent,
         sent / t_sent, qos > 0 ? atomic_load(&acked) : sent, t_acked, 100 * cpu / t_acked);
  fflush(stdout);
  return (qos > 0 && atomic_load(&acked) < sent) ? 1 : 0;
}

/* ------------------------------------------------------------------ sub */

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void write_count(const char *path, long count) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  fprintf(f, "%ld\n", count);
  fclose(f);
  rename(tmp, path);
}

static int cmd_sub(int argc, char **argv) {
  const char *host = arg(argc, argv, "--host", "127.0.0.1");
  const char *port = arg(argc, argv, "--port", "1883");
  const char *org = arg(argc, argv, "--org", "521853156991");
  int qos = atoi(arg(argc, argv, "--qos", "0"));
  const char *count_file = arg(argc, argv, "--count-file", "mqttload-sub.count");
  char filter[256];
  snprintf(filter, sizeof filter, "/device_sensor_data/%s/+/+/+/+", org);
  const char *topic = arg(argc, argv, "--topic", filter);

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  char client_id[64];
  snprintf(client_id, sizeof client_id, "mqttload-sub-%d", (int)getpid());
  int fd = connect_tcp(host, port);
  mqtt_connect(fd, client_id);
  unsigned char sb[512];
  size_t tl = strlen(topic), n = 0;
  sb[n++] = 0x82;
  n += put_remlen(sb + n, 2 + 2 + tl + 1);
  sb[n++] = 0;
  sb[n++] = 1;
  n += put_str(sb + n, topic, tl);
  sb[n++] = (unsigned char)qos;
  write_all(fd, sb, n);

  size_t cap = 1 << 20, have = 0;
  unsigned char *buf = malloc(cap);
  unsigned char *out = malloc(cap);
  long count = 0;
  int subscribed = 0;
  double next_report = 0;
  while (!stop) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int pr = poll(&pfd, 1, 100);
    if (pr < 0 && errno != EINTR) die("poll");
    if (pr > 0) {
      ssize_t r = read(fd, buf + have, cap - have);
      if (r == 0) {
        fprintf(stderr, "mqttload sub: broker closed the connection\n");
        break;
      }
      if (r < 0) {
        if (errno == EINTR) continue;
        die("read");
      }
      have += (size_t)r;
      size_t off = 0, olen = 0;
      for (;;) {
        if (have - off < 2) break;
        size_t len = 0, mult = 1, i = 1;
        int complete = 0;
        while (off + i < have && i <= 4) {
          unsigned char b = buf[off + i];
          len += (b & 0x7f) * mult;
          mult *= 128;
          i++;
          if (!(b & 0x80)) {
            complete = 1;
            break;
          }
        }
        if (!complete || have - off < i + len) break;
        unsigned char type = buf[off] >> 4;
        if (type == 3) {
          count++;
          if ((buf[off] >> 1) & 3) {
            const unsigned char *v = buf + off + i;
            size_t t = ((size_t)v[0] << 8) | v[1];
            out[olen++] = 0x40;
            out[olen++] = 2;
            out[olen++] = v[2 + t];
            out[olen++] = v[3 + t];
            if (olen + 4 > cap) {
              write_all(fd, out, olen);
              olen = 0;
            }
          }
        } else if (type == 9 && !subscribed) {
          subscribed = 1;
          fprintf(stderr, "mqttload sub: subscribed to %s at QoS %d\n", topic, qos);
          write_count(count_file, 0);
        }
        off += i + len;
      }
      if (olen > 0) write_all(fd, out, olen);
      memmove(buf, buf + off, have - off);
      have -= off;
      if (have == cap) {
        cap *= 2;
        buf = realloc(buf, cap);
        out = realloc(out, cap);
      }
    }
    double t = now_s();
    if (subscribed && t >= next_report) {
      write_count(count_file, count);
      next_report = t + 0.1;
    }
  }
  write_count(count_file, count);
  return 0;
}

/* ------------------------------------------------------------------ check */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* series index from a line, or -1: device 2CF7F1C0xxxxxxxx and a measurement ID after mid_key */
static long series_of(const char *line, const char *mid_key, int mid_at_label_end, long per) {
  const char *d = strstr(line, "2CF7F1C0");
  if (!d) return -1;
  long dev = 0;
  for (int i = 8; i < 16; i++) {
    int h = hexval(d[i]);
    if (h < 0) return -1;
    dev = dev * 16 + h;
  }
  const char *m = strstr(line, mid_key);
  if (!m) return -1;
  m += strlen(mid_key);
  long mid;
  if (mid_at_label_end) {
    const char *q = strchr(m, '"');
    if (!q || q - m < 4) return -1;
    mid = atol(q - 4);
  } else {
    mid = atol(m);
  }
  if (mid < 4097 || mid >= 4097 + per) return -1;
  return dev * per + (mid - 4097);
}

static int cmd_check(int argc, char **argv) {
  long series = atol(arg(argc, argv, "--series", "1000"));
  const char *final_arg = arg(argc, argv, "--final", NULL); /* absent: presence only */
  const char *format = arg(argc, argv, "--format", "exporter");
  long per = atol(arg(argc, argv, "--per-device", "4"));
  int peer = strcmp(format, "peer") == 0;
  const char *metric = arg(argc, argv, "--metric", peer ? "sensecap_value" : "sensecap_measurement_value");
  double final_base = final_arg ? atof(final_arg) : 0;
  char prefix[256];
  snprintf(prefix, sizeof prefix, "%s{", metric);
  size_t plen = strlen(prefix);
  unsigned char *seen = calloc((size_t)series, 1);
  long present = 0, wrong = 0, extra = 0, shown = 0;
  char *line = NULL;
  size_t lcap = 0;
  ssize_t ll;
  while ((ll = getline(&line, &lcap, stdin)) > 0) {
    if (strncmp(line, prefix, plen) != 0) continue;
    long s = peer ? series_of(line, "sensor=\"", 1, per) : series_of(line, "measurement_id=\"", 0, per);
    if (s < 0 || s >= series) {
      extra++;
      continue;
    }
    if (!seen[s]) present++;
    seen[s] = 1;
    if (final_arg) {
      const char *close = strrchr(line, '}');
      double v = close ? strtod(close + 1, NULL) : -1;
      if (v != final_base + (double)s) {
        wrong++;
        if (shown++ < 3) fprintf(stderr, "mqttload check: series %ld has %.17g, expected %.17g\n", s, v, final_base + (double)s);
      }
    }
  }
  long missing = series - present;
  printf("present=%ld missing=%ld wrong=%ld extra=%ld\n", present, missing, wrong, extra);
  return (missing == 0 && wrong == 0) ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "pub") == 0) return cmd_pub(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "sub") == 0) return cmd_sub(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "check") == 0) return cmd_check(argc, argv);
  fprintf(stderr,
          "usage: mqttload pub --port P --qos 0|1 --rate R --duration S --series N [--count C] "
          "[--offset O] [--final F] [--org ORG] [--window W] [--per-device M]\n"
          "       mqttload sub --port P --qos 0|1 --count-file FILE [--org ORG]\n"
          "       mqttload check --series N [--final F] --format exporter|peer [--metric NAME] "
          "[--per-device M] < scrape\n");
  return 2;
}
