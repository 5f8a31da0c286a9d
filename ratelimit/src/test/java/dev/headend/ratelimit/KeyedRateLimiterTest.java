package dev.headend.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {
  private static final Limit TWO_PER_SECOND = Limit.fixedWindow(2, Duration.ofSeconds(1));

  @Test
  void keysAreLimitedSeparately() {
    KeyedRateLimiter<String> l = KeyedRateLimiter.builder(TWO_PER_SECOND).build();
    assertTrue(l.tryAcquire("alice", 2, 0));
    assertFalse(l.tryAcquire("alice", 1, 0));
    assertTrue(l.tryAcquire("bob", 2, 0));
    Decision d = l.decide("alice", 1, 500_000_000);
    assertEquals(new Decision(false, 0, 500_000_000, 500_000_000), d);
    assertEquals(TWO_PER_SECOND, l.limit());
  }

  @Test
  void millionsOfKeysStayWithinTheBound() {
    KeyedRateLimiter<Integer> l =
        KeyedRateLimiter.builder(Limit.slidingLog(5, Duration.ofHours(1)))
            .maximumKeys(1000)
            .build();
    for (int k = 0; k < 200_000; k++) {
      assertTrue(l.tryAcquire(k, 1, 0));
    }
    long kept = ((LocalKeyedRateLimiter<Integer>) l).estimatedKeys();
    assertTrue(kept <= 1000, "kept " + kept + " keys");
  }

  @Test
  void addressesCanShareALimitPerPrefix() {
    KeyedRateLimiter<IpPrefix> perPrefix = KeyedRateLimiter.builder(TWO_PER_SECOND).build();
    KeyedRateLimiter<IpAddress> perClient = perPrefix.keyedBy(Keys.ipPrefix(24, 64));
    assertTrue(perClient.tryAcquire(IpAddress.parse("192.0.2.10"), 1, 0));
    assertTrue(perClient.tryAcquire(IpAddress.parse("192.0.2.200"), 1, 0));
    assertFalse(perClient.tryAcquire(IpAddress.parse("192.0.2.99"), 1, 0), "same /24");
    assertTrue(perClient.tryAcquire(IpAddress.parse("192.0.3.1"), 1, 0));
    assertTrue(perClient.tryAcquire(IpAddress.parse("2001:db8:1:2::1"), 2, 0));
    assertFalse(perClient.decide(IpAddress.parse("2001:db8:1:2:ffff::9"), 1, 0).allowed());
    assertTrue(perClient.tryAcquire(IpAddress.parse("2001:db8:1:3::1"), 1, 0), "another /64");
    assertThrows(IllegalArgumentException.class, () -> Keys.ipPrefix(33, 64));
  }

  @Test
  void theClockVariantsUseTheConfiguredClock() {
    long[] now = {0};
    KeyedRateLimiter<String> l =
        KeyedRateLimiter.builder(TWO_PER_SECOND).nanoClock(() -> now[0]).build();
    assertTrue(l.tryAcquire("k", 2));
    assertFalse(l.decide("k", 1).allowed());
    now[0] = 1_000_000_000;
    assertTrue(l.decide("k", 2).allowed());
  }

  @Test
  void nullKeysAndBadSizesAreRefused() {
    KeyedRateLimiter<String> l = KeyedRateLimiter.builder(TWO_PER_SECOND).build();
    assertThrows(NullPointerException.class, () -> l.tryAcquire(null, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> KeyedRateLimiter.builder(TWO_PER_SECOND).maximumKeys(0));
  }
}
