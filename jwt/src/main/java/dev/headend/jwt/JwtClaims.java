package dev.headend.jwt;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JWT claims set (RFC 7519 §4): registered claims with typed accessors, and any other claim as
 * its JSON value ({@code String}, {@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean},
 * {@code List}, {@code Map}, or null). Immutable. Claims that came through {@link JwtVerifier} have
 * registered claims of the right JSON type, so the accessors never throw.
 */
public final class JwtClaims {
  private final Map<String, Object> members;

  JwtClaims(Map<String, Object> members) {
    this.members = members;
  }

  /** A builder for a claims set to sign. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code iss}. */
  public Optional<String> issuer() {
    return getString("iss");
  }

  /** {@code sub}. */
  public Optional<String> subject() {
    return getString("sub");
  }

  /** {@code jti}. */
  public Optional<String> id() {
    return getString("jti");
  }

  /** {@code aud}, a single string read as a one-element list; empty if absent. */
  public List<String> audience() {
    Object v = members.get("aud");
    if (v instanceof String) {
      return List.of((String) v);
    }
    if (v instanceof List) {
      List<String> l = new java.util.ArrayList<>();
      for (Object o : (List<?>) v) {
        if (o instanceof String) {
          l.add((String) o);
        }
      }
      return java.util.Collections.unmodifiableList(l);
    }
    return List.of();
  }

  /** {@code exp}. */
  public Optional<Instant> expiresAt() {
    return instant("exp");
  }

  /** {@code nbf}. */
  public Optional<Instant> notBefore() {
    return instant("nbf");
  }

  /** {@code iat}. */
  public Optional<Instant> issuedAt() {
    return instant("iat");
  }

  /** Whether the claim is present (possibly with a JSON null). */
  public boolean has(String name) {
    return members.containsKey(name);
  }

  /** A claim's value; empty if absent or null. */
  public Optional<Object> get(String name) {
    return Optional.ofNullable(members.get(name));
  }

  /** A claim's value if it is a string. */
  public Optional<String> getString(String name) {
    Object v = members.get(name);
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** All claims, in token order. */
  public Map<String, Object> asMap() {
    return members;
  }

  private Optional<Instant> instant(String name) {
    Object v = members.get(name);
    return v instanceof Number ? Optional.of(numericDate((Number) v)) : Optional.empty();
  }

  /** A NumericDate (seconds since the epoch, possibly fractional), saturated to Instant's range. */
  static Instant numericDate(Number n) {
    if (n instanceof Long || n instanceof Integer) {
      long s = n.longValue();
      return s > Instant.MAX.getEpochSecond()
          ? Instant.MAX
          : s < Instant.MIN.getEpochSecond() ? Instant.MIN : Instant.ofEpochSecond(s);
    }
    if (n instanceof BigInteger) {
      return ((BigInteger) n).signum() > 0 ? Instant.MAX : Instant.MIN;
    }
    double d = n.doubleValue();
    if (d >= Instant.MAX.getEpochSecond()) {
      return Instant.MAX;
    }
    if (d <= Instant.MIN.getEpochSecond()) {
      return Instant.MIN;
    }
    BigDecimal bd = BigDecimal.valueOf(d);
    long secs = bd.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
    long nanos = bd.subtract(BigDecimal.valueOf(secs)).movePointRight(9).longValue();
    return Instant.ofEpochSecond(secs, nanos);
  }

  /** These claims as JSON text. */
  public String toJson() {
    return new String(Json.write(members), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Claims from JSON text this application wrote itself (with {@link #toJson()}), e.g. kept in a
   * session store. Never use it on a token's payload: that is what {@link JwtVerifier} is for.
   */
  public static JwtClaims fromJson(String json) {
    try {
      return new JwtClaims(
          Json.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), 64, 100_000));
    } catch (Json.JsonError e) {
      throw new IllegalArgumentException("stored claims are not a JSON object: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JwtClaims && ((JwtClaims) o).members.equals(members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }

  @Override
  public String toString() {
    return "JwtClaims" + members;
  }

  /** Builds a claims set; setting a claim twice keeps the last value. */
  public static final class Builder {
    private final LinkedHashMap<String, Object> members = new LinkedHashMap<>();

    private Builder() {}

    /** {@code iss}. */
    public Builder issuer(String iss) {
      return claim("iss", iss);
    }

    /** {@code sub}. */
    public Builder subject(String sub) {
      return claim("sub", sub);
    }

    /** {@code aud}: one audience is written as a string, several as an array. */
    public Builder audience(String... aud) {
      return claim("aud", aud.length == 1 ? aud[0] : List.copyOf(Arrays.asList(aud)));
    }

    /** {@code exp}, in whole seconds. */
    public Builder expiresAt(Instant exp) {
      return claim("exp", exp.getEpochSecond());
    }

    /** {@code nbf}, in whole seconds. */
    public Builder notBefore(Instant nbf) {
      return claim("nbf", nbf.getEpochSecond());
    }

    /** {@code iat}, in whole seconds. */
    public Builder issuedAt(Instant iat) {
      return claim("iat", iat.getEpochSecond());
    }

    /** {@code jti}. */
    public Builder id(String jti) {
      return claim("jti", jti);
    }

    /**
     * Any claim. The value must be JSON: String, Number, Boolean, null, a List or a Map of such.
     */
    public Builder claim(String name, Object value) {
      members.put(name, value);
      return this;
    }

    /** All of {@code claims}. */
    public Builder claims(Map<String, ?> claims) {
      members.putAll(claims);
      return this;
    }

    /** The claims set; throws IllegalArgumentException if a value is not JSON. */
    public JwtClaims build() {
      Json.write(members); // fail here, not at signing time, for a non-JSON value
      return new JwtClaims(Collections.unmodifiableMap(new LinkedHashMap<>(members)));
    }
  }
}
