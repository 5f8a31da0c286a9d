package dev.headend.cache.http.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headend.cache.http.HttpDates;
import dev.headend.cache.http.HttpFields;
import dev.headend.testkit.ManualClock;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The client side of http-tests/cache-tests: sends each test's requests through the cache under
 * test and checks what comes back and what the origin saw, following the suite's documented
 * semantics. Time is simulated: {@code pause_after} advances the shared clock by 3 s.
 */
final class CacheTestsRunner {
  private static final Set<String> DATE_HEADERS =
      Set.of("date", "expires", "last-modified", "if-modified-since", "if-unmodified-since");
  private static final DateTimeFormatter RFC850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  /** How one test ended. */
  enum Verdict {
    PASS,
    FAIL,
    SETUP_FAIL
  }

  record Result(String id, Verdict verdict, String message) {}

  private final ManualClock clock;
  private final CacheTestsOrigin origin;
  private final InetSocketAddress cache;

  CacheTestsRunner(ManualClock clock, CacheTestsOrigin origin, InetSocketAddress cache) {
    this.clock = clock;
    this.origin = origin;
    this.cache = cache;
  }

  /** A check failed; {@code setup} says whether it was a setup check. */
  static final class CheckFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean setup;

    CheckFailed(boolean setup, String message) {
      super(message);
      this.setup = setup;
    }
  }

  private static void check(boolean setup, boolean condition, String message) throws CheckFailed {
    if (!condition) {
      throw new CheckFailed(setup, message);
    }
  }

  private static boolean setupCheck(JsonNode config, String what) {
    if (config.path("setup").asBoolean(false)) {
      return true;
    }
    for (JsonNode s : config.path("setup_tests")) {
      if (s.asText().equals(what)) {
        return true;
      }
    }
    return false;
  }

  /** A response as the client saw it. */
  record Received(
      int status,
      HttpFields fields,
      String body,
      List<Integer> interimStatuses,
      List<HttpFields> interimFields) {
    String header(String name) {
      return fields.combined(name);
    }
  }

  Result run(JsonNode test) {
    String id = test.get("id").asText();
    String uuid = UUID.randomUUID().toString();
    List<JsonNode> requests = inflate(test);
    origin.register(uuid, requests);
    List<Received> responses = new ArrayList<>();
    try {
      for (int i = 0; i < requests.size(); i++) {
        JsonNode config = requests.get(i);
        Received r = send(uuid, i, config, i > 0 ? responses.get(i - 1) : null);
        responses.add(r);
        checkResponse(uuid, i, config, r);
        if (config.path("pause_after").asBoolean(false)) {
          clock.advance(Duration.ofSeconds(3));
        }
      }
      checkServer(requests, responses, origin.seen(uuid));
      return new Result(id, Verdict.PASS, "");
    } catch (CheckFailed e) {
      return new Result(id, e.setup ? Verdict.SETUP_FAIL : Verdict.FAIL, e.getMessage());
    } catch (IOException | MalformedHttpMessageException e) {
      return new Result(id, Verdict.FAIL, "exchange failed: " + e);
    }
  }

  /** Deep-copies the requests; dates stay relative until the origin or a check fixes them. */
  private static List<JsonNode> inflate(JsonNode test) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode raw : test.get("requests")) {
      ObjectNode config = raw.deepCopy();
      config.put("id", test.get("id").asText());
      out.add(config);
    }
    return out;
  }

  static String httpDate(long baseMillis, long deltaSeconds, String format) {
    Instant t = Instant.ofEpochMilli(baseMillis + deltaSeconds * 1000);
    return "rfc850".equals(format) ? RFC850.format(t) : HttpDates.format(t);
  }

  /** The suite's fixupHeader: integer dates relative to the server's now, magic locations. */
  static String fixup(JsonNode header, JsonNode config, long serverNowMillis, String baseUrl) {
    String name = header.get(0).asText().toLowerCase(Locale.ROOT);
    JsonNode v = header.get(1);
    if (DATE_HEADERS.contains(name) && v.isIntegralNumber()) {
      String format = null;
      for (JsonNode f : config.path("rfc850date")) {
        if (f.asText().equalsIgnoreCase(name)) {
          format = "rfc850";
        }
      }
      return httpDate(serverNowMillis, v.asLong(), format);
    }
    String value = v.asText();
    if ((name.equals("location") || name.equals("content-location"))
        && config.path("magic_locations").asBoolean(false)) {
      return value.isEmpty() ? baseUrl : baseUrl + "/" + value;
    }
    return value;
  }

  private Received send(String uuid, int idx, JsonNode config, Received previous)
      throws IOException, MalformedHttpMessageException {
    String path = "/t/" + uuid;
    if (config.has("filename")) {
      path += "/" + config.get("filename").asText();
    }
    if (config.has("query_arg")) {
      path += "?" + config.get("query_arg").asText();
    }
    String method = config.path("request_method").asText("GET");
    HttpFields.Builder f = HttpFields.builder();
    f.add("Host", "cache-tests.test");
    f.add("Pragma", "foo");
    f.add("Cache-Control", "nothing-to-see-here");
    for (JsonNode h : config.path("request_headers")) {
      String value;
      if (config.path("magic_ims").asBoolean(false)
          && h.get(0).asText().equalsIgnoreCase("if-modified-since")
          && h.get(1).isIntegralNumber()) {
        long serverNow = Long.parseLong(previous.header("Server-Now"));
        value = fixup(h, config, serverNow, "");
      } else {
        value = h.get(1).asText();
      }
      f.add(h.get(0).asText(), value);
    }
    f.add("Test-ID", config.get("id").asText());
    f.add("Req-Num", Integer.toString(idx + 1));
    byte[] body = config.path("request_body").asText("").getBytes(StandardCharsets.UTF_8);
    if (config.has("request_body")) {
      f.add("Content-Length", Integer.toString(body.length));
    }
    f.add("Connection", "close");
    try (Socket s = new Socket()) {
      s.connect(cache, 5000);
      s.setSoTimeout(10000);
      OutputStream out = s.getOutputStream();
      Http1.writeHead(out, method + " " + path + " HTTP/1.1", f.build());
      out.write(body);
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      List<Integer> interim = new ArrayList<>();
      List<HttpFields> interimFields = new ArrayList<>();
      while (true) {
        byte[] headBytes = Http1.readHead(in, 65536);
        if (headBytes == null) {
          throw new IOException("the cache closed the connection without a response");
        }
        Http1.ResponseHead head = Http1.parseResponseHead(headBytes, headBytes.length);
        if (head.status() < 200) {
          interim.add(head.status());
          interimFields.add(head.fields());
          continue;
        }
        byte[] content =
            method.equals("HEAD") || head.status() == 204 || head.status() == 304
                ? new byte[0]
                : Http1.readBody(in, Http1.framing(head.fields(), false), 1 << 20);
        return new Received(
            head.status(),
            head.fields(),
            new String(content, StandardCharsets.UTF_8),
            interim,
            interimFields);
      }
    }
  }

  private static void checkResponse(String uuid, int idx, JsonNode config, Received r)
      throws CheckFailed {
    int reqNum = idx + 1;
    String countHeader = r.header("Server-Request-Count");
    int resNum = countHeader == null ? -1 : parseIntOr(countHeader, -1);
    String numbers = r.header("Request-Numbers");
    if (numbers != null) {
      String[] parts = numbers.split(" ");
      check(true, parts.length == Set.of(parts).size(), "retry: request numbers " + numbers);
    }
    if (config.has("expected_type")) {
      boolean setup = setupCheck(config, "expected_type");
      String type = config.get("expected_type").asText();
      if (type.equals("cached") && !(r.status() == 304 && countHeader == null)) {
        check(
            setup,
            resNum >= 0 && resNum < reqNum,
            "Response " + reqNum + " does not come from cache");
      }
      if (type.equals("not_cached")) {
        check(setup, resNum == reqNum, "Response " + reqNum + " comes from cache");
      }
    }
    if (config.has("expected_status")) {
      if (!config.get("expected_status").isNull()) {
        int expected = config.get("expected_status").asInt();
        check(
            setupCheck(config, "expected_status"),
            r.status() == expected,
            "Response " + reqNum + " status is " + r.status() + ", not " + expected);
      }
    } else if (config.has("response_status")) {
      int expected = config.get("response_status").get(0).asInt();
      check(
          true,
          r.status() == expected,
          "Response " + reqNum + " status is " + r.status() + ", not " + expected);
    } else if (r.status() == 999) {
      check(
          setupCheck(config, "expected_type"),
          false,
          "Request " + reqNum + " should have been conditional, but it was not");
    } else {
      check(
          true, r.status() == 200, "Response " + reqNum + " status is " + r.status() + ", not 200");
    }
    if (config.has("expected_response_headers")) {
      boolean setup = setupCheck(config, "expected_response_headers");
      for (JsonNode h : config.get("expected_response_headers")) {
        if (h.isTextual()) {
          check(
              setup,
              r.fields().contains(h.asText()),
              "Response " + reqNum + " " + h.asText() + " header not present");
        } else if (h.size() > 2) {
          String name = h.get(0).asText();
          check(
              setup,
              r.fields().contains(name),
              "Response " + reqNum + " " + name + " header not present");
          String value = r.header(name);
          String op = h.get(1).asText();
          if (op.equals("=")) {
            String other = r.header(h.get(2).asText());
            check(
                setup,
                value.equals(other),
                "Response "
                    + reqNum
                    + " header "
                    + name
                    + " is "
                    + value
                    + ", should match "
                    + other);
          } else if (op.equals(">")) {
            check(
                setup,
                parseIntOr(value, Integer.MIN_VALUE) > h.get(2).asLong(),
                "Response "
                    + reqNum
                    + " header "
                    + name
                    + " is "
                    + value
                    + ", should be bigger than "
                    + h.get(2));
          }
        } else {
          String name = h.get(0).asText();
          String expected =
              fixup(h, config, parseLongOr(r.header("Server-Now"), 0), r.header("Server-Base-Url"));
          check(
              setup,
              expected.equals(r.header(name)),
              "Response "
                  + reqNum
                  + " header "
                  + name
                  + " is \""
                  + r.header(name)
                  + "\", not \""
                  + expected
                  + "\"");
        }
      }
    }
    if (config.has("expected_response_headers_missing")) {
      boolean setup = setupCheck(config, "expected_response_headers_missing");
      for (JsonNode h : config.get("expected_response_headers_missing")) {
        if (h.isTextual()) {
          check(
              setup,
              !r.fields().contains(h.asText()),
              "Response "
                  + reqNum
                  + " includes unexpected header "
                  + h.asText()
                  + ": \""
                  + r.header(h.asText())
                  + "\"");
        } else {
          String v = r.header(h.get(0).asText());
          check(
              setup,
              v == null || !v.contains(h.get(1).asText()),
              "Response "
                  + reqNum
                  + " header "
                  + h.get(0).asText()
                  + " still has value \""
                  + v
                  + "\"");
        }
      }
    }
    if (config.has("expected_interim_responses")) {
      JsonNode expected = config.get("expected_interim_responses");
      boolean ok = expected.size() == r.interimStatuses().size();
      for (int i = 0; ok && i < expected.size(); i++) {
        JsonNode e = expected.get(i);
        ok = e.get(0).asInt() == r.interimStatuses().get(i);
        for (JsonNode h : e.path(1)) {
          ok &= h.get(1).asText().equals(r.interimFields().get(i).combined(h.get(0).asText()));
        }
      }
      check(
          false,
          ok,
          "Response " + reqNum + " interim responses " + r.interimStatuses() + ", not " + expected);
    }
    if (config.has("check_body") && !config.get("check_body").asBoolean()) {
      return;
    }
    if (config.has("expected_response_text")) {
      if (!config.get("expected_response_text").isNull()) {
        String expected = config.get("expected_response_text").asText();
        check(
            setupCheck(config, "expected_response_text"),
            r.body().equals(expected),
            "Response body is \"" + r.body() + "\", not \"" + expected + "\"");
      }
    } else if (config.hasNonNull("response_body")) {
      String expected = config.get("response_body").asText();
      check(
          true,
          r.body().equals(expected),
          "Response body is \"" + r.body() + "\", not \"" + expected + "\"");
    } else if (r.status() != 204
        && r.status() != 304
        && !config.path("request_method").asText("GET").equals("HEAD")) {
      check(true, r.body().equals(uuid), "Response body is \"" + r.body() + "\", not the uuid");
    }
  }

  private static void checkServer(
      List<JsonNode> requests, List<Received> responses, List<CacheTestsOrigin.Seen> seen)
      throws CheckFailed {
    int testIdx = 0;
    for (int i = 0; i < requests.size(); i++) {
      JsonNode config = requests.get(i);
      Received response = responses.get(i);
      CacheTestsOrigin.Seen server = testIdx < seen.size() ? seen.get(testIdx) : null;
      int reqNum = i + 1;
      boolean typeSetup = setupCheck(config, "expected_type");
      List<String> validating = new ArrayList<>();
      if (config.has("expected_type")) {
        String type = config.get("expected_type").asText();
        if (type.equals("cached")) {
          continue;
        }
        if (type.equals("not_cached")) {
          check(
              typeSetup,
              server != null && server.requestNum() == reqNum,
              "Response "
                  + reqNum
                  + " comes from cache ("
                  + (server == null ? "nothing" : server.requestNum())
                  + " on server)");
        }
        if (type.equals("etag_validated")) {
          validating.add("if-none-match");
        }
        if (type.equals("lm_validated")) {
          validating.add("if-modified-since");
        }
      }
      testIdx++;
      for (String v : validating) {
        check(typeSetup, server != null, "request " + reqNum + " wasn't sent to server");
        check(
            typeSetup,
            server.requestHeaders().containsKey(v),
            "request " + reqNum + " doesn't have " + v + " header");
      }
      if (config.has("expected_request_headers")) {
        boolean setup = setupCheck(config, "expected_request_headers");
        check(setup, server != null, "request " + reqNum + " wasn't sent to server");
        for (JsonNode h : config.get("expected_request_headers")) {
          if (h.isTextual()) {
            check(
                setup,
                server.requestHeaders().containsKey(h.asText().toLowerCase(Locale.ROOT)),
                "Request " + reqNum + " " + h.asText() + " header not present");
          } else {
            String got = server.requestHeaders().get(h.get(0).asText().toLowerCase(Locale.ROOT));
            check(
                setup,
                h.get(1).asText().equals(got),
                "Request "
                    + reqNum
                    + " header "
                    + h.get(0).asText()
                    + " is \""
                    + got
                    + "\", not \""
                    + h.get(1).asText()
                    + "\"");
          }
        }
      }
      if (server != null) {
        for (String[] h : server.savedResponseHeaders()) {
          if (h[0].equalsIgnoreCase("date")) {
            continue;
          }
          String received = response.header(h[0]);
          check(
              true,
              h[1].equals(received),
              "Response "
                  + reqNum
                  + " header "
                  + h[0]
                  + " is \""
                  + received
                  + "\", not \""
                  + h[1]
                  + "\"");
        }
      }
      if (config.has("expected_method")) {
        String expected = config.get("expected_method").asText();
        check(
            setupCheck(config, "expected_method"),
            server != null && expected.equals(server.method()),
            "Request "
                + reqNum
                + " had method "
                + (server == null ? "none" : server.method())
                + ", not "
                + expected);
      }
    }
  }

  private static int parseIntOr(String s, int fallback) {
    if (s == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static long parseLongOr(String s, long fallback) {
    if (s == null) {
      return fallback;
    }
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
