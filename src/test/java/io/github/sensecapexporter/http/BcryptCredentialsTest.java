package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.http.BcryptCredentials.Verdict;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

class BcryptCredentialsTest {
  private static final String HASH = BCrypt.hashpw("right", BCrypt.gensalt(4));

  private final AtomicInteger checks = new AtomicInteger();

  private BcryptCredentials counting() {
    return new BcryptCredentials(
        Map.of("prometheus", new Secret(HASH)),
        (password, hash) -> {
          checks.incrementAndGet();
          return BCrypt.checkpw(password, hash);
        });
  }

  @Test
  void eachResultIsCheckedOnceAndThenRemembered() {
    BcryptCredentials credentials = counting();
    for (int i = 0; i < 3; i++) {
      assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right"));
      assertEquals(Verdict.DENIED, credentials.check("prometheus", "wrong"));
      assertEquals(Verdict.DENIED, credentials.check("stranger", "right"));
    }
    assertEquals(3, checks.get());
  }

  @Test
  void noNumberOfWrongPasswordsPushesOutTheRightOne() {
    BcryptCredentials credentials = counting();
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right"));
    for (int i = 0; i < 3000; i++) {
      credentials.check("prometheus", "wrong-" + i);
    }
    int before = checks.get();
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right"));
    assertEquals(before, checks.get());
  }

  @Test
  void aCheckThatFindsBcryptBusyIsBusyAndAnsweredFromTheCacheOtherwise() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BcryptCredentials credentials =
        new BcryptCredentials(
            Map.of("prometheus", new Secret(HASH)),
            (password, hash) -> {
              if (password.equals("slow")) {
                inside.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return BCrypt.checkpw(password, hash);
            });
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right"));
    CompletableFuture<Verdict> slow =
        CompletableFuture.supplyAsync(() -> credentials.check("prometheus", "slow"));
    inside.await();
    assertEquals(Verdict.BUSY, credentials.check("prometheus", "another"));
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right"));
    release.countDown();
    assertEquals(Verdict.DENIED, slow.get());
    assertEquals(Verdict.DENIED, credentials.check("prometheus", "another"));
  }

  @Test
  void aPasswordLongerThanBcryptReadsIsRefusedEvenWhenItsStartIsRight() {
    String hash = BCrypt.hashpw("x".repeat(72), BCrypt.gensalt(4));
    BcryptCredentials credentials = new BcryptCredentials(Map.of("u", new Secret(hash)));
    assertEquals(Verdict.ALLOWED, credentials.check("u", "x".repeat(72)));
    assertEquals(Verdict.DENIED, credentials.check("u", "x".repeat(73)));
  }
}
