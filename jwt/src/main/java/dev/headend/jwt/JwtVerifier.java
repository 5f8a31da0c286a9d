package dev.headend.jwt;

import dev.headend.jwt.JwtException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Verifies compact JWS tokens and validates their claims. Everything a token claims about itself is
 * distrusted: the algorithm must be one this verifier accepts and one the chosen key is pinned to
 * (so {@code none} and HS/RS confusion cannot pass), {@code kid} only selects among the configured
 * keys, keys embedded in the header ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) are
 * ignored, and {@code crit} must list only understood extensions. The signature is checked before
 * the payload is parsed. Thread-safe.
 *
 * <pre>{@code
 * JwtVerifier verifier = JwtVerifier.builder(JwkSet.parse(jwksJson))
 *     .issuer("https://id.example.net")
 *     .audience("api")
 *     .build();
 * try {
 *   Jwt jwt = verifier.verify(token);
 *   String user = jwt.claims().subject().orElseThrow();
 * } catch (JwtException e) {
 *   switch (e.reason()) { case EXPIRED: ...; default: ... }
 * }
 * }</pre>
 */
public final class JwtVerifier {
  private final JwkSource keys;
  private final Set<JwsAlgorithm> algorithms;
  private final Set<String> issuers;
  private final Set<String> audiences;
  private final List<String> types;
  private final Set<String> requiredClaims;
  private final Set<String> criticalHeaders;
  private final Duration skew;
  private final Duration maxAge;
  private final Clock clock;
  private final int maxTokenLength;
  private final int maxJsonDepth;
  private final int maxMembers;
  private final Predicate<String> revokedIds;
  private final Predicate<String> revokedSessions;
  private final boolean ignoreAudience;
  private volatile CheckedHeader lastHeader;

  private JwtVerifier(Builder b) {
    this.keys = b.keys;
    this.algorithms = b.algorithms.isEmpty() ? null : EnumSet.copyOf(b.algorithms);
    this.issuers = Set.copyOf(b.issuers);
    this.audiences = Set.copyOf(b.audiences);
    this.types = Collections.unmodifiableList(new ArrayList<>(b.types));
    this.requiredClaims = Collections.unmodifiableSet(new LinkedHashSet<>(b.requiredClaims));
    this.criticalHeaders = Set.copyOf(b.criticalHeaders);
    this.skew = b.skew;
    this.maxAge = b.maxAge;
    this.clock = b.clock;
    this.maxTokenLength = b.maxTokenLength;
    this.maxJsonDepth = b.maxJsonDepth;
    this.maxMembers = b.maxMembers;
    this.revokedIds = b.revokedIds;
    this.revokedSessions = b.revokedSessions;
    this.ignoreAudience = b.ignoreAudience;
  }

  /** A builder verifying with the keys of {@code keys} (a {@link JwkSet} or a remote source). */
  public static Builder builder(JwkSource keys) {
    return new Builder(keys);
  }

  /** Verifies {@code token}; returns it parsed, or throws saying why it was refused. */
  public Jwt verify(String token) throws JwtException {
    Objects.requireNonNull(token, "token");
    if (token.length() > maxTokenLength) {
      throw new JwtException(
          Reason.TOO_LARGE,
          "token is " + token.length() + " characters, the limit is " + maxTokenLength);
    }
    int[] dots = Jws.compactDots(token);
    int dot1 = dots[0];
    int dot2 = dots[1];
    CheckedHeader h = lastHeader;
    if (h == null || h.encoded.length() != dot1 || !token.regionMatches(0, h.encoded, 0, dot1)) {
      h = checkHeader(token.substring(0, dot1));
      lastHeader = h;
    }
    Map<String, Object> header = h.members;
    JwsAlgorithm alg = h.algorithm;
    String kid = h.kid;
    byte[] signature = Jws.decode("signature", token, dot2 + 1, token.length());

    // the signing input is the token up to the second dot: one copy of the whole token serves
    byte[] input = token.getBytes(StandardCharsets.ISO_8859_1);
    Jwk key = verifySignature(alg, kid, input, dot2, signature);

    JwtClaims claims =
        new JwtClaims(
            Jws.parse(
                "payload", Jws.decode("payload", token, dot1 + 1, dot2), maxJsonDepth, maxMembers));
    validate(claims);
    return new Jwt(header, claims, alg, key);
  }

  /**
   * A header that passed every check that depends on the header alone. Issuers send the same header
   * on every token, so the last one is remembered and the checks are not repeated.
   */
  private static final class CheckedHeader {
    final String encoded;
    final Map<String, Object> members;
    final JwsAlgorithm algorithm;
    final String kid;

    CheckedHeader(String encoded, Map<String, Object> members, JwsAlgorithm algorithm, String kid) {
      this.encoded = encoded;
      this.members = members;
      this.algorithm = algorithm;
      this.kid = kid;
    }
  }

  private CheckedHeader checkHeader(String encoded) throws JwtException {
    Map<String, Object> header =
        Jws.parse("header", Jws.decode("header", encoded), maxJsonDepth, maxMembers);
    JwsAlgorithm alg = Jws.algorithm(header, algorithms);
    Jws.checkCritical(header, criticalHeaders);
    checkType(header);
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new JwtException(Reason.MALFORMED, "header \"kid\" must be a string");
    }
    return new CheckedHeader(encoded, header, alg, (String) kid);
  }

  private Jwk verifySignature(
      JwsAlgorithm alg, String kid, byte[] input, int inputLength, byte[] sig) throws JwtException {
    JwkSet set = keys.current();
    List<Jwk> candidates = candidates(set, alg, kid);
    if (candidates.isEmpty() && kid != null && set.byKeyId(kid).isEmpty()) {
      set = keys.currentAfterUnknownKeyId(kid);
      candidates = candidates(set, alg, kid);
    }
    if (candidates.isEmpty()) {
      throw new JwtException(
          Reason.UNKNOWN_KEY,
          kid == null
              ? "no key is pinned to " + alg
              : set.byKeyId(kid).isPresent()
                  ? "key \"" + kid + "\" may not verify " + alg
                  : "no key with kid \"" + kid + "\"");
    }
    for (Jwk k : candidates) {
      if (Signatures.verify(alg, k, input, inputLength, sig)) {
        return k;
      }
    }
    throw new JwtException(
        Reason.BAD_SIGNATURE,
        alg + " signature does not verify" + (kid == null ? "" : " with key \"" + kid + "\""));
  }

  private List<Jwk> candidates(JwkSet set, JwsAlgorithm alg, String kid) {
    List<Jwk> out = new ArrayList<>(1);
    for (Jwk k : set.keys()) {
      if (kid != null && !kid.equals(k.keyId().orElse(null))) {
        continue;
      }
      // unless the verifier names its algorithms, a key verifies only the one it is pinned to
      if (algorithms == null && k.algorithm().orElse(null) != alg) {
        continue;
      }
      if (k.whyNot(alg, false) == null) {
        out.add(k);
      }
    }
    return out;
  }

  private void checkType(Map<String, Object> header) throws JwtException {
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String)) {
      throw new JwtException(Reason.WRONG_TYPE, "header \"typ\" must be a string");
    }
    String t = typ == null ? null : mediaType((String) typ);
    for (String accepted : types) {
      if (accepted == null ? t == null : accepted.equals(t)) {
        return;
      }
    }
    throw new JwtException(
        Reason.WRONG_TYPE, (t == null ? "no \"typ\"" : "\"typ\" " + typ) + "; expected " + types);
  }

  /**
   * RFC 7515 §4.1.9: compare case-insensitively; "application/" may be left out when no other '/'
   * follows.
   */
  static String mediaType(String typ) {
    String t = typ.toLowerCase(Locale.ROOT);
    String rest = t.startsWith("application/") ? t.substring("application/".length()) : t;
    return rest.indexOf('/') < 0 ? rest : t;
  }

  private void validate(JwtClaims c) throws JwtException {
    Map<String, Object> m = c.asMap();
    for (String name : new String[] {"iss", "sub", "jti"}) {
      Object v = m.get(name);
      if (v != null && !(v instanceof String)) {
        throw new JwtException(Reason.INVALID_CLAIM, "claim \"" + name + "\" must be a string");
      }
    }
    for (String name : new String[] {"exp", "nbf", "iat"}) {
      Object v = m.get(name);
      if (v != null && !(v instanceof Number)) {
        throw new JwtException(
            Reason.INVALID_CLAIM, "claim \"" + name + "\" must be a NumericDate (a number)");
      }
    }
    Object aud = m.get("aud");
    if (aud != null && !(aud instanceof String) && !isStringList(aud)) {
      throw new JwtException(
          Reason.INVALID_CLAIM, "claim \"aud\" must be a string or an array of strings");
    }
    for (String name : requiredClaims) {
      if (m.get(name) == null) {
        throw new JwtException(Reason.MISSING_CLAIM, "claim \"" + name + "\" is required");
      }
    }
    Instant now = clock.instant();
    Instant exp = c.expiresAt().orElse(null);
    if (exp != null && !now.minus(skew).isBefore(exp)) {
      throw new JwtException(Reason.EXPIRED, "expired at " + exp + ", now " + now);
    }
    Instant nbf = c.notBefore().orElse(null);
    if (nbf != null && now.plus(skew).isBefore(nbf)) {
      throw new JwtException(Reason.NOT_YET_VALID, "not valid before " + nbf + ", now " + now);
    }
    Instant iat = c.issuedAt().orElse(null);
    if (iat != null && now.plus(skew).isBefore(iat)) {
      throw new JwtException(Reason.ISSUED_IN_FUTURE, "issued at " + iat + ", now " + now);
    }
    if (maxAge != null && iat != null && now.minus(skew).isAfter(iat.plus(maxAge))) {
      throw new JwtException(
          Reason.TOO_OLD, "issued at " + iat + ", older than " + maxAge + " at " + now);
    }
    if (!issuers.isEmpty() && !c.issuer().map(issuers::contains).orElse(false)) {
      throw new JwtException(Reason.WRONG_ISSUER, "issuer " + m.get("iss") + " is not accepted");
    }
    if (!audiences.isEmpty() && c.audience().stream().noneMatch(audiences::contains)) {
      throw new JwtException(
          Reason.WRONG_AUDIENCE, "audience " + c.audience() + " has none of " + audiences);
    }
    if (audiences.isEmpty() && !ignoreAudience && aud != null) {
      // RFC 7519 §4.1.3: a recipient not named in a present aud must refuse the token
      throw new JwtException(
          Reason.WRONG_AUDIENCE,
          "token is for " + c.audience() + " and this verifier names no audience");
    }
    revocation(revokedIds, c.id().orElse(null), "token id");
    Object sid = m.get("sid");
    revocation(revokedSessions, sid instanceof String ? (String) sid : null, "session");
  }

  private static void revocation(Predicate<String> revoked, String id, String what)
      throws JwtException {
    if (revoked == null || id == null) {
      return;
    }
    boolean yes;
    try {
      yes = revoked.test(id);
    } catch (RuntimeException e) {
      throw new JwtException(
          Reason.REVOCATION_UNAVAILABLE,
          "cannot check whether " + what + " " + id + " is revoked: " + e);
    }
    if (yes) {
      throw new JwtException(Reason.REVOKED, what + " " + id + " is revoked");
    }
  }

  private static boolean isStringList(Object v) {
    if (!(v instanceof List)) {
      return false;
    }
    for (Object o : (List<?>) v) {
      if (!(o instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /** Configures a {@link JwtVerifier}. */
  public static final class Builder {
    private final JwkSource keys;
    private final Set<JwsAlgorithm> algorithms = EnumSet.noneOf(JwsAlgorithm.class);
    private final Set<String> issuers = new LinkedHashSet<>();
    private final Set<String> audiences = new LinkedHashSet<>();
    private final List<String> types = new ArrayList<>(java.util.Arrays.asList(null, "jwt"));
    private final Set<String> requiredClaims = new LinkedHashSet<>(List.of("exp"));
    private final Set<String> criticalHeaders = new LinkedHashSet<>();
    private Duration skew = Duration.ofSeconds(60);
    private Duration maxAge;
    private Clock clock = Clock.systemUTC();
    private int maxTokenLength = 8192;
    private int maxJsonDepth = 16;
    private int maxMembers = 256;
    private Predicate<String> revokedIds;
    private Predicate<String> revokedSessions;
    private boolean ignoreAudience;

    private Builder(JwkSource keys) {
      this.keys = Objects.requireNonNull(keys, "keys");
    }

    /**
     * Accept only these algorithms, with keys pinned to them or unpinned keys of the right type.
     * Without this call a token verifies only with a key whose {@code alg} names its algorithm.
     */
    public Builder algorithms(JwsAlgorithm... algs) {
      algorithms.addAll(List.of(algs));
      return this;
    }

    /** Require {@code iss} to be one of these. */
    public Builder issuer(String... accepted) {
      issuers.addAll(List.of(accepted));
      return this;
    }

    /** Require {@code aud} to contain at least one of these. */
    public Builder audience(String... accepted) {
      audiences.addAll(List.of(accepted));
      return this;
    }

    /**
     * Require header {@code typ} to be one of these (compared as RFC 7515 says). The default
     * accepts no {@code typ} or {@code JWT}; {@code type("at+jwt")} accepts only RFC 9068 access
     * tokens.
     */
    public Builder type(String... accepted) {
      types.clear();
      for (String t : accepted) {
        types.add(t == null ? null : mediaType(t));
      }
      return this;
    }

    /** Require these claims (with a non-null value). {@code exp} is required by default. */
    public Builder requiredClaims(String... names) {
      requiredClaims.addAll(List.of(names));
      return this;
    }

    /** Accept tokens without {@code exp} (not recommended). */
    public Builder allowMissingExpiration() {
      requiredClaims.remove("exp");
      return this;
    }

    /** Allowed clock difference for exp, nbf, iat and max age; default 60 seconds. */
    public Builder clockSkew(Duration skew) {
      if (skew.isNegative()) {
        throw new IllegalArgumentException("negative skew " + skew);
      }
      this.skew = skew;
      return this;
    }

    /** Refuse tokens whose {@code iat} is older than this (and require {@code iat}). */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge);
      requiredClaims.add("iat");
      return this;
    }

    /** The clock for time-based checks; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Extensions this application understands and will check itself when listed in crit. */
    public Builder criticalHeaders(String... names) {
      criticalHeaders.addAll(List.of(names));
      return this;
    }

    /** Refuse tokens whose {@code jti} this predicate reports as revoked. */
    public Builder revokedIds(Predicate<String> revoked) {
      this.revokedIds = Objects.requireNonNull(revoked);
      return this;
    }

    /** Refuse tokens whose {@code sid} (session id) this predicate reports as revoked. */
    public Builder revokedSessions(Predicate<String> revoked) {
      this.revokedSessions = Objects.requireNonNull(revoked);
      return this;
    }

    /**
     * Accept tokens with any {@code aud} when no {@link #audience} is configured. Without this, a
     * verifier that names no audience refuses tokens that carry one (RFC 7519 §4.1.3).
     */
    public Builder ignoreAudience() {
      this.ignoreAudience = true;
      return this;
    }

    /** Longest token accepted, in characters; default 8192. */
    public Builder maxTokenLength(int chars) {
      this.maxTokenLength = positive(chars);
      return this;
    }

    /** Deepest JSON nesting accepted in header and payload; default 16. */
    public Builder maxJsonDepth(int depth) {
      this.maxJsonDepth = positive(depth);
      return this;
    }

    /**
     * Most JSON members (object members plus array elements) per header or payload; default 256.
     */
    public Builder maxMembers(int members) {
      this.maxMembers = positive(members);
      return this;
    }

    private static int positive(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("must be positive: " + n);
      }
      return n;
    }

    /** The verifier. */
    public JwtVerifier build() {
      return new JwtVerifier(this);
    }
  }
}
