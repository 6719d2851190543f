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
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Checks logins against bcrypt hashes as Prometheus' exporter-toolkit does: each (user, password)
 * result is cached, and bcrypt runs one check at a time. Where the toolkit queues the next check
 * behind the mutex, a check that finds bcrypt busy is answered {@link Verdict#BUSY} at once: a
 * flood of made-up passwords costs one core at most and is refused, while a login seen before is
 * answered from the cache without waiting.
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

  private final Map<String, Secret> users;
  private final Hasher hasher;
  private final String decoy;
  private final byte[] salt = new byte[16];
  private final Semaphore bcrypt = new Semaphore(1);
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
    this.users = Map.copyOf(users);
    this.hasher = hasher;
    new SecureRandom().nextBytes(salt);
    // A hash of the same cost as a configured one, that no password matches by chance.
    String sample = this.users.values().iterator().next().reveal();
    int cost = Integer.parseInt(sample.substring(4, 6));
    this.decoy = BCrypt.hashpw(Long.toHexString(System.nanoTime()), BCrypt.gensalt(cost));
  }

  Verdict check(String user, String password) {
    String key = digest(user, password);
    if (key.equals(accepted.get(user))) {
      return Verdict.ALLOWED;
    }
    synchronized (refused) {
      if (refused.get(key) != null) {
        return Verdict.DENIED;
      }
    }
    if (!bcrypt.tryAcquire()) {
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
