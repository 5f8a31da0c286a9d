package dev.headend.cache.http.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.headend.cache.http.HttpDates;
import dev.headend.cache.http.HttpFields;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The origin side of the http-tests/cache-tests protocol, written from the suite's documentation
 * (CONTRIBUTING.md and SOURCES.md): each test registers its request list under a uuid; a request to
 * {@code /t/<uuid>...} is answered as the numbered request's config says, and what the origin saw
 * is kept for the client to check afterwards.
 */
final class CacheTestsOrigin implements AutoCloseable {
  /** What the origin saw for one request. */
  record Seen(
      int requestNum,
      String method,
      Map<String, String> requestHeaders,
      List<String[]> savedResponseHeaders) {}

  private final Clock clock;
  private final ServerSocket server;
  private final Map<String, List<JsonNode>> configs = new ConcurrentHashMap<>();
  private final Map<String, List<Seen>> state = new ConcurrentHashMap<>();
  private final Thread acceptor;

  CacheTestsOrigin(Clock clock) throws IOException {
    this.clock = clock;
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "cache-tests-origin");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  void register(String uuid, List<JsonNode> requests) {
    configs.put(uuid, requests);
    state.put(uuid, new ArrayList<>());
  }

  List<Seen> seen(String uuid) {
    List<Seen> s = state.get(uuid);
    synchronized (s) {
      return new ArrayList<>(s);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> handle(s), "cache-tests-origin-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      byte[] head = Http1.readHead(in, 65536);
      if (head == null) {
        return;
      }
      Http1.RequestHead req = Http1.parseRequestHead(head, head.length);
      Http1.readBody(in, Http1.framing(req.fields(), true), 1 << 20);
      respond(req, out);
      out.flush();
    } catch (IOException | MalformedHttpMessageException e) {
      throw new IllegalStateException("cache-tests origin failed", e);
    }
  }

  private void respond(Http1.RequestHead req, OutputStream out) throws IOException {
    String path = req.target();
    int q = path.indexOf('?');
    String[] segs = (q < 0 ? path : path.substring(0, q)).split("/");
    String uuid = segs.length > 2 ? segs[2] : "";
    List<JsonNode> requests = configs.get(uuid);
    if (requests == null) {
      simple(out, 404, "config not found for " + uuid);
      return;
    }
    List<Seen> seen = state.get(uuid);
    int srvReqNum;
    synchronized (seen) {
      srvReqNum = seen.size() + 1;
    }
    int cliReqNum = Integer.parseInt(req.fields().first("Req-Num").orElse("0"));
    int reqNum = cliReqNum > 0 ? cliReqNum : srvReqNum;
    if (reqNum > requests.size()) {
      simple(out, 409, "no config for request " + reqNum);
      return;
    }
    JsonNode config = requests.get(reqNum - 1);
    JsonNode previous = reqNum >= 2 ? requests.get(reqNum - 2) : null;
    long now = clock.millis();

    int status = 200;
    String reason = "OK";
    if (config.has("response_status")) {
      status = config.get("response_status").get(0).asInt();
      reason = config.get("response_status").get(1).asText();
    }
    if (config.path("expected_type").asText().endsWith("validated")) {
      String prevLm = header(previous.get("response_headers"), "Last-Modified");
      String prevEtag = header(previous.get("response_headers"), "ETag");
      boolean conditional =
          prevLm != null && prevLm.equals(req.fields().first("If-Modified-Since").orElse(null))
              || prevEtag != null
                  && prevEtag.equals(req.fields().first("If-None-Match").orElse(null));
      status = conditional ? 304 : 999;
      reason = conditional ? "Not Modified" : "304 Not Generated";
    }

    Map<String, List<String>> headers = new LinkedHashMap<>();
    put(headers, "Server-Base-Url", path);
    put(headers, "Server-Request-Count", Integer.toString(srvReqNum));
    put(headers, "Client-Request-Count", Integer.toString(cliReqNum));
    put(headers, "Server-Now", Long.toString(now));
    put(headers, "Capability-Seen", req.fields().first("Surrogate-Capability").orElse(""));
    Map<String, String> saved = new LinkedHashMap<>();
    for (JsonNode h : config.path("response_headers")) {
      String name = h.get(0).asText();
      String value = CacheTestsRunner.fixup(h, config, now, path);
      // The suite fixes headers up in place, so a later request's validator check sees the value.
      ((ArrayNode) h).set(1, new TextNode(value));
      put(headers, name, value);
      if (h.size() < 3 || h.get(2).asBoolean()) {
        saved.put(name, String.join(", ", headers.get(name.toLowerCase(Locale.ROOT) + "\0")));
      }
    }
    if (!headers.containsKey("content-type\0")) {
      put(headers, "Content-Type", "text/plain");
    }
    if (!headers.containsKey("date\0")) {
      put(headers, "Date", HttpDates.format(clock.instant()));
    }

    Map<String, String> reqHeaders = new LinkedHashMap<>();
    req.fields()
        .forEach((n, v) -> reqHeaders.merge(n.toLowerCase(Locale.ROOT), v, (a, b) -> a + ", " + b));
    List<String[]> savedList = new ArrayList<>();
    saved.forEach((n, v) -> savedList.add(new String[] {n, v}));
    String numbers;
    synchronized (seen) {
      seen.add(new Seen(cliReqNum, req.method(), reqHeaders, savedList));
      StringBuilder sb = new StringBuilder();
      for (Seen s : seen) {
        sb.append(sb.length() == 0 ? "" : " ").append(s.requestNum());
      }
      numbers = sb.toString();
    }
    put(headers, "Request-Numbers", numbers);

    if (config.path("disconnect").asBoolean(false)) {
      return; // the socket closes without a response
    }
    for (JsonNode interim : config.path("interim_responses")) {
      HttpFields.Builder f = HttpFields.builder();
      for (JsonNode h : interim.path(1)) {
        f.add(h.get(0).asText(), h.get(1).asText());
      }
      Http1.writeHead(out, "HTTP/1.1 " + interim.get(0).asInt() + " Interim", f.build());
    }
    byte[] body;
    if (status == 204 || status == 304) {
      body = new byte[0];
    } else {
      String content =
          config.hasNonNull("response_body") ? config.get("response_body").asText() : uuid;
      body = content.getBytes(StandardCharsets.UTF_8);
    }
    HttpFields.Builder f = HttpFields.builder();
    headers.forEach(
        (k, values) -> {
          String name = names.getOrDefault(k, k);
          for (String v : values) {
            f.add(name, v);
          }
        });
    if (status != 204 && status != 304) {
      f.add("Content-Length", Integer.toString(body.length));
    }
    f.add("Connection", "close");
    Http1.writeHead(out, "HTTP/1.1 " + status + " " + reason, f.build());
    if (!req.method().equals("HEAD")) {
      out.write(body);
    }
  }

  // header name (lowercased + NUL) -> original spelling
  private final Map<String, String> names = new ConcurrentHashMap<>();

  private void put(Map<String, List<String>> headers, String name, String value) {
    String k = name.toLowerCase(Locale.ROOT) + "\0";
    names.putIfAbsent(k, name);
    headers.computeIfAbsent(k, x -> new ArrayList<>()).add(value);
  }

  static String header(JsonNode headers, String name) {
    if (headers == null) {
      return null;
    }
    for (JsonNode h : headers) {
      if (h.get(0).asText().equalsIgnoreCase(name)) {
        return h.get(1).asText();
      }
    }
    return null;
  }

  private static void simple(OutputStream out, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    Http1.writeHead(
        out,
        "HTTP/1.1 " + status + " Test Config",
        HttpFields.of("Content-Length", Integer.toString(body.length), "Connection", "close"));
    out.write(body);
  }
}
