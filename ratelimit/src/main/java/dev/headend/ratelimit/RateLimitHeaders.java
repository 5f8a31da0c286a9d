package dev.headend.ratelimit;

import java.time.Duration;
import java.util.Optional;

/**
 * HTTP response fields for a decision: {@code Retry-After} (RFC 9110 §10.2.3) and the IETF {@code
 * RateLimit-Policy} / {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers-10: Structured
 * Field lists whose members are a quoted policy name with parameters). Several policies go in one
 * field as a comma-separated list: {@code String.join(", ", a, b)}.
 *
 * <pre>{@code
 * RateLimit-Policy: "per-user";q=100;w=60
 * RateLimit: "per-user";r=42;t=18
 * Retry-After: 3
 * }</pre>
 */
public final class RateLimitHeaders {
  private RateLimitHeaders() {}

  /**
   * The {@code Retry-After} value: whole seconds until the request would be allowed, rounded up (a
   * client retrying then is not refused again); empty if it never would be.
   */
  public static Optional<String> retryAfter(Decision decision) {
    if (decision.waitNanos() == Decision.NEVER) {
      return Optional.empty();
    }
    return Optional.of(Long.toString(secondsUp(decision.waitNanos())));
  }

  /** A {@code RateLimit-Policy} member: {@code "name";q=<quota>;w=<window seconds>}. */
  public static String policy(String name, Limit limit) {
    long w = Math.max(1, secondsUp(limit.window().toNanos()));
    return quoted(name) + ";q=" + limit.quota() + ";w=" + w;
  }

  /**
   * A {@code RateLimit} member: {@code "name";r=<remaining>;t=<seconds until the quota is back in
   * full>}.
   */
  public static String rateLimit(String name, Decision decision) {
    return quoted(name) + ";r=" + decision.remaining() + ";t=" + secondsUp(decision.resetNanos());
  }

  private static long secondsUp(long nanos) {
    long second = Duration.ofSeconds(1).toNanos();
    return nanos / second + (nanos % second == 0 ? 0 : 1);
  }

  /** An sf-string (RFC 9651 §3.3.3): printable ASCII, with {@code "} and {@code \} escaped. */
  private static String quoted(String name) {
    StringBuilder b = new StringBuilder(name.length() + 2).append('"');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException(
            "policy name must be printable ASCII; character "
                + i
                + " is U+"
                + String.format("%04X", (int) c));
      }
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }
}
