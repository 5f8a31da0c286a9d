package dev.headend.cache.http;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An HTTP cache per RFC 9111 (with RFC 5861's stale directives and RFC 9213's targeted fields), as
 * a sans-I/O engine: the caller moves the messages and reads the clock; this class decides.
 *
 * <pre>{@code
 * HttpCache cache = HttpCache.builder().shared(true).build();
 * Decision d = cache.lookup(request, clock.instant());
 * HttpResponse answer;
 * if (d.action() == Decision.Action.SERVE) {
 *   answer = d.response();
 * } else {
 *   Instant sent = clock.instant();
 *   HttpResponse fromOrigin = origin.send(d.upstreamRequest()); // on failure: cache.fail(d, now)
 *   answer = cache.complete(d, fromOrigin, sent, clock.instant());
 * }
 * }</pre>
 *
 * <p>What it does: stores responses that RFC 9111 §3 allows (per shared or private cache rules,
 * {@code Vary} variants included); computes freshness lifetime (s-maxage, max-age, Expires, then a
 * heuristic from {@code Last-Modified}) and current age (§4.2.3); honours the request directives
 * ({@code no-cache}, {@code no-store}, {@code max-age}, {@code max-stale}, {@code min-fresh},
 * {@code only-if-cached}) and the response ones ({@code no-store}, {@code no-cache}, {@code
 * private}, {@code public}, {@code must-revalidate}, {@code proxy-revalidate}, {@code
 * must-understand}, {@code stale-while-revalidate}, {@code stale-if-error}); validates with {@code
 * If-None-Match} and {@code If-Modified-Since} and merges a 304 into the stored response (§4.3);
 * freshens stored responses from HEAD (§4.3.5); invalidates on unsafe methods (§4.4); answers a
 * client's conditional and single-range requests from stored responses.
 *
 * <p>Thread-safe; the only state is in the {@link HttpCacheStore}.
 */
public final class HttpCache {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "transfer-encoding",
          "upgrade",
          "trailer");
  // RFC 9111 §3.1: proxy-specific fields are never stored.
  private static final Set<String> PROXY_FIELDS =
      Set.of("proxy-authenticate", "proxy-authentication-info", "proxy-authorization");
  private static final Set<String> CONDITIONALS =
      Set.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range");
  // RFC 9110 §15.1
  private static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);
  // Status codes whose caching semantics this cache implements (for must-understand).
  private static final Set<Integer> UNDERSTOOD =
      Set.of(
          200, 203, 204, 300, 301, 302, 303, 307, 308, 400, 403, 404, 405, 410, 414, 500, 501, 502,
          503, 504);
  private static final CacheControl PRAGMA_NO_CACHE = CacheControl.parse("no-cache");

  private final HttpCacheStore store;
  private final boolean shared;
  private final double heuristicFraction;
  private final long maxHeuristicSeconds;
  private final List<String> targetedFields;
  private final long maxContentBytes;

  private HttpCache(Builder b) {
    this.store = b.store != null ? b.store : HttpCacheStore.inMemory(b.defaultStoreBytes);
    this.shared = b.shared;
    this.heuristicFraction = b.heuristicFraction;
    this.maxHeuristicSeconds = b.maxHeuristic.getSeconds();
    this.targetedFields = List.copyOf(b.targetedFields);
    this.maxContentBytes = b.maxContentBytes;
  }

  /** A builder with the defaults of a shared cache. */
  public static Builder builder() {
    return new Builder();
  }

  /** The store this cache keeps responses in. */
  public HttpCacheStore store() {
    return store;
  }

  // ---------------------------------------------------------------- lookup

  /**
   * Decides how to answer a request at {@code now}.
   *
   * @param request the client's request
   * @param now the current time
   */
  public Decision lookup(HttpRequest request, Instant now) {
    CacheControl reqCc = requestDirectives(request.fields());
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return forward(request, reqCc, List.of());
    }
    List<StoredResponse> variants = store.variants(request.key());
    StoredResponse selected = null;
    for (StoredResponse s : variants) {
      if (varyMatches(s, request.fields())
          && (selected == null || s.dateSeconds >= selected.dateSeconds)) {
        selected = s;
      }
    }
    if (selected == null) {
      if (reqCc.onlyIfCached) {
        return serve(request, reqCc, gatewayTimeout(now), null, null);
      }
      List<StoredResponse> tagged = new ArrayList<>();
      for (StoredResponse s : variants) {
        if (s.etag != null) {
          tagged.add(s);
        }
      }
      if (!tagged.isEmpty() && !hasConditionals(request.fields())) {
        // Another variant may turn out to be the one to send (RFC 9111 §4.3.1): ask with its tags.
        return validate(request, reqCc, null, tagged);
      }
      return forward(request, reqCc, List.of());
    }

    long age = selected.currentAgeSeconds(now);
    long lifetime = selected.lifetimeSeconds;
    CacheControl cc = selected.cc;
    boolean mustValidate =
        reqCc.noCache
            || cc.noCache
            || reqCc.maxAge >= 0 && age > reqCc.maxAge
            || reqCc.minFresh >= 0 && lifetime - age < reqCc.minFresh;
    if (!mustValidate) {
      if (lifetime > age) {
        return serve(request, reqCc, respond(selected, request, now), selected, null);
      }
      long staleness = age - lifetime;
      if (!staleForbidden(cc)) {
        if (reqCc.maxStale >= 0 && staleness <= reqCc.maxStale) {
          return serve(request, reqCc, respond(selected, request, now), selected, null);
        }
        if (cc.staleWhileRevalidate >= 0 && staleness <= cc.staleWhileRevalidate) {
          Decision background = validate(request, reqCc, selected, List.of(selected));
          return serve(request, reqCc, respond(selected, request, now), selected, background);
        }
      }
    }
    if (reqCc.onlyIfCached) {
      return serve(request, reqCc, gatewayTimeout(now), null, null);
    }
    return validate(request, reqCc, selected, List.of(selected));
  }

  /** Whether a stale response may never be served without validation (RFC 9111 §4.2.4). */
  private boolean staleForbidden(CacheControl cc) {
    return cc.mustRevalidate || cc.noCache || shared && (cc.proxyRevalidate || cc.sMaxAge != -1);
  }

  private static CacheControl requestDirectives(HttpFields f) {
    String v = f.combined("Cache-Control");
    if (v != null) {
      return CacheControl.parse(v);
    }
    // RFC 9111 §5.4: Pragma: no-cache counts only when Cache-Control is absent.
    for (String m : f.members("Pragma")) {
      if (m.equalsIgnoreCase("no-cache")) {
        return PRAGMA_NO_CACHE;
      }
    }
    return CacheControl.NONE;
  }

  private static boolean hasConditionals(HttpFields f) {
    for (int i = 0; i < f.size(); i++) {
      String n = f.name(i);
      if (n.length() > 3
          && (n.charAt(0) == 'i' || n.charAt(0) == 'I')
          && CONDITIONALS.contains(n.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private Decision serve(
      HttpRequest request,
      CacheControl reqCc,
      HttpResponse response,
      StoredResponse selected,
      Decision background) {
    return new Decision(
        Decision.Action.SERVE, request, response, null, selected, List.of(), reqCc, background);
  }

  private Decision forward(HttpRequest request, CacheControl reqCc, List<StoredResponse> none) {
    HttpRequest up = request.withFields(withoutHopByHop(request.fields()));
    return new Decision(Decision.Action.FORWARD, request, null, up, null, none, reqCc, null);
  }

  private Decision validate(
      HttpRequest request,
      CacheControl reqCc,
      StoredResponse selected,
      List<StoredResponse> candidates) {
    HttpFields.Builder b = HttpFields.builder();
    HttpFields clean = withoutHopByHop(request.fields());
    for (int i = 0; i < clean.size(); i++) {
      String name = clean.name(i).toLowerCase(Locale.ROOT);
      if (!CONDITIONALS.contains(name) && !name.equals("range")) {
        b.addTrusted(clean.name(i), clean.value(i));
      }
    }
    StringBuilder tags = new StringBuilder();
    for (StoredResponse c : candidates) {
      if (c.etag != null) {
        tags.append(tags.length() == 0 ? "" : ", ").append(c.etag);
      }
    }
    if (tags.length() > 0) {
      b.addTrusted("If-None-Match", tags.toString());
    }
    if (selected != null && selected.lastModifiedSeconds != HttpDates.INVALID) {
      // The stored Last-Modified, exactly as the origin wrote it (RFC 9111 §4.3.1).
      b.addTrusted("If-Modified-Since", selected.response.fields().first("Last-Modified").get());
    }
    HttpRequest up = request.withFields(b.build());
    return new Decision(
        Decision.Action.VALIDATE, request, null, up, selected, candidates, reqCc, null);
  }

  // ---------------------------------------------------------------- complete

  /**
   * Takes the origin's answer to {@link Decision#upstreamRequest()}: stores, updates or invalidates
   * as RFC 9111 says, and returns what to send the client.
   *
   * @param decision the decision from {@link #lookup} (action FORWARD or VALIDATE)
   * @param upstream the origin's final response (not an interim 1xx)
   * @param requestTime when the upstream request was sent
   * @param responseTime when the response was received
   */
  public HttpResponse complete(
      Decision decision, HttpResponse upstream, Instant requestTime, Instant responseTime) {
    Objects.requireNonNull(upstream, "upstream");
    if (decision.action == Decision.Action.SERVE) {
      throw new IllegalArgumentException("a SERVE decision has nothing to complete");
    }
    if (upstream.status() < 200) {
      throw new IllegalArgumentException("interim response " + upstream.status() + " is not final");
    }
    HttpRequest request = decision.request;
    HttpResponse resp = upstream;
    if (resp.fields().first("Date").isEmpty()) {
      // RFC 9110 §6.6.1: a recipient with a clock adds the Date it received the response.
      resp = resp.withFields(resp.fields().with("Date", HttpDates.format(responseTime)));
    }
    String method = request.method();
    int status = resp.status();

    if (decision.action == Decision.Action.VALIDATE) {
      if (status == 304) {
        StoredResponse target = selectFor304(decision, resp, responseTime);
        if (target == null) {
          // RFC 9111 §4.3.4: a 304 whose validator names none of the stored responses updates
          // nothing. The origin still said the response we asked about is current: serve it as is.
          return decision.selected != null
              ? respond(decision.selected, request, responseTime)
              : badGateway("the origin's 304 matches no stored response", responseTime);
        }
        StoredResponse updated = merge(target, resp, request, requestTime, responseTime);
        putVariant(request.key(), updated, target);
        return respond(updated, request, responseTime);
      }
      if (status >= 500 && decision.selected != null) {
        StoredResponse s = decision.selected;
        long staleness = s.currentAgeSeconds(responseTime) - s.lifetimeSeconds;
        long allowed = Math.max(s.cc.staleIfError, decision.requestCc.staleIfError);
        if (!staleForbidden(s.cc) && allowed >= 0 && staleness <= allowed) {
          return respond(s, request, responseTime);
        }
      }
    }

    if (!isSafe(method) && status >= 200 && status < 400) {
      invalidateAfterUnsafe(request, resp);
    }
    HttpResponse toClient = resp.withFields(withoutHopByHop(resp.fields()));
    if (method.equals("HEAD") && status >= 200 && status < 300) {
      freshenFromHead(request, toClient, requestTime, responseTime);
    }
    if (method.equals("GET")) {
      Directives d = directives(resp.fields());
      if (storable(request, decision.requestCc, toClient, d.effective(), d.targeted())) {
        StoredResponse stored = toStored(request, toClient, requestTime, responseTime, d);
        putVariant(request.key(), stored, null);
        if (decision.action == Decision.Action.VALIDATE) {
          // The client's own conditional and range fields were held back; apply them here.
          return respond(stored, request, responseTime);
        }
      }
    }
    return toClient;
  }

  /**
   * The origin could not be reached or gave no usable answer. Serves the stored response stale if
   * RFC 9111 §4.2.4 allows it (the cache is disconnected; no {@code must-revalidate}, {@code
   * proxy-revalidate}, {@code s-maxage} or {@code no-cache} forbids it), else a 502 or, if the
   * request said {@code only-if-cached}, a 504.
   */
  public HttpResponse fail(Decision decision, Instant now) {
    StoredResponse s = decision.selected;
    if (decision.action == Decision.Action.VALIDATE && s != null && !staleForbidden(s.cc)) {
      return respond(s, decision.request, now);
    }
    return badGateway("the origin could not be reached", now);
  }

  /** Removes every stored response for this URI (a purge). */
  public void invalidate(URI uri) {
    store.remove(new HttpRequest("GET", uri, HttpFields.empty()).key());
  }

  private static boolean isSafe(String method) {
    return method.equals("GET")
        || method.equals("HEAD")
        || method.equals("OPTIONS")
        || method.equals("TRACE");
  }

  /** RFC 9111 §4.4: the target URI, and Location / Content-Location if on the same origin. */
  private void invalidateAfterUnsafe(HttpRequest request, HttpResponse resp) {
    store.remove(request.key());
    for (String name : new String[] {"Location", "Content-Location"}) {
      String v = resp.fields().first(name).orElse(null);
      if (v == null || v.isEmpty()) {
        continue;
      }
      try {
        URI target = request.uri().resolve(new URI(v));
        if (sameOrigin(request.uri(), target)) {
          store.remove(new HttpRequest("GET", target, HttpFields.empty()).key());
        }
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        // A malformed Location names nothing we could have stored: nothing to invalidate.
        continue;
      }
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return b.isAbsolute()
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && b.getRawAuthority() != null
        && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
  }

  /** RFC 9111 §4.3.4: which stored response a 304 is about. */
  private static StoredResponse selectFor304(Decision d, HttpResponse resp, Instant now) {
    EntityTag tag = resp.fields().first("ETag").flatMap(EntityTag::parse).orElse(null);
    List<StoredResponse> candidates = d.candidates;
    if (tag != null) {
      StoredResponse best = null;
      for (StoredResponse s : candidates) {
        boolean match =
            tag.weak()
                ? s.etag != null && s.etag.weakMatch(tag)
                : s.etag != null && s.etag.strongMatch(tag);
        if (match && (best == null || s.dateSeconds >= best.dateSeconds)) {
          best = s;
        }
      }
      return best;
    }
    String lm = resp.fields().first("Last-Modified").orElse(null);
    if (lm != null && d.selected != null) {
      long v = HttpDates.parseEpochSeconds(lm, now);
      return v == d.selected.lastModifiedSeconds ? d.selected : null;
    }
    return d.selected;
  }

  /** RFC 9111 §3.2 and §4.3.4: the stored response with the 304's fields applied. */
  private StoredResponse merge(
      StoredResponse target,
      HttpResponse notModified,
      HttpRequest request,
      Instant requestTime,
      Instant responseTime) {
    HttpFields update = withoutHopByHop(notModified.fields());
    HttpFields.Builder b = target.response.fields().toBuilder();
    Set<String> replaced = new HashSet<>();
    for (int i = 0; i < update.size(); i++) {
      String name = update.name(i).toLowerCase(Locale.ROOT);
      if (name.equals("content-length") || PROXY_FIELDS.contains(name)) {
        continue;
      }
      if (replaced.add(name)) {
        b.remove(name);
      }
      b.addTrusted(update.name(i), update.value(i));
    }
    HttpResponse merged = target.response.withFields(b.build());
    // A 304 answering a request with other Vary values proves the variant fits those too.
    return toStored(request, merged, requestTime, responseTime, directives(merged.fields()));
  }

  /** RFC 9111 §4.3.5: a HEAD response updates stored GET responses whose validators agree. */
  private void freshenFromHead(
      HttpRequest request, HttpResponse head, Instant requestTime, Instant responseTime) {
    HttpRequest get = request.withMethod("GET");
    List<StoredResponse> variants = store.variants(get.key());
    for (StoredResponse s : variants) {
      if (!varyMatches(s, request.fields())) {
        continue;
      }
      boolean conflicts =
          differs(s.response.fields(), head.fields(), "ETag")
              || differs(s.response.fields(), head.fields(), "Last-Modified")
              || differs(s.response.fields(), head.fields(), "Content-Length");
      if (conflicts) {
        store.update(get.key(), current -> without(current, s));
        continue;
      }
      putVariant(get.key(), merge(s, head, request, requestTime, responseTime), s);
    }
  }

  /**
   * Stores {@code stored} under {@code key} in place of {@code replaced} (may be null) and of any
   * variant for the same Vary values.
   */
  private void putVariant(String key, StoredResponse stored, StoredResponse replaced) {
    store.update(
        key,
        current -> {
          List<StoredResponse> next = new ArrayList<>(current.size() + 1);
          for (StoredResponse s : current) {
            if (s != replaced && !s.sameSecondaryKey(stored)) {
              next.add(s);
            }
          }
          next.add(stored);
          return next;
        });
  }

  private static List<StoredResponse> without(List<StoredResponse> list, StoredResponse gone) {
    List<StoredResponse> next = new ArrayList<>(list);
    next.remove(gone);
    return next;
  }

  private static boolean differs(HttpFields stored, HttpFields fresh, String name) {
    String a = stored.first(name).orElse(null);
    String b = fresh.first(name).orElse(null);
    return a != null && b != null && !a.equals(b);
  }

  // ---------------------------------------------------------------- storing

  /**
   * A response's directives: its Cache-Control, and the effective ones — those of the first valid
   * targeted field present (RFC 9213), else the Cache-Control ones.
   */
  private record Directives(CacheControl header, CacheControl effective, boolean targeted) {}

  private Directives directives(HttpFields fields) {
    CacheControl header = CacheControl.of(fields);
    for (String name : targetedFields) {
      String v = fields.combined(name);
      if (v != null) {
        CacheControl cc = CacheControl.parseTargeted(v);
        if (cc != null) {
          return new Directives(header, cc, true);
        }
      }
    }
    return new Directives(header, header, false);
  }

  /** RFC 9111 §3. */
  private boolean storable(
      HttpRequest request,
      CacheControl reqCc,
      HttpResponse resp,
      CacheControl cc,
      boolean targeted) {
    int status = resp.status();
    if (status < 200 || status == 206 || status == 304 || reqCc.noStore) {
      return false;
    }
    if (resp.contentLength() > maxContentBytes) {
      return false;
    }
    if (cc.mustUnderstand) {
      if (!UNDERSTOOD.contains(status)) {
        return false;
      }
    } else if (cc.noStore) {
      return false;
    }
    if (shared && cc.isPrivate) {
      return false;
    }
    if (shared
        && request.fields().contains("Authorization")
        && !(cc.mustRevalidate || cc.isPublic || cc.sMaxAge != CacheControl.ABSENT)) {
      return false;
    }
    for (String v : resp.fields().members("Vary")) {
      if (v.equals("*")) {
        return false;
      }
    }
    return cc.isPublic
        || !shared && cc.isPrivate
        || cc.maxAge != CacheControl.ABSENT
        || shared && cc.sMaxAge != CacheControl.ABSENT
        || !targeted && resp.fields().contains("Expires")
        || HEURISTICALLY_CACHEABLE.contains(status);
  }

  /** RFC 9111 §3.1: what may not be stored. */
  private HttpResponse stripForStorage(HttpResponse resp, Directives d) {
    List<String> drop = new ArrayList<>(PROXY_FIELDS);
    drop.addAll(d.effective().noCacheFields);
    drop.addAll(d.header().noCacheFields);
    if (shared) {
      drop.addAll(d.effective().privateFields);
      drop.addAll(d.header().privateFields);
    }
    HttpFields f = resp.fields();
    for (String name : drop) {
      f = f.without(name);
    }
    return f == resp.fields() ? resp : resp.withFields(f);
  }

  /**
   * The response as it will be stored: fields that must not be kept dropped, freshness computed.
   */
  private StoredResponse toStored(
      HttpRequest request,
      HttpResponse received,
      Instant requestTime,
      Instant responseTime,
      Directives d) {
    HttpResponse resp = stripForStorage(received, d);
    CacheControl cc = d.effective();
    HttpFields f = resp.fields();
    long responseSec = responseTime.getEpochSecond();
    long date = singleDate(f, "Date", responseTime);
    if (date == HttpDates.INVALID) {
      date = responseSec;
    }
    long ageValue = ageValue(f);
    long apparentAge = Math.max(0, responseSec - date);
    long responseDelay = Math.max(0, responseSec - requestTime.getEpochSecond());
    long correctedInitialAge =
        Math.max(apparentAge, StoredResponse.saturatedAdd(ageValue, responseDelay));
    long lastModified = singleDate(f, "Last-Modified", responseTime);

    List<String> varyMembers = f.members("Vary");
    String[] names = new String[varyMembers.size()];
    String[] values = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      names[i] = varyMembers.get(i).toLowerCase(Locale.ROOT);
    }
    Arrays.sort(names);
    String[] raw = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      values[i] = normalized(names[i], request.fields());
      raw[i] = request.fields().combined(names[i]);
    }
    return new StoredResponse(
        resp,
        requestTime,
        responseTime,
        names,
        values,
        raw,
        cc,
        lifetime(resp, cc, d.targeted(), date, lastModified, responseTime),
        correctedInitialAge,
        date,
        f.first("ETag").flatMap(EntityTag::parse).orElse(null),
        lastModified);
  }

  /** RFC 9111 §4.2.1 and §4.2.2. */
  private long lifetime(
      HttpResponse resp,
      CacheControl cc,
      boolean targeted,
      long date,
      long lastModified,
      Instant responseTime) {
    if (shared && cc.sMaxAge != CacheControl.ABSENT) {
      return Math.max(0, cc.sMaxAge);
    }
    if (cc.maxAge != CacheControl.ABSENT) {
      return Math.max(0, cc.maxAge); // an invalid max-age counts as stale
    }
    if (!targeted) {
      List<String> expires = resp.fields().all("Expires");
      if (!expires.isEmpty()) {
        if (expires.size() != 1) {
          return 0;
        }
        long e = HttpDates.parseEpochSeconds(expires.get(0), responseTime);
        return e == HttpDates.INVALID ? 0 : Math.max(0, e - date);
      }
    }
    if ((HEURISTICALLY_CACHEABLE.contains(resp.status()) || cc.isPublic)
        && lastModified != HttpDates.INVALID
        && lastModified <= date) {
      return Math.min(maxHeuristicSeconds, (long) ((date - lastModified) * heuristicFraction));
    }
    return 0;
  }

  /** The first Age value, if it is delta-seconds; 0 otherwise (RFC 9111 §5.1). */
  private static long ageValue(HttpFields f) {
    String v = f.first("Age").orElse(null);
    if (v == null) {
      return 0;
    }
    int comma = v.indexOf(',');
    String first = (comma < 0 ? v : v.substring(0, comma)).strip();
    long a = Tokens.deltaSeconds(first);
    return a < 0 ? 0 : a;
  }

  private static long singleDate(HttpFields f, String name, Instant now) {
    List<String> lines = f.all(name);
    return lines.size() == 1 ? HttpDates.parseEpochSeconds(lines.get(0), now) : HttpDates.INVALID;
  }

  // ---------------------------------------------------------------- Vary

  private static boolean varyMatches(StoredResponse s, HttpFields requestFields) {
    for (int i = 0; i < s.varyNames.length; i++) {
      String raw = requestFields.combined(s.varyNames[i]);
      if (raw != null && raw.equals(s.varyRaw[i])) {
        continue; // byte-identical to the stored request's value: no need to normalise
      }
      if (!Objects.equals(s.varyValues[i], normalized(s.varyNames[i], requestFields))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A selecting field's value in a form where semantically equal values compare equal: lines
   * combined, members trimmed; for the Accept-* fields also lowercased and ordered. {@code null}
   * when the field is absent.
   */
  static String normalized(String name, HttpFields f) {
    List<String> members = f.members(name);
    if (members.isEmpty()) {
      return f.contains(name) ? "" : null;
    }
    if (name.startsWith("accept")) {
      List<String> sorted = new ArrayList<>(members.size());
      for (String m : members) {
        sorted.add(m.toLowerCase(Locale.ROOT).replace(" ", ""));
      }
      sorted.sort(null);
      return String.join(",", sorted);
    }
    return String.join(",", members);
  }

  // ---------------------------------------------------------------- responding

  /** A stored response as sent to this client at {@code now}: Age, conditionals, HEAD, Range. */
  private HttpResponse respond(StoredResponse s, HttpRequest request, Instant now) {
    HttpResponse r = s.response;
    long age = Math.min(s.currentAgeSeconds(now), Tokens.MAX_DELTA);
    HttpFields fields = r.fields().with("Age", Long.toString(age));
    Instant lm =
        s.lastModifiedSeconds == HttpDates.INVALID
            ? null
            : Instant.ofEpochSecond(s.lastModifiedSeconds);
    if ((r.status() == 200 || r.status() == 203) && hasConditionals(request.fields())) {
      switch (Preconditions.evaluate(request, s.etag, lm, true, now)) {
        case NOT_MODIFIED:
          return new HttpResponse(304, "Not Modified", notModifiedFields(fields), null);
        case PRECONDITION_FAILED:
          return badRequestLike(412, now);
        default:
          break;
      }
    }
    HttpResponse out = r.withFields(fields);
    if (request.method().equals("HEAD")) {
      // The representation's length, as a GET would have framed it (RFC 9110 §9.3.2).
      return out.withFields(fields.with("Content-Length", Integer.toString(r.contentLength())))
          .withoutContent();
    }
    if (r.status() == 200 && request.fields().contains("Range")) {
      return Ranges.apply(out, request.fields(), s.etag, lm);
    }
    return out;
  }

  /** RFC 9110 §15.4.5: the fields a 304 carries. */
  private static HttpFields notModifiedFields(HttpFields f) {
    HttpFields.Builder b = HttpFields.builder();
    for (int i = 0; i < f.size(); i++) {
      switch (f.name(i).toLowerCase(Locale.ROOT)) {
        case "cache-control":
        case "content-location":
        case "date":
        case "etag":
        case "expires":
        case "vary":
        case "last-modified":
        case "age":
          b.addTrusted(f.name(i), f.value(i));
          break;
        default:
          break;
      }
    }
    return b.build();
  }

  private static HttpFields withoutHopByHop(HttpFields f) {
    List<String> listed = f.members("Connection");
    boolean any = false;
    for (int i = 0; i < f.size() && !any; i++) {
      any = HOP_BY_HOP.contains(f.name(i).toLowerCase(Locale.ROOT));
    }
    if (!any && listed.isEmpty()) {
      return f;
    }
    HttpFields.Builder b = HttpFields.builder();
    outer:
    for (int i = 0; i < f.size(); i++) {
      String name = f.name(i);
      if (HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String l : listed) {
        if (l.equalsIgnoreCase(name)) {
          continue outer;
        }
      }
      b.addTrusted(name, f.value(i));
    }
    return b.build();
  }

  private static HttpResponse gatewayTimeout(Instant now) {
    return badRequestLike(504, now);
  }

  private static HttpResponse badGateway(String why, Instant now) {
    return HttpResponse.of(
        502,
        HttpFields.of("Date", HttpDates.format(now), "Content-Type", "text/plain; charset=utf-8"),
        why + "\n");
  }

  private static HttpResponse badRequestLike(int status, Instant now) {
    return HttpResponse.of(
        status,
        HttpFields.of("Date", HttpDates.format(now), "Content-Type", "text/plain; charset=utf-8"),
        HttpResponse.reasonPhrase(status) + "\n");
  }

  /** Configures an {@link HttpCache}. */
  public static final class Builder {
    private HttpCacheStore store;
    private long defaultStoreBytes = 64L << 20;
    private boolean shared = true;
    private double heuristicFraction = 0.1;
    private Duration maxHeuristic = Duration.ofDays(1);
    private List<String> targetedFields = List.of();
    private long maxContentBytes = 16L << 20;

    private Builder() {}

    /**
     * A shared cache (proxy, CDN; the default) or a private one (a single user's). Shared caches
     * honour {@code s-maxage}, {@code proxy-revalidate} and {@code private}, and do not reuse
     * responses to requests with {@code Authorization} unless allowed.
     */
    public Builder shared(boolean isShared) {
      this.shared = isShared;
      return this;
    }

    /** Where responses are kept; default an in-memory store of 64 MiB. */
    public Builder store(HttpCacheStore s) {
      this.store = Objects.requireNonNull(s, "store");
      return this;
    }

    /**
     * The heuristic freshness (RFC 9111 §4.2.2): this fraction of the time since {@code
     * Last-Modified} (default 0.1), at most {@code max} (default one day).
     */
    public Builder heuristic(double fraction, Duration max) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
      }
      if (max.isNegative()) {
        throw new IllegalArgumentException("max must not be negative");
      }
      this.heuristicFraction = fraction;
      this.maxHeuristic = max;
      return this;
    }

    /**
     * Targeted cache-control fields this cache obeys, most specific first (RFC 9213), for example
     * {@code "Acme-CDN-Cache-Control", "CDN-Cache-Control"}. The first valid one present replaces
     * {@code Cache-Control} and {@code Expires} for this cache. Default none.
     */
    public Builder targetedFields(String... names) {
      for (String n : names) {
        if (!Tokens.isToken(n)) {
          throw new IllegalArgumentException("not a field name: " + HttpFields.quote(n));
        }
      }
      this.targetedFields = List.of(names);
      return this;
    }

    /** Responses with more content than this are passed on but not stored (default 16 MiB). */
    public Builder maxContentBytes(long max) {
      if (max < 0) {
        throw new IllegalArgumentException("max must not be negative");
      }
      this.maxContentBytes = max;
      return this;
    }

    /** The cache. */
    public HttpCache build() {
      return new HttpCache(this);
    }
  }
}
