package dev.headend.jwt.session;

import dev.headend.jwt.Jwt;
import dev.headend.jwt.JwtClaims;
import dev.headend.jwt.JwtSigner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Access and refresh token pairs (RFC 9700 §4.14.2):
 *
 * <ul>
 *   <li>{@link #issue} starts a session: a short access JWT ({@code sid} = the session id, a fresh
 *       {@code jti}) and an opaque refresh token;
 *   <li>{@link #refresh} spends the refresh token and returns a new pair; presenting a spent token
 *       again revokes the whole session, since one of two parties holding it is an attacker;
 *   <li>{@link #logout} revokes the session; {@link #revokeAccessToken} denies one access token's
 *       {@code jti} until it expires ({@link #revokedAccessTokenIds()} plugs into {@code
 *       JwtVerifier.Builder.revokedIds}).
 * </ul>
 *
 * <p>Refresh tokens are 256 random bits; the store sees only their SHA-256 (a fast hash is right
 * for random secrets: there is nothing to brute-force). Concurrent refreshes of one token leave
 * exactly one winner, and the losers count as reuse, so clients must not refresh in parallel.
 *
 * <pre>{@code
 * SessionManager sessions = SessionManager.builder(JwtSigner.of(key), new MemoryRefreshTokenStore())
 *     .issuer("https://id.example.net").audience("api").build();
 * TokenPair login = sessions.issue("alice", Map.of("scope", "read"));
 * TokenPair next = sessions.refresh(login.refreshToken());
 * }</pre>
 */
public final class SessionManager {
  private static final List<String> OWNED_CLAIMS =
      List.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid");

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final JwtSigner signer;
  private final RefreshTokenStore store;
  private final String issuer;
  private final List<String> audience;
  private final Duration accessTokenLifetime;
  private final Duration refreshTokenLifetime;
  private final Duration sessionLifetime;
  private final Clock clock;
  private final SecureRandom random;

  private SessionManager(Builder b) {
    this.signer = b.signer;
    this.store = b.store;
    this.issuer = b.issuer;
    this.audience = List.copyOf(b.audience);
    this.accessTokenLifetime = b.accessTokenLifetime;
    this.refreshTokenLifetime = b.refreshTokenLifetime;
    this.sessionLifetime = b.sessionLifetime;
    this.clock = b.clock;
    this.random = b.random;
  }

  /** A builder signing access tokens with {@code signer} and keeping sessions in {@code store}. */
  public static Builder builder(JwtSigner signer, RefreshTokenStore store) {
    return new Builder(signer, store);
  }

  /**
   * Starts a session for {@code subject}; {@code claims} go into every access token of it. They may
   * not set the claims this manager owns ({@code iss sub aud exp nbf iat jti sid}).
   */
  public TokenPair issue(String subject, Map<String, ?> claims) {
    Objects.requireNonNull(subject, "subject");
    for (String owned : OWNED_CLAIMS) {
      if (claims.containsKey(owned)) {
        throw new IllegalArgumentException("claim \"" + owned + "\" is set by the session manager");
      }
    }
    Instant now = clock.instant();
    String extra = JwtClaims.builder().claims(claims).build().toJson();
    Session session = new Session(randomId(16), subject, extra, now.plus(sessionLifetime));
    String refresh = randomId(32);
    Instant refreshExpires = min(now.plus(refreshTokenLifetime), session.expiresAt());
    store.createSession(session, hash(refresh), refreshExpires);
    return pair(session, refresh, refreshExpires, now);
  }

  /** Spends {@code refreshToken} and returns the session's next pair. */
  public TokenPair refresh(String refreshToken) throws RefreshException {
    Objects.requireNonNull(refreshToken, "refreshToken");
    Instant now = clock.instant();
    String next = randomId(32);
    // the session's end caps the new token; the store checks the session is live first
    Rotation r = store.rotate(hash(refreshToken), hash(next), now, now.plus(refreshTokenLifetime));
    if (r.outcome() != Rotation.Outcome.ROTATED) {
      throw new RefreshException(
          r.outcome(),
          r.session() == null ? "refresh token not recognised" : "session " + r.session().id());
    }
    Session s = r.session();
    return pair(s, next, min(now.plus(refreshTokenLifetime), s.expiresAt()), now);
  }

  /** Ends the session {@code refreshToken} belongs to; unknown tokens are ignored. */
  public void logout(String refreshToken) {
    store.revokeByToken(hash(refreshToken));
  }

  /** Ends a session by id (an access token's {@code sid}). */
  public void revokeSession(String sessionId) {
    store.revokeSession(sessionId);
  }

  /** Denies this access token's {@code jti} until its {@code exp}. */
  public void revokeAccessToken(Jwt accessToken) {
    String jti =
        accessToken
            .claims()
            .id()
            .orElseThrow(() -> new IllegalArgumentException("access token has no jti"));
    Instant exp =
        accessToken.claims().expiresAt().orElse(clock.instant().plus(accessTokenLifetime));
    store.denyAccessToken(jti, exp);
  }

  /**
   * Revoked sessions as a predicate, for {@code JwtVerifier.Builder.revokedSessions}: refuses a
   * revoked session's access tokens before they expire, at the cost of a store lookup per token.
   */
  public Predicate<String> revokedSessionIds() {
    return store::isSessionRevoked;
  }

  /** The denylist as a predicate, for {@code JwtVerifier.Builder.revokedIds}. */
  public Predicate<String> revokedAccessTokenIds() {
    return jti -> store.isAccessTokenDenied(jti, clock.instant());
  }

  private TokenPair pair(Session s, String refresh, Instant refreshExpires, Instant now) {
    Instant accessExpires = min(now.plus(accessTokenLifetime), s.expiresAt());
    JwtClaims.Builder c = JwtClaims.builder().claims(JwtClaims.fromJson(s.claimsJson()).asMap());
    if (issuer != null) {
      c.issuer(issuer);
    }
    if (!audience.isEmpty()) {
      c.audience(audience.toArray(String[]::new));
    }
    c.subject(s.subject())
        .issuedAt(now)
        .expiresAt(accessExpires)
        .id(randomId(16))
        .claim("sid", s.id());
    return new TokenPair(signer.sign(c.build()), accessExpires, refresh, refreshExpires, s.id());
  }

  private String randomId(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return B64.encodeToString(b);
  }

  static String hash(String token) {
    try {
      return B64.encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** Configures a {@link SessionManager}. */
  public static final class Builder {
    private final JwtSigner signer;
    private final RefreshTokenStore store;
    private String issuer;
    private List<String> audience = List.of();
    private Duration accessTokenLifetime = Duration.ofMinutes(5);
    private Duration refreshTokenLifetime = Duration.ofDays(14);
    private Duration sessionLifetime = Duration.ofDays(90);
    private Clock clock = Clock.systemUTC();
    private SecureRandom random = new SecureRandom();

    private Builder(JwtSigner signer, RefreshTokenStore store) {
      this.signer = Objects.requireNonNull(signer, "signer");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** {@code iss} of access tokens. */
    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** {@code aud} of access tokens. */
    public Builder audience(String... audience) {
      this.audience = List.of(audience);
      return this;
    }

    /** Access token lifetime; default 5 minutes. */
    public Builder accessTokenLifetime(Duration d) {
      this.accessTokenLifetime = positive(d);
      return this;
    }

    /** How long an unused refresh token stays good; default 14 days. */
    public Builder refreshTokenLifetime(Duration d) {
      this.refreshTokenLifetime = positive(d);
      return this;
    }

    /** Absolute session lifetime, however often refreshed; default 90 days. */
    public Builder sessionLifetime(Duration d) {
      this.sessionLifetime = positive(d);
      return this;
    }

    /** The clock; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** The random source for tokens and ids; default a new SecureRandom. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    private static Duration positive(Duration d) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive: " + d);
      }
      return d;
    }

    /** The manager. */
    public SessionManager build() {
      return new SessionManager(this);
    }
  }
}
