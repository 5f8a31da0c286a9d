package dev.headend.ratelimit.redis;

import dev.headend.ratelimit.Decision;
import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimitStore;
import dev.headend.ratelimit.RateLimitStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The six algorithms on Redis: each decision is one {@code EVALSHA} of a Lua script (loaded once,
 * reloaded if the server lost it) that reads the state, decides and writes it back atomically, with
 * the same integer arithmetic as the in-memory limiters. Without an instant the script reads the
 * Redis server's {@code TIME}, so application servers with skewed clocks agree.
 *
 * <p>Redis works in microseconds (its clock's resolution) and Lua in doubles, exact below 2^53:
 * limits whose periods are not whole microseconds, or whose arithmetic would leave that range, are
 * refused with an {@link IllegalArgumentException} naming the bound. Decisions equal the in-memory
 * ones at instants that are whole microseconds, with waits rounded up to a microsecond.
 *
 * <p>Keys expire on the server once their state is back to the initial one, so idle keys cost
 * nothing. Uses Jedis (add {@code redis.clients:jedis} to your build); any {@link UnifiedJedis}
 * works: {@code JedisPooled}, a cluster client, or a sentinel-backed one.
 *
 * <pre>{@code
 * RateLimitStore store = new RedisRateLimitStore(new JedisPooled("127.0.0.1", 6379), "rl:");
 * KeyedRateLimiter<String> perUser =
 *     KeyedRateLimiter.onStore(store, Limit.gcra(10, Duration.ofSeconds(1), 20), user -> user);
 * }</pre>
 */
public final class RedisRateLimitStore implements RateLimitStore {
  private static final String SCRIPT = loadScript();

  private final UnifiedJedis redis;
  private final String keyPrefix;
  private volatile String sha;

  /**
   * A store on {@code redis} whose keys are {@code keyPrefix} + the limiter's key name.
   *
   * @throws RateLimitStoreException if the script cannot be loaded
   */
  public RedisRateLimitStore(UnifiedJedis redis, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    this.sha = load();
  }

  @Override
  public Decision decide(String key, Limit limit, long permits) {
    return run(key, StoreScript.arguments(limit, permits, ""));
  }

  @Override
  public Decision decide(String key, Limit limit, long permits, long nowNanos) {
    return run(
        key, StoreScript.arguments(limit, permits, Long.toString(StoreScript.micros(nowNanos))));
  }

  private Decision run(String key, List<String> args) {
    List<String> keys = List.of(keyPrefix + key);
    Object reply;
    try {
      try {
        reply = redis.evalsha(sha, keys, args);
      } catch (JedisNoScriptException e) { // the server restarted or ran SCRIPT FLUSH
        sha = load();
        reply = redis.evalsha(sha, keys, args);
      }
    } catch (JedisDataException e) {
      throw new RateLimitStoreException(
          "Redis refused the rate-limit script: " + e.getMessage(), e);
    } catch (JedisException e) {
      throw new RateLimitStoreException("Redis unreachable: " + e.getMessage(), e);
    }
    return StoreScript.decision(reply);
  }

  private String load() {
    try {
      return redis.scriptLoad(SCRIPT);
    } catch (JedisException e) {
      throw new RateLimitStoreException("cannot load the rate-limit script: " + e.getMessage(), e);
    }
  }

  private static String loadScript() {
    try (InputStream in = RedisRateLimitStore.class.getResourceAsStream("ratelimit.lua")) {
      if (in == null) {
        throw new IllegalStateException("ratelimit.lua missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
