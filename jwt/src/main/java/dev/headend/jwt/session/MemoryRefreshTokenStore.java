package dev.headend.jwt.session;

import dev.headend.jwt.session.Rotation.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RefreshTokenStore} in this process's memory: for a single instance, and for tests. Spent
 * token hashes are kept until their session ends so reuse is still recognised; ended sessions and
 * lapsed denials are purged every 1024 writes.
 */
public final class MemoryRefreshTokenStore implements RefreshTokenStore {
  private static final int PURGE_EVERY = 1024;

  private final Map<String, TokenEntry> tokens = new ConcurrentHashMap<>();
  private final Map<String, SessionState> sessions = new ConcurrentHashMap<>();
  private final Map<String, Instant> deniedIds = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final Clock clock;

  private record TokenEntry(String sessionId, Instant expiresAt) {}

  private static final class SessionState {
    final Session session;
    String currentHash;
    boolean revoked;

    SessionState(Session session, String currentHash) {
      this.session = session;
      this.currentHash = currentHash;
    }
  }

  /** A store that purges by the system clock. */
  public MemoryRefreshTokenStore() {
    this(Clock.systemUTC());
  }

  /** A store that purges by {@code clock} (use the session manager's clock). */
  public MemoryRefreshTokenStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void createSession(Session session, String tokenHash, Instant tokenExpiresAt) {
    sessions.put(session.id(), new SessionState(session, tokenHash));
    tokens.put(tokenHash, new TokenEntry(session.id(), tokenExpiresAt));
    wrote();
  }

  @Override
  public Rotation rotate(String tokenHash, String newTokenHash, Instant now, Instant newExpiresAt) {
    TokenEntry entry = tokens.get(tokenHash);
    SessionState state = entry == null ? null : sessions.get(entry.sessionId());
    if (state == null) {
      return new Rotation(Outcome.UNKNOWN, null);
    }
    Rotation r;
    synchronized (state) {
      if (state.revoked) {
        r = new Rotation(Outcome.REVOKED, state.session);
      } else if (!tokenHash.equals(state.currentHash)) {
        state.revoked = true;
        r = new Rotation(Outcome.REUSED, state.session);
      } else if (!now.isBefore(state.session.expiresAt()) || !now.isBefore(entry.expiresAt())) {
        r = new Rotation(Outcome.EXPIRED, state.session);
      } else {
        state.currentHash = newTokenHash;
        tokens.put(newTokenHash, new TokenEntry(state.session.id(), newExpiresAt));
        r = new Rotation(Outcome.ROTATED, state.session);
      }
    }
    wrote();
    return r;
  }

  @Override
  public Optional<String> revokeByToken(String tokenHash) {
    TokenEntry entry = tokens.get(tokenHash);
    if (entry == null) {
      return Optional.empty();
    }
    revokeSession(entry.sessionId());
    return Optional.of(entry.sessionId());
  }

  @Override
  public void revokeSession(String sessionId) {
    SessionState state = sessions.get(sessionId);
    if (state != null) {
      synchronized (state) {
        state.revoked = true;
      }
    }
  }

  @Override
  public boolean isSessionRevoked(String sessionId) {
    SessionState state = sessions.get(sessionId);
    if (state == null) {
      return false;
    }
    synchronized (state) {
      return state.revoked;
    }
  }

  @Override
  public void denyAccessToken(String jti, Instant until) {
    deniedIds.merge(jti, until, (a, b) -> a.isAfter(b) ? a : b);
    wrote();
  }

  @Override
  public boolean isAccessTokenDenied(String jti, Instant now) {
    Instant until = deniedIds.get(jti);
    return until != null && now.isBefore(until);
  }

  /** Sessions held (live, revoked or ended but not yet purged). */
  public int sessionCount() {
    return sessions.size();
  }

  /** Drops ended sessions, their token hashes, and lapsed denials. */
  public void purge(Instant now) {
    sessions.values().removeIf(s -> !now.isBefore(s.session.expiresAt()));
    tokens.values().removeIf(t -> !sessions.containsKey(t.sessionId()));
    deniedIds.values().removeIf(until -> !now.isBefore(until));
  }

  private void wrote() {
    if (writes.incrementAndGet() % PURGE_EVERY == 0) {
      purge(clock.instant());
    }
  }
}
