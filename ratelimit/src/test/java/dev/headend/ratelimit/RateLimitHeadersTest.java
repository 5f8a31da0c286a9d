package dev.headend.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
  @Test
  void retryAfterRoundsUpSoTheRetryIsNotRefused() {
    assertEquals(
        Optional.of("3"), RateLimitHeaders.retryAfter(new Decision(false, 0, 2_000_000_001L, 0)));
    assertEquals(
        Optional.of("2"), RateLimitHeaders.retryAfter(new Decision(false, 0, 2_000_000_000L, 0)));
    assertEquals(Optional.of("0"), RateLimitHeaders.retryAfter(new Decision(true, 5, 0, 0)));
    assertEquals(
        Optional.empty(), RateLimitHeaders.retryAfter(new Decision(false, 0, Decision.NEVER, 0)));
  }

  @Test
  void policyAndStateFollowTheDraftsStructuredFieldSyntax() {
    Limit limit = Limit.slidingWindowCounter(100, Duration.ofMinutes(1));
    assertEquals("\"per-user\";q=100;w=60", RateLimitHeaders.policy("per-user", limit));
    assertEquals(
        "\"per-user\";r=42;t=18",
        RateLimitHeaders.rateLimit("per-user", new Decision(true, 42, 0, 17_500_000_000L)));
    assertEquals(
        "\"a\\\"b\\\\c\";q=10;w=1",
        RateLimitHeaders.policy("a\"b\\c", Limit.fixedWindow(10, Duration.ofMillis(10))));
    assertEquals(
        "\"tb\";q=100;w=10",
        RateLimitHeaders.policy("tb", Limit.tokenBucket(100, 10, Duration.ofSeconds(1))));
  }

  @Test
  void policyNamesMustBePrintableAscii() {
    Limit limit = Limit.fixedWindow(1, Duration.ofSeconds(1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RateLimitHeaders.policy("caf\u00e9", limit));
    assertEquals("policy name must be printable ASCII; character 3 is U+00E9", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RateLimitHeaders.policy("a\nb", limit));
  }
}
