package dev.headend.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.headend.cache.http.Decision;
import dev.headend.cache.http.HttpCache;
import dev.headend.cache.http.HttpDates;
import dev.headend.cache.http.HttpFields;
import dev.headend.cache.http.HttpRequest;
import dev.headend.cache.http.HttpResponse;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP cache's decision for a typical browser request against a typical stored response ({@code
 * public, max-age=3600}, Date, ETag, Last-Modified, {@code Vary: Accept-Encoding}): {@code lookup}
 * returns the response to serve, with its Age. Beside it, the same key read from a bare Caffeine
 * cache (the storage floor under the policy) and a stale lookup that builds the conditional
 * request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpFreshnessBenchmark {
  static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

  HttpCache cache;
  HttpRequest request;
  HttpRequest revalidating;
  Cache<String, HttpResponse> caffeine;
  String key;
  Instant fresh;

  @Setup(Level.Trial)
  public void setUp() {
    cache = HttpCache.builder().build();
    request =
        new HttpRequest(
            "GET",
            URI.create("http://www.example.test/static/app.js?v=42"),
            HttpFields.of(
                "Host", "www.example.test",
                "User-Agent",
                    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
                "Accept", "*/*",
                "Accept-Language", "en-GB,en;q=0.5",
                "Accept-Encoding", "gzip, deflate, br, zstd",
                "Referer", "http://www.example.test/",
                "Connection", "keep-alive"));
    HttpResponse origin =
        HttpResponse.of(
            200,
            HttpFields.of(
                "Date", HttpDates.format(T0),
                "Content-Type", "application/javascript",
                "Cache-Control", "public, max-age=3600",
                "ETag", "\"5f1c-63a2b1c9\"",
                "Last-Modified", HttpDates.format(T0.minusSeconds(86_400)),
                "Vary", "Accept-Encoding",
                "Server", "nginx"),
            "x".repeat(20_000));
    Decision miss = cache.lookup(request, T0);
    cache.complete(miss, origin, T0, T0);
    revalidating =
        request.withFields(request.fields().toBuilder().add("Cache-Control", "no-cache").build());
    fresh = T0.plusSeconds(120);
    if (cache.lookup(request, fresh).action() != Decision.Action.SERVE) {
      throw new IllegalStateException("setup: the stored response should be fresh");
    }
    caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
    key = "http://www.example.test/static/app.js?v=42";
    caffeine.put(key, origin);
  }

  /** A fresh hit: the response to serve, Age included. */
  @Benchmark
  public HttpResponse lookupFreshHeadend() {
    return cache.lookup(request, fresh).response();
  }

  /** A request with no-cache: the conditional request to send upstream. */
  @Benchmark
  public HttpRequest lookupValidateHeadend() {
    return cache.lookup(revalidating, fresh).upstreamRequest();
  }

  /** The storage floor: the same key from a bare Caffeine cache, no HTTP semantics. */
  @Benchmark
  public HttpResponse getCaffeine() {
    return caffeine.getIfPresent(key);
  }
}
