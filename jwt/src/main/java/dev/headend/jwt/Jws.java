package dev.headend.jwt;

import dev.headend.jwt.JwtException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * JWS for payloads that are not JWTs (RFC 7515): compact and JSON serializations (general and
 * flattened), detached payloads. One key, one algorithm per call; for tokens with claims use {@link
 * JwtSigner} and {@link JwtVerifier}.
 */
public final class Jws {
  static final Set<String> REGISTERED_HEADERS =
      Set.of("alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit");

  /** Limits for JWS JSON documents and headers handled here. */
  private static final int MAX_DEPTH = 16;

  private static final int MAX_MEMBERS = 1024;

  private static final int MAX_SIGNATURES = 16;

  private Jws() {}

  /**
   * A compact JWS of {@code payload} with {@code header} as the protected header ({@code alg} is
   * set to {@code alg}).
   */
  public static String signCompact(
      Jwk key, JwsAlgorithm alg, Map<String, ?> header, byte[] payload) {
    String why = key.whyNot(alg, true);
    if (why != null) {
      throw new IllegalArgumentException("cannot sign " + alg + " with " + key + ": " + why);
    }
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg.name());
    h.putAll(header);
    h.put("alg", alg.name());
    String input = B64.encode(Json.write(h)) + "." + B64.encode(payload);
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    try {
      return input + "." + B64.encode(Signatures.sign(alg, key, bytes, bytes.length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg + " signing failed: " + e.getMessage(), e);
    }
  }

  /** Verifies a compact JWS made with {@code alg} and {@code key}; returns the payload. */
  public static byte[] verifyCompact(String jws, Jwk key, JwsAlgorithm alg) throws JwtException {
    return verifyCompact(jws, null, key, alg);
  }

  /**
   * Verifies a compact JWS whose payload part is empty because the payload travels separately (RFC
   * 7515 Appendix F); {@code detached} is that payload, or null if it is in the JWS.
   */
  public static byte[] verifyCompact(String jws, byte[] detached, Jwk key, JwsAlgorithm alg)
      throws JwtException {
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      throw new JwtException(Reason.MALFORMED, "a compact JWS has three parts separated by '.'");
    }
    return verifyOne(parts[0], null, parts[1], parts[2], detached, key, alg);
  }

  /**
   * Verifies a JWS in JSON serialization (general or flattened): passes if a signature with {@code
   * alg} verifies with {@code key}; returns the payload. {@code detached} as for {@link
   * #verifyCompact(String, byte[], Jwk, JwsAlgorithm)}.
   */
  public static byte[] verifyJson(String json, byte[] detached, Jwk key, JwsAlgorithm alg)
      throws JwtException {
    Map<String, Object> root =
        parse("JWS JSON", json.getBytes(StandardCharsets.UTF_8), MAX_DEPTH, MAX_MEMBERS);
    Object payload = root.get("payload");
    if (payload != null && !(payload instanceof String)) {
      throw new JwtException(Reason.MALFORMED, "\"payload\" must be a string");
    }
    List<Map<String, Object>> signatures = new ArrayList<>();
    if (root.containsKey("signatures")) {
      if (root.containsKey("signature") || !(root.get("signatures") instanceof List)) {
        throw new JwtException(
            Reason.MALFORMED, "general JWS JSON needs a \"signatures\" array and no \"signature\"");
      }
      if (((List<?>) root.get("signatures")).size() > MAX_SIGNATURES) {
        throw new JwtException(
            Reason.TOO_LARGE, "more than " + MAX_SIGNATURES + " signatures in one JWS");
      }
      for (Object o : (List<?>) root.get("signatures")) {
        signatures.add(object(o, "signatures[]"));
      }
    } else {
      signatures.add(root);
    }
    JwtException last = new JwtException(Reason.UNKNOWN_KEY, "no signature uses " + alg);
    for (Map<String, Object> s : signatures) {
      Object prot = s.get("protected");
      Object sig = s.get("signature");
      if (prot != null && !(prot instanceof String) || !(sig instanceof String)) {
        throw new JwtException(Reason.MALFORMED, "\"protected\" and \"signature\" must be strings");
      }
      Map<String, Object> unprotected =
          s.containsKey("header") ? object(s.get("header"), "header") : null;
      try {
        return verifyOne(
            prot == null ? "" : (String) prot,
            unprotected,
            payload == null ? "" : (String) payload,
            (String) sig,
            detached,
            key,
            alg);
      } catch (JwtException e) {
        // RFC 7515 §7.2.1: a signature this party cannot use does not spoil the others
        if (e.reason() == Reason.MALFORMED
            || e.reason() == Reason.TOO_LARGE
            || e.reason() == Reason.DUPLICATE_MEMBER) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private static byte[] verifyOne(
      String protectedB64,
      Map<String, Object> unprotected,
      String payloadB64,
      String signatureB64,
      byte[] detached,
      Jwk key,
      JwsAlgorithm alg)
      throws JwtException {
    Map<String, Object> header = new LinkedHashMap<>();
    Map<String, Object> prot = Map.of();
    if (!protectedB64.isEmpty()) {
      prot =
          parse(
              "protected header", decode("protected header", protectedB64), MAX_DEPTH, MAX_MEMBERS);
      header.putAll(prot);
    }
    if (unprotected != null) {
      for (Map.Entry<String, Object> e : unprotected.entrySet()) {
        if (header.putIfAbsent(e.getKey(), e.getValue()) != null || prot.containsKey(e.getKey())) {
          throw new JwtException(
              Reason.DUPLICATE_MEMBER,
              "header \"" + e.getKey() + "\" is both protected and unprotected");
        }
      }
    }
    if (prot.containsKey("crit") == false && header.containsKey("crit")) {
      throw new JwtException(
          Reason.UNSUPPORTED_CRITICAL_HEADER, "\"crit\" must be in the protected header");
    }
    JwsAlgorithm actual = algorithm(header, null);
    if (actual != alg) {
      throw new JwtException(Reason.UNKNOWN_KEY, "signature uses " + actual + ", not " + alg);
    }
    checkCritical(header, Set.of());
    String why = key.whyNot(alg, false);
    if (why != null) {
      throw new JwtException(Reason.UNKNOWN_KEY, why);
    }
    byte[] payload;
    String signedPayload;
    if (detached != null) {
      if (!payloadB64.isEmpty()) {
        throw new JwtException(Reason.MALFORMED, "payload is both attached and detached");
      }
      payload = detached;
      signedPayload = B64.encode(detached);
    } else {
      payload = decode("payload", payloadB64);
      signedPayload = payloadB64;
    }
    byte[] input = (protectedB64 + "." + signedPayload).getBytes(StandardCharsets.ISO_8859_1);
    byte[] sig = decode("signature", signatureB64);
    if (!Signatures.verify(alg, key, input, input.length, sig)) {
      throw new JwtException(Reason.BAD_SIGNATURE, alg + " signature does not verify");
    }
    return payload;
  }

  private static Map<String, Object> object(Object o, String what) throws JwtException {
    if (!(o instanceof Map)) {
      throw new JwtException(Reason.MALFORMED, "\"" + what + "\" must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) o;
    return m;
  }

  // ---- shared with JwtVerifier --------------------------------------------------------------

  /** The positions of a compact JWS's two dots; refuses any other number of parts. */
  static int[] compactDots(String token) throws JwtException {
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot2 < 0) {
      throw new JwtException(Reason.MALFORMED, "a compact JWS has three parts separated by '.'");
    }
    if (token.indexOf('.', dot2 + 1) >= 0) {
      throw new JwtException(
          Reason.MALFORMED, "more than three parts (an encrypted JWE is not supported)");
    }
    return new int[] {dot1, dot2};
  }

  /** The header's algorithm; refuses none, unknown names and (if given) ones not in allowed. */
  static JwsAlgorithm algorithm(Map<String, Object> header, Set<JwsAlgorithm> allowed)
      throws JwtException {
    Object v = header.get("alg");
    if (!(v instanceof String)) {
      throw new JwtException(
          Reason.UNSUPPORTED_ALGORITHM,
          v == null ? "header has no \"alg\"" : "header \"alg\" must be a string");
    }
    String name = (String) v;
    if (name.equalsIgnoreCase("none")) {
      throw new JwtException(Reason.UNSUPPORTED_ALGORITHM, "unsecured tokens are never accepted");
    }
    JwsAlgorithm alg =
        JwsAlgorithm.forName(name)
            .orElseThrow(
                () ->
                    new JwtException(
                        Reason.UNSUPPORTED_ALGORITHM, "\"" + name + "\" is not a JWS algorithm"));
    if (allowed != null && !allowed.contains(alg)) {
      throw new JwtException(Reason.ALGORITHM_NOT_ALLOWED, alg + " is not accepted here");
    }
    return alg;
  }

  /** RFC 7515 §4.1.11, and RFC 7797's b64, which this library does not implement. */
  static void checkCritical(Map<String, Object> header, Set<String> understood)
      throws JwtException {
    Object b64 = header.get("b64");
    if (b64 != null && !Boolean.TRUE.equals(b64)) {
      throw new JwtException(
          Reason.UNSUPPORTED_CRITICAL_HEADER,
          "unencoded payloads (RFC 7797 b64) are not supported");
    }
    if (!header.containsKey("crit")) {
      return;
    }
    Object crit = header.get("crit");
    if (!(crit instanceof List) || ((List<?>) crit).isEmpty()) {
      throw new JwtException(
          Reason.UNSUPPORTED_CRITICAL_HEADER, "\"crit\" must be a non-empty array of names");
    }
    Set<Object> seen = new HashSet<>();
    for (Object o : (List<?>) crit) {
      if (!(o instanceof String) || !seen.add(o)) {
        throw new JwtException(
            Reason.UNSUPPORTED_CRITICAL_HEADER, "\"crit\" must list distinct strings");
      }
      String name = (String) o;
      if (REGISTERED_HEADERS.contains(name)) {
        throw new JwtException(
            Reason.UNSUPPORTED_CRITICAL_HEADER, "\"crit\" may not list \"" + name + "\"");
      }
      if (!understood.contains(name)) {
        throw new JwtException(
            Reason.UNSUPPORTED_CRITICAL_HEADER,
            "critical extension \"" + name + "\" is not understood");
      }
      if (!header.containsKey(name)) {
        throw new JwtException(
            Reason.UNSUPPORTED_CRITICAL_HEADER, "critical \"" + name + "\" is not in the header");
      }
    }
  }

  static Map<String, Object> parse(String part, byte[] bytes, int maxDepth, int maxMembers)
      throws JwtException {
    try {
      return Json.parseObject(bytes, maxDepth, maxMembers);
    } catch (Json.JsonError e) {
      Reason r =
          e.problem == Json.Problem.TOO_LARGE
              ? Reason.TOO_LARGE
              : e.problem == Json.Problem.DUPLICATE ? Reason.DUPLICATE_MEMBER : Reason.MALFORMED;
      throw new JwtException(r, part + ": " + e.getMessage());
    }
  }

  static byte[] decode(String part, String text) throws JwtException {
    return decode(part, text, 0, text.length());
  }

  static byte[] decode(String part, String text, int from, int to) throws JwtException {
    Objects.requireNonNull(text);
    try {
      return B64.decode(text, from, to);
    } catch (B64.BadBase64 e) {
      throw new JwtException(
          Reason.MALFORMED,
          part + ": " + e.getMessage() + " (offset " + (from + e.offset) + " of the token)");
    }
  }
}
