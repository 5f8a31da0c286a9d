package dev.headend.jwt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JWK Set (RFC 7517 §5). Parsing skips member keys it cannot use (unknown {@code kty} or curve,
 * missing members), as §5 says it should, and counts them in {@link #skipped()}; a set that is not
 * JSON or has no {@code keys} array is an error.
 */
public final class JwkSet implements JwkSource {
  /** Limits for a parsed set: depth, and total members (keys × members per key). */
  private static final int MAX_DEPTH = 8;

  private static final int MAX_MEMBERS = 20_000;

  private final List<Jwk> keys;
  private final int skipped;

  private JwkSet(List<Jwk> keys, int skipped) {
    this.keys = Collections.unmodifiableList(new ArrayList<>(keys));
    this.skipped = skipped;
  }

  /** A set of these keys. */
  public static JwkSet of(Jwk... keys) {
    return of(List.of(keys));
  }

  /** A set of these keys. */
  public static JwkSet of(List<Jwk> keys) {
    return new JwkSet(keys, 0);
  }

  /** Parses {@code {"keys": [...]}}. */
  public static JwkSet parse(String json) throws JwkException {
    Map<String, Object> root;
    try {
      root = Json.parseObject(json.getBytes(StandardCharsets.UTF_8), MAX_DEPTH, MAX_MEMBERS);
    } catch (Json.JsonError e) {
      throw new JwkException("JWK Set is not a JSON object: " + e.getMessage());
    }
    Object keys = root.get("keys");
    if (!(keys instanceof List)) {
      throw new JwkException("JWK Set has no \"keys\" array");
    }
    List<Jwk> out = new ArrayList<>();
    int skipped = 0;
    for (Object k : (List<?>) keys) {
      if (!(k instanceof Map)) {
        skipped++;
        continue;
      }
      try {
        @SuppressWarnings("unchecked")
        Map<String, ?> members = (Map<String, ?>) k;
        out.add(Jwk.fromMembers(members));
      } catch (JwkException e) {
        skipped++;
      }
    }
    return new JwkSet(out, skipped);
  }

  /** The usable keys, in set order. */
  public List<Jwk> keys() {
    return keys;
  }

  /** How many members of the parsed {@code keys} array were not usable keys. */
  public int skipped() {
    return skipped;
  }

  /** The first key with this {@code kid}. */
  public java.util.Optional<Jwk> byKeyId(String kid) {
    for (Jwk k : keys) {
      if (k.keyId().map(kid::equals).orElse(false)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }

  /** This set without private members: what to publish (symmetric keys are left out). */
  public JwkSet toPublicSet() {
    List<Jwk> pub = new ArrayList<>();
    for (Jwk k : keys) {
      if (!k.keyType().equals("oct")) {
        pub.add(k.toPublicJwk());
      }
    }
    return new JwkSet(pub, 0);
  }

  /** The set as JSON, with whatever members the keys have. */
  public String toJson() {
    List<Object> list = new ArrayList<>();
    for (Jwk k : keys) {
      list.add(k.members());
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("keys", list);
    return new String(Json.write(root), StandardCharsets.UTF_8);
  }

  /** This set: a fixed set is its own source. */
  @Override
  public JwkSet current() {
    return this;
  }
}
