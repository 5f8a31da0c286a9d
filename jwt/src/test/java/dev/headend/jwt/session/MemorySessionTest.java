package dev.headend.jwt.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.headend.testkit.ManualClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemorySessionTest extends SessionManagerContract {
  @Override
  RefreshTokenStore newStore(ManualClock clock) {
    return new MemoryRefreshTokenStore(clock);
  }

  @Test
  void endedSessionsArePurged() {
    MemoryRefreshTokenStore memory = (MemoryRefreshTokenStore) store;
    for (int i = 0; i < 10; i++) {
      sessions.issue("u" + i, Map.of());
    }
    assertEquals(10, memory.sessionCount());
    clock.advance(Duration.ofDays(3));
    memory.purge(clock.instant());
    assertEquals(0, memory.sessionCount());
  }
}
