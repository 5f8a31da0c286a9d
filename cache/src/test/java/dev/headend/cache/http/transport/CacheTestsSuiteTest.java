package dev.headend.cache.http.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headend.cache.http.HttpCache;
import dev.headend.testkit.ManualClock;
import dev.headend.testkit.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Runs the independent http-tests/cache-tests suite (../shared/testdata/http-cache) through {@link
 * HttpCachingProxy}: a real client, the proxy and a scripted origin on loopback, time simulated.
 *
 * <p>Every {@code required} test whose dependencies pass must pass. The {@code optimal} and {@code
 * check} tests are held to {@code cache-tests-expected.txt}: the ids listed there pass today and
 * must keep passing (a regression fails the build); an id passing that is not listed is reported so
 * the file can be extended.
 */
class CacheTestsSuiteTest {
  @Test
  void cacheTestsSuite() throws IOException {
    JsonNode suites =
        new ObjectMapper()
            .readTree(TestData.bytes("http-cache", "cache-tests", "cache-tests.json"));
    ManualClock clock = ManualClock.at(Instant.parse("2026-11-25T12:00:00Z"));
    HttpCache cache = HttpCache.builder().shared(true).targetedFields("CDN-Cache-Control").build();
    Map<String, CacheTestsRunner.Result> results = new LinkedHashMap<>();
    Map<String, JsonNode> tests = new LinkedHashMap<>();
    try (CacheTestsOrigin origin = new CacheTestsOrigin(clock);
        HttpCachingProxy proxy =
            HttpCachingProxy.builder(cache, origin.address()).clock(clock).start()) {
      CacheTestsRunner runner = new CacheTestsRunner(clock, origin, proxy.address());
      for (JsonNode suite : suites) {
        for (JsonNode test : suite.get("tests")) {
          if (test.path("browser_only").asBoolean(false)) {
            continue;
          }
          tests.put(test.get("id").asText(), test);
          results.put(test.get("id").asText(), runner.run(test));
        }
      }
    }

    List<String> requiredFailures = new ArrayList<>();
    TreeSet<String> passingOthers = new TreeSet<>();
    int required = 0;
    int requiredCounted = 0;
    StringBuilder report = new StringBuilder();
    for (Map.Entry<String, CacheTestsRunner.Result> e : results.entrySet()) {
      JsonNode test = tests.get(e.getKey());
      String kind = test.path("kind").asText("required");
      CacheTestsRunner.Result r = e.getValue();
      boolean dependencyFailed = false;
      for (JsonNode dep : test.path("depends_on")) {
        CacheTestsRunner.Result d = results.get(dep.asText());
        dependencyFailed |= d != null && d.verdict() != CacheTestsRunner.Verdict.PASS;
      }
      report.append(String.format("%-10s %-9s %s %s%n", r.verdict(), kind, r.id(), r.message()));
      if (kind.equals("required")) {
        required++;
        if (!dependencyFailed) {
          requiredCounted++;
          if (r.verdict() != CacheTestsRunner.Verdict.PASS) {
            requiredFailures.add(r.id() + ": " + r.message());
          }
        }
      } else if (r.verdict() == CacheTestsRunner.Verdict.PASS) {
        passingOthers.add(r.id());
      }
    }
    System.out.print(report);
    System.out.printf(
        "cache-tests: %d tests run, required %d (%d with dependencies met), "
            + "optimal/check passing %d%n",
        results.size(), required, requiredCounted, passingOthers.size());

    assertEquals(List.of(), requiredFailures, "required cache-tests failing");
    TreeSet<String> expected = expectedPassing();
    TreeSet<String> regressed = new TreeSet<>(expected);
    regressed.removeAll(passingOthers);
    assertEquals(
        new TreeSet<String>(), regressed, "optimal/check cache-tests that stopped passing");
    TreeSet<String> newlyPassing = new TreeSet<>(passingOthers);
    newlyPassing.removeAll(expected);
    assertTrue(
        newlyPassing.isEmpty(),
        "optimal/check cache-tests now passing; add them to cache-tests-expected.txt: "
            + newlyPassing);
  }

  private static TreeSet<String> expectedPassing() throws IOException {
    TreeSet<String> ids = new TreeSet<>();
    try (InputStream in =
        CacheTestsSuiteTest.class.getResourceAsStream("cache-tests-expected.txt")) {
      if (in == null) {
        return ids;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          ids.add(t);
        }
      }
    }
    return ids;
  }
}
