package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headend.testkit.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 7520 (JOSE cookbook) §3 keys and §4 signatures, plus the RFC 8037 Ed25519 example. */
class CookbookTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static Map<String, Object> read(Path p) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = MAPPER.readValue(Files.readString(p), Map.class);
    return m;
  }

  static Stream<Path> signatureExamples() throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(TestData.path("jose", "cookbook", "jws"))) {
      s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(all::add);
    }
    all.add(TestData.path("jose", "cookbook", "curve25519", "jws.json"));
    return all.stream();
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}")
  @MethodSource("signatureExamples")
  void everyCookbookSignatureVerifiesAndReproducibleOnesAreRebuiltExactly(Path file)
      throws Exception {
    Map<String, Object> ex = read(file);
    Map<String, Object> input = (Map<String, Object>) ex.get("input");
    Map<String, Object> output = (Map<String, Object>) ex.get("output");
    byte[] payload = ((String) input.get("payload")).getBytes(StandardCharsets.UTF_8);
    boolean detached = file.getFileName().toString().startsWith("4_5");
    List<Object> keys =
        input.get("key") instanceof List
            ? (List<Object>) input.get("key")
            : List.of(input.get("key"));
    List<Object> algs =
        input.get("alg") instanceof List
            ? (List<Object>) input.get("alg")
            : List.of(input.get("alg"));
    int checks = 0;
    for (int i = 0; i < keys.size(); i++) {
      Jwk key = Jwk.fromMembers((Map<String, Object>) keys.get(i));
      JwsAlgorithm alg = JwsAlgorithm.forName((String) algs.get(i)).orElseThrow();
      byte[] det = detached ? payload : null;
      if (output.containsKey("compact")) {
        String compact = (String) output.get("compact");
        assertArrayEquals(payload, Jws.verifyCompact(compact, det, key, alg));
        checks++;
        if (Boolean.TRUE.equals(ex.get("reproducible")) && !detached) {
          Map<String, Object> signing = (Map<String, Object>) ex.get("signing");
          Map<String, Object> header = (Map<String, Object>) signing.get("protected");
          assertEquals(
              compact, Jws.signCompact(key, alg, header, payload), "rebuilt byte for byte");
          checks++;
        }
        // one flipped payload character must break it
        if (!detached) {
          String[] p = compact.split("\\.");
          char c = p[1].charAt(3);
          String tampered =
              p[0]
                  + "."
                  + p[1].substring(0, 3)
                  + (c == 'A' ? 'B' : 'A')
                  + p[1].substring(4)
                  + "."
                  + p[2];
          JwtException e =
              assertThrows(JwtException.class, () -> Jws.verifyCompact(tampered, key, alg));
          assertEquals(JwtException.Reason.BAD_SIGNATURE, e.reason());
        }
      }
      for (String form : new String[] {"json", "json_flat"}) {
        if (output.containsKey(form)) {
          String json = MAPPER.writeValueAsString(output.get(form));
          assertArrayEquals(payload, Jws.verifyJson(json, det, key, alg), form);
          checks++;
        }
      }
    }
    assertTrue(checks >= 2, "at least two serializations checked, was " + checks);
  }

  @Test
  void cookbookKeysParseWithTheirTypesAndUses() throws Exception {
    Path dir = TestData.path("jose", "cookbook", "jwk");
    Jwk ecPublic = Jwk.fromMembers(read(dir.resolve("3_1.ec_public_key.json")));
    assertEquals("EC", ecPublic.keyType());
    assertEquals(521, ecPublic.sizeInBits());
    assertFalse(ecPublic.canSign());
    assertTrue(ecPublic.supports(JwsAlgorithm.ES512));
    assertFalse(ecPublic.supports(JwsAlgorithm.ES256), "a P-521 key is only for ES512");

    Jwk ecPrivate = Jwk.fromMembers(read(dir.resolve("3_2.ec_private_key.json")));
    assertTrue(ecPrivate.canSign());
    assertEquals(ecPublic.thumbprint(), ecPrivate.thumbprint(), "thumbprints ignore private parts");
    assertEquals(ecPublic, ecPrivate.toPublicJwk());

    Jwk rsaPublic = Jwk.fromMembers(read(dir.resolve("3_3.rsa_public_key.json")));
    Jwk rsaPrivate = Jwk.fromMembers(read(dir.resolve("3_4.rsa_private_key.json")));
    assertEquals(2048, rsaPublic.sizeInBits());
    assertTrue(rsaPrivate.canSign());
    assertEquals(rsaPublic.thumbprint(), rsaPrivate.thumbprint());

    Jwk mac = Jwk.fromMembers(read(dir.resolve("3_5.symmetric_key_mac_computation.json")));
    assertTrue(mac.supports(JwsAlgorithm.HS256));
    assertFalse(mac.supports(JwsAlgorithm.RS256));
    Jwk enc = Jwk.fromMembers(read(dir.resolve("3_6.symmetric_key_encryption.json")));
    assertFalse(enc.supports(JwsAlgorithm.HS256), "use=enc, alg=A256GCM: not a signing key");
    assertEquals(java.util.Optional.empty(), enc.algorithm());
    assertEquals(java.util.Optional.of("A256GCM"), enc.algorithmName());

    // JSON round trip keeps every member
    assertEquals(rsaPrivate, Jwk.parse(rsaPrivate.toJson()));
    assertEquals(ecPrivate, Jwk.parse(ecPrivate.toJson()));
  }

  /** RFC 7638 §3.1's worked example. */
  @Test
  void thumbprintMatchesRfc7638Example() throws Exception {
    Jwk key =
        Jwk.parse(
            "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}");
    assertEquals("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.thumbprint());
  }
}
