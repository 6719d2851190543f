package io.github.sensecapexporter.http;

import io.github.sensecapexporter.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Checks logins against bcrypt hashes as Prometheus' exporter-toolkit does: each (user, password)
 * result is cached, and bcrypt runs one check at a time. Where the toolkit queues every check
 * behind the mutex, few may wait here: at most {@link #WAITERS}, one per client address, each for
 * at most {@link #WAIT_MILLIS}, in the order they came; any other check that finds bcrypt busy is
 * answered {@link Verdict#BUSY} at once. So a flood of made-up passwords costs one core at most and
 * is mostly refused, a login seen before is answered from the cache without waiting, and a login
 * never seen before, from an address other than the flood's, waits its turn behind a few checks
 * instead of being refused for as long as the flood lasts.
 *
 * <p>An accepted password is remembered per user, so that no number of wrong ones can push it out;
 * refusals are remembered in a bounded table, oldest first out. Neither holds a password: the cache
 * keys are SHA-256 digests salted with a random value of this process. An unknown user costs a
 * bcrypt check too, so that timing does not tell which users exist.
 */
final class BcryptCredentials {
  enum Verdict {
    ALLOWED,
    DENIED,
    BUSY
  }

  /** Whether a password matches a bcrypt hash. */
  interface Hasher {
    boolean matches(String password, String hash);
  }

  // Enough for every client of a misconfigured fleet to be refused from memory.
  private static final int REMEMBERED_REFUSALS = 1024;
  private static final int MAX_PASSWORD_BYTES = 72;
  // A check at cost 10 takes tens of milliseconds: a second covers the few ahead of a waiter, and
  // a request held longer is better told to come back.
  static final int WAITERS = 3;
  static final long WAIT_MILLIS = 1000;
  private static final String BCRYPT_ALPHABET =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final Map<String, Secret> users;
  private final Hasher hasher;
  private final String decoy;
  private final byte[] salt = new byte[16];
  private final long waitMillis;
  // Fair, so that a waiter is not overtaken by a check that comes later.
  private final Semaphore bcrypt = new Semaphore(1, true);
  private final Semaphore waiting = new Semaphore(WAITERS);
  private final Map<Object, Boolean> waitingFrom = new ConcurrentHashMap<>();
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final Map<String, Boolean> refused =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED_REFUSALS;
        }
      };

  BcryptCredentials(Map<String, Secret> users) {
    this(users, BcryptCredentials::bcryptMatches);
  }

  BcryptCredentials(Map<String, Secret> users, Hasher hasher) {
    this(users, hasher, WAIT_MILLIS);
  }

  BcryptCredentials(Map<String, Secret> users, Hasher hasher, long waitMillis) {
    this.users = Map.copyOf(users);
    this.hasher = hasher;
    this.waitMillis = waitMillis;
    SecureRandom random = new SecureRandom();
    random.nextBytes(salt);
    this.decoy = decoy(highestCost(this.users), random);
  }

  /** The cost of the dearest hash: an unknown user must take no less time than any known one. */
  static int highestCost(Map<String, Secret> users) {
    return users.values().stream()
        .mapToInt(hash -> Integer.parseInt(hash.reveal().substring(4, 6)))
        .max()
        .orElseThrow();
  }

  /**
   * A well-formed bcrypt hash of {@code cost}, salt and digest drawn at random rather than hashed
   * (hashing would cost a check at start-up, hours at cost 31): checking a password against it
   * takes a bcrypt run of that cost, and no password matches it.
   */
  static String decoy(int cost, SecureRandom random) {
    StringBuilder decoy = new StringBuilder("$2a$%02d$".formatted(cost));
    for (int i = 0; i < 53; i++) {
      decoy.append(BCRYPT_ALPHABET.charAt(random.nextInt(BCRYPT_ALPHABET.length())));
    }
    return decoy.toString();
  }

  /**
   * Whether {@code password} is {@code user}'s, answered from the cache when it can be, else by
   * bcrypt when it is free or becomes free within the wait; {@code client} is the address asking
   * (any value; null for one not known), of which only one check at a time may wait.
   */
  Verdict check(String user, String password, Object client) {
    String key = digest(user, password);
    if (key.equals(accepted.get(user))) {
      return Verdict.ALLOWED;
    }
    synchronized (refused) {
      if (refused.get(key) != null) {
        return Verdict.DENIED;
      }
    }
    if (!acquire(client == null ? Boolean.FALSE : client)) {
      return Verdict.BUSY;
    }
    boolean matches;
    Secret hash = users.get(user);
    try {
      matches = hasher.matches(password, hash == null ? decoy : hash.reveal()) && hash != null;
    } finally {
      bcrypt.release();
    }
    if (matches) {
      accepted.put(user, key);
      return Verdict.ALLOWED;
    }
    synchronized (refused) {
      refused.put(key, Boolean.TRUE);
    }
    return Verdict.DENIED;
  }

  /** How many checks wait for bcrypt now. */
  int waiters() {
    return WAITERS - waiting.availablePermits();
  }

  /** Whether bcrypt was taken, at once or after a wait. */
  private boolean acquire(Object client) {
    try {
      // Timed, even with no wait: a fair semaphore lets an untimed tryAcquire overtake waiters.
      if (bcrypt.tryAcquire(0, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (waitingFrom.putIfAbsent(client, Boolean.TRUE) != null) {
        return false;
      }
      try {
        if (!waiting.tryAcquire()) {
          return false;
        }
        try {
          return bcrypt.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        } finally {
          waiting.release();
        }
      } finally {
        waitingFrom.remove(client);
      }
    } catch (InterruptedException e) {
      // The server is stopping.
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String digest(String user, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      sha.update(user.getBytes(StandardCharsets.UTF_8));
      // User names cannot hold ':', so no other pair gives the same bytes.
      sha.update((byte) ':');
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static boolean bcryptMatches(String password, String hash) {
    // bcrypt reads 72 bytes at most, and this library ignores the rest: without this, any
    // password sharing its first 72 bytes with the right one would be let in.
    return password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES
        && BCrypt.checkpw(password, hash);
  }
}
