package dev.headend.jwt.session.redis;

import dev.headend.jwt.session.RefreshTokenStore;
import dev.headend.jwt.session.Rotation;
import dev.headend.jwt.session.Session;
import dev.headend.jwt.session.SessionStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;

/**
 * A {@link RefreshTokenStore} on Redis (through Jedis), shared by every instance of an application.
 * Each operation is one Lua script call, so rotation is atomic across instances; keys expire with
 * their session. Times come from the caller's clock. Single-node or primary/replica Redis: the
 * rotate script reaches the session key through the token key, which Redis Cluster does not allow
 * across slots.
 *
 * <pre>{@code
 * RefreshTokenStore store = new RedisRefreshTokenStore(new JedisPooled("127.0.0.1", 6379), "auth:");
 * }</pre>
 */
public final class RedisRefreshTokenStore implements RefreshTokenStore {
  private static final String SCRIPT = loadScript();

  /** Year 9999: later expiries (a saturated {@code exp}) are clamped. */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private final UnifiedJedis redis;
  private final String prefix;
  private volatile String sha;

  /** A store using {@code redis}, with every key starting with {@code keyPrefix}. */
  public RedisRefreshTokenStore(UnifiedJedis redis, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    this.sha = load();
  }

  @Override
  public void createSession(Session s, String tokenHash, Instant tokenExpiresAt) {
    run(
        List.of(prefix + "s:" + s.id(), prefix + "t:" + tokenHash),
        "create",
        s.id(),
        s.subject(),
        s.claimsJson(),
        Long.toString(s.expiresAt().toEpochMilli()),
        tokenHash,
        Long.toString(tokenExpiresAt.toEpochMilli()));
  }

  @Override
  public Rotation rotate(String tokenHash, String newTokenHash, Instant now, Instant newExpiresAt) {
    Object reply =
        run(
            List.of(prefix + "t:" + tokenHash),
            "rotate",
            tokenHash,
            newTokenHash,
            Long.toString(now.toEpochMilli()),
            Long.toString(newExpiresAt.toEpochMilli()));
    List<?> r = (List<?>) reply;
    Rotation.Outcome outcome = Rotation.Outcome.valueOf(text(r.get(0)));
    if (r.size() == 1) {
      return new Rotation(outcome, null);
    }
    Session s =
        new Session(
            text(r.get(1)),
            text(r.get(2)),
            text(r.get(3)),
            Instant.ofEpochMilli(Long.parseLong(text(r.get(4)))));
    return new Rotation(outcome, s);
  }

  @Override
  public Optional<String> revokeByToken(String tokenHash) {
    Object reply = run(List.of(prefix + "t:" + tokenHash), "revoke_token");
    return reply == null ? Optional.empty() : Optional.of(text(reply));
  }

  @Override
  public void revokeSession(String sessionId) {
    run(List.of(prefix + "s:" + sessionId), "revoke_session");
  }

  @Override
  public boolean isSessionRevoked(String sessionId) {
    try {
      return "1".equals(redis.hget(prefix + "s:" + sessionId, "revoked"));
    } catch (JedisException e) {
      throw new SessionStoreException("Redis: cannot check session: " + e.getMessage(), e);
    }
  }

  /**
   * Denials expire by Redis's clock at {@code until}; {@link #isAccessTokenDenied} therefore
   * ignores its {@code now}.
   */
  @Override
  public void denyAccessToken(String jti, Instant until) {
    try {
      long at = Math.min(until.getEpochSecond(), MAX_EPOCH_SECOND) * 1000;
      redis.set(prefix + "j:" + jti, "1", SetParams.setParams().pxAt(at));
    } catch (JedisException e) {
      throw new SessionStoreException("Redis: cannot deny access token: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean isAccessTokenDenied(String jti, Instant now) {
    try {
      return redis.exists(prefix + "j:" + jti);
    } catch (JedisException e) {
      throw new SessionStoreException("Redis: cannot check denylist: " + e.getMessage(), e);
    }
  }

  private Object run(List<String> keys, String op, String... rest) {
    List<String> args = new ArrayList<>(rest.length + 2);
    args.add(op);
    args.add(prefix);
    args.addAll(List.of(rest));
    try {
      try {
        return redis.evalsha(sha, keys, args);
      } catch (JedisNoScriptException e) { // the server restarted or ran SCRIPT FLUSH
        sha = load();
        return redis.evalsha(sha, keys, args);
      }
    } catch (JedisException e) {
      throw new SessionStoreException("Redis: session " + op + " failed: " + e.getMessage(), e);
    }
  }

  private static String text(Object o) {
    return o instanceof byte[] ? new String((byte[]) o, StandardCharsets.UTF_8) : o.toString();
  }

  private String load() {
    try {
      return redis.scriptLoad(SCRIPT);
    } catch (JedisException e) {
      throw new SessionStoreException(
          "Redis: cannot load the session script: " + e.getMessage(), e);
    }
  }

  private static String loadScript() {
    try (InputStream in = RedisRefreshTokenStore.class.getResourceAsStream("sessions.lua")) {
      if (in == null) {
        throw new IllegalStateException("sessions.lua missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
