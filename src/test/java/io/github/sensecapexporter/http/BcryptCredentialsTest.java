package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.http.BcryptCredentials.Verdict;
import io.github.sensecapexporter.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

class BcryptCredentialsTest {
  private static final String HASH = BCrypt.hashpw("right", BCrypt.gensalt(4));
  private static final String CLIENT = "192.0.2.1";

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
      assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
      assertEquals(Verdict.DENIED, credentials.check("prometheus", "wrong", CLIENT));
      assertEquals(Verdict.DENIED, credentials.check("stranger", "right", CLIENT));
    }
    assertEquals(3, checks.get());
  }

  @Test
  void noNumberOfWrongPasswordsPushesOutTheRightOne() {
    BcryptCredentials credentials = counting();
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
    for (int i = 0; i < 3000; i++) {
      credentials.check("prometheus", "wrong-" + i, CLIENT);
    }
    int before = checks.get();
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
    assertEquals(before, checks.get());
  }

  /** A checker whose check of the password "slow" holds bcrypt until {@code release}. */
  private static BcryptCredentials blockingOnSlow(
      CountDownLatch inside, CountDownLatch release, long waitMillis) {
    return new BcryptCredentials(
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
        },
        waitMillis);
  }

  @Test
  void aCheckThatFindsBcryptBusyIsBusyAndAnsweredFromTheCacheOtherwise() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BcryptCredentials credentials = blockingOnSlow(inside, release, 50);
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
    CompletableFuture<Verdict> slow =
        CompletableFuture.supplyAsync(() -> credentials.check("prometheus", "slow", CLIENT));
    inside.await();
    assertEquals(Verdict.BUSY, credentials.check("prometheus", "another", CLIENT));
    assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
    release.countDown();
    assertEquals(Verdict.DENIED, slow.get());
    assertEquals(Verdict.DENIED, credentials.check("prometheus", "another", CLIENT));
  }

  @Test
  void aPasswordLongerThanBcryptReadsIsRefusedEvenWhenItsStartIsRight() {
    String hash = BCrypt.hashpw("x".repeat(72), BCrypt.gensalt(4));
    BcryptCredentials credentials = new BcryptCredentials(Map.of("u", new Secret(hash)));
    assertEquals(Verdict.ALLOWED, credentials.check("u", "x".repeat(72), CLIENT));
    assertEquals(Verdict.DENIED, credentials.check("u", "x".repeat(73), CLIENT));
  }

  @Test
  void aLoginNeverSeenBeforeIsCheckedWithinSecondsDuringAFloodAndThenRemembered() throws Exception {
    AtomicInteger rightChecks = new AtomicInteger();
    BcryptCredentials credentials =
        new BcryptCredentials(
            Map.of("prometheus", new Secret(HASH)),
            (password, hash) -> {
              if (password.equals("right")) {
                rightChecks.incrementAndGet();
              }
              try {
                Thread.sleep(30); // what a check of a higher cost would take, without the CPU
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return BCrypt.checkpw(password, hash);
            });
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger busy = new AtomicInteger();
    ExecutorService attackers = Executors.newFixedThreadPool(8);
    try {
      for (int a = 0; a < 8; a++) {
        int attacker = a;
        attackers.submit(
            () -> {
              for (int i = 0; flooding.get(); i++) {
                if (credentials.check("prometheus", "guess-" + attacker + "-" + i, "203.0.113.9")
                    == Verdict.BUSY) {
                  busy.incrementAndGet();
                }
              }
            });
      }
      Thread.sleep(300);
      long start = System.nanoTime();
      assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", CLIENT));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 3000, "checked after " + millis + " ms");
      assertEquals(Verdict.ALLOWED, credentials.check("prometheus", "right", "198.51.100.7"));
      assertEquals(1, rightChecks.get());
      assertTrue(busy.get() > 0, "the flood was never refused");
    } finally {
      flooding.set(false);
      attackers.shutdown();
      assertTrue(attackers.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void atMostThreeWaitOnePerAddressAndTheRestAreBusyAtOnce() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BcryptCredentials credentials = blockingOnSlow(inside, release, 30_000);
    CompletableFuture<Verdict> slow =
        CompletableFuture.supplyAsync(() -> credentials.check("prometheus", "slow", "a"));
    inside.await();
    List<CompletableFuture<Verdict>> waiting = new ArrayList<>();
    for (String client : List.of("b", "c", "d")) {
      waiting.add(
          CompletableFuture.supplyAsync(
              () -> credentials.check("prometheus", "wait-" + client, client),
              Executors.newSingleThreadExecutor()));
      int expected = waiting.size();
      Await.until(
          Duration.ofSeconds(5), expected + " waiting", () -> credentials.waiters() == expected);
    }
    long start = System.nanoTime();
    assertEquals(Verdict.BUSY, credentials.check("prometheus", "one-more", "e"));
    assertEquals(Verdict.BUSY, credentials.check("prometheus", "again", "b"));
    assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "the refusals waited");
    release.countDown();
    assertEquals(Verdict.DENIED, slow.get());
    for (CompletableFuture<Verdict> waiter : waiting) {
      assertEquals(Verdict.DENIED, waiter.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void anUnknownUserCostsABcryptRunAtTheHighestConfiguredCostAndIsRefused() {
    List<String> checked = new ArrayList<>();
    BcryptCredentials credentials =
        new BcryptCredentials(
            Map.of(
                "cheap", new Secret(HASH),
                "dear", new Secret(BCrypt.hashpw("other", BCrypt.gensalt(6))),
                "middle", new Secret(BCrypt.hashpw("other", BCrypt.gensalt(5)))),
            (password, hash) -> {
              checked.add(hash);
              return BCrypt.checkpw(password, hash);
            });
    assertEquals(Verdict.DENIED, credentials.check("stranger", "right", CLIENT));
    assertEquals(1, checked.size());
    assertTrue(checked.get(0).matches("\\$2a\\$06\\$[./A-Za-z0-9]{53}"), checked.get(0));
    assertEquals(
        Verdict.DENIED,
        new BcryptCredentials(Map.of("cheap", new Secret(HASH))).check("stranger", "", CLIENT));
  }

  @Test
  void startingHashesNothingEvenAtCost31() {
    // bcrypt at cost 31 would take days; no password is ever checked against this one.
    String dear = "$2a$31$" + "abcdefghijklmnopqrstuv" + "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0";
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> new BcryptCredentials(Map.of("u", new Secret(dear)), (password, hash) -> false));
  }
}
