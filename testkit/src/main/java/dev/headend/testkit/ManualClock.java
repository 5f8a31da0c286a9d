package dev.headend.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told to, for driving engines and adapters deterministically.
 * Thread-safe.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
 * engine.handle(clock.instant(), from, datagram);
 * clock.advance(Duration.ofSeconds(4));
 * engine.handleTimeout(clock.instant());
 * }</pre>
 */
public final class ManualClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock showing {@code start}, in UTC. */
  public static ManualClock at(Instant start) {
    return new ManualClock(new AtomicReference<>(Objects.requireNonNull(start)), ZoneOffset.UTC);
  }

  /** A clock showing the ISO-8601 instant {@code start}, in UTC. */
  public static ManualClock at(String start) {
    return at(Instant.parse(start));
  }

  /** Moves the clock forward by {@code step} (not negative) and returns the new time. */
  public Instant advance(Duration step) {
    if (step.isNegative()) {
      throw new IllegalArgumentException("advance moves forward; use set() to step back: " + step);
    }
    return now.updateAndGet(t -> t.plus(step));
  }

  /** Sets the time; it may go backwards, as a real clock can after an NTP step. */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view in another zone that shares this clock's time. */
  @Override
  public ManualClock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + ", " + zone + "]";
  }
}
