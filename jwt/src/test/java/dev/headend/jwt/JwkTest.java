package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JwkTest {
  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void generatedKeysRoundTripThroughJsonAndPublishWithoutPrivateParts(JwsAlgorithm alg)
      throws Exception {
    Jwk key = Jwk.generate(alg);
    assertEquals(key, Jwk.parse(key.toJson()));
    assertEquals(key.thumbprint(), key.keyId().orElseThrow());
    assertTrue(key.supports(alg));
    assertTrue(key.canSign());
    if (alg.family() != JwsAlgorithm.Family.HMAC) {
      Jwk pub = key.toPublicJwk();
      assertFalse(pub.canSign());
      assertFalse(pub.toJson().contains("\"d\""));
      assertEquals(key.thumbprint(), pub.thumbprint());
      JwkSet set = JwkSet.parse(JwkSet.of(key).toPublicSet().toJson());
      assertEquals(List.of(pub), set.keys());
    }
    assertFalse(key.toString().contains(String.valueOf(key.members().get("d"))));
    assertFalse(key.toString().contains(String.valueOf(key.members().get("k"))));
  }

  @Test
  void ecPointsMustBeFullLengthAndOnTheCurve() throws Exception {
    Map<String, Object> m =
        new LinkedHashMap<>(Jwk.generate(JwsAlgorithm.ES256).toPublicJwk().members());
    byte[] x = B64.decode((String) m.get("x"));
    byte[] y = B64.decode((String) m.get("y"));
    y[31] ^= 1;
    Map<String, Object> offCurve = new LinkedHashMap<>(m);
    offCurve.put("y", B64.encode(y));
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.fromMembers(offCurve))
            .getMessage()
            .contains("not on P-256"));
    Map<String, Object> shortX = new LinkedHashMap<>(m);
    shortX.put("x", B64.encode(java.util.Arrays.copyOf(x, 31)));
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.fromMembers(shortX))
            .getMessage()
            .contains("32 bytes"));
    Map<String, Object> curve = new LinkedHashMap<>(m);
    curve.put("crv", "secp256k1");
    assertThrows(JwkException.class, () -> Jwk.fromMembers(curve));
  }

  @Test
  void privatePartsMustMatchThePublicOnes() throws Exception {
    for (JwsAlgorithm alg :
        new JwsAlgorithm[] {
          JwsAlgorithm.ES256, JwsAlgorithm.ES512, JwsAlgorithm.RS256, JwsAlgorithm.EdDSA
        }) {
      Jwk a = Jwk.generate(alg);
      Jwk b = Jwk.generate(alg);
      Map<String, Object> mixed = new LinkedHashMap<>(a.members());
      for (String p : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
        if (b.members().containsKey(p)) {
          mixed.put(p, b.members().get(p));
        }
      }
      JwkException e = assertThrows(JwkException.class, () -> Jwk.fromMembers(mixed), alg.name());
      assertTrue(
          e.getMessage().contains("does not belong") || e.getMessage().contains("factors"),
          e.getMessage());
      Map<String, Object> onlyD = new LinkedHashMap<>(a.members());
      if (alg.family() == JwsAlgorithm.Family.RSA) {
        for (String p : new String[] {"p", "q", "dp", "dq", "qi"}) {
          onlyD.remove(p);
        }
        onlyD.put("d", b.members().get("d"));
        assertThrows(JwkException.class, () -> Jwk.fromMembers(onlyD));
      }
    }
  }

  @Test
  void malformedMembersAreNamed() {
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.parse("{\"kty\":\"RSA\",\"e\":\"AQAB\"}"))
            .getMessage()
            .contains("\"n\""));
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.parse("{\"kty\":\"oct\",\"k\":\"a+b\"}"))
            .getMessage()
            .contains("\"k\""));
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.parse("{\"kty\":7}"))
            .getMessage()
            .contains("\"kty\""));
    assertThrows(
        JwkException.class,
        () -> Jwk.parse("{\"kty\":\"oct\",\"k\":\"AAAA\",\"key_ops\":[\"sign\",\"sign\"]}"));
    assertThrows(JwkException.class, () -> Jwk.parse("[]"));
    assertThrows(
        JwkException.class, () -> Jwk.parse("{\"kty\":\"oct\",\"k\":\"AAAA\",\"k\":\"AAAA\"}"));
  }

  @Test
  void keySizesFollowRfc7518() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    Jwk small = Jwk.of(g.generateKeyPair());
    assertFalse(small.supports(JwsAlgorithm.RS256), "RSA keys under 2048 bits are refused");
    assertFalse(Jwk.secret(new byte[31]).supports(JwsAlgorithm.HS256));
    assertTrue(Jwk.secret(new byte[32]).supports(JwsAlgorithm.HS256));
    assertFalse(Jwk.secret(new byte[32]).supports(JwsAlgorithm.HS384));
  }

  @Test
  void useAndKeyOpsRestrictVerification() throws Exception {
    Jwk key = Jwk.generate(JwsAlgorithm.ES256);
    assertFalse(key.withUse("enc").supports(JwsAlgorithm.ES256));
    Map<String, Object> m = new LinkedHashMap<>(key.members());
    m.put("key_ops", List.of("sign"));
    Jwk signOnly = Jwk.fromMembers(m);
    assertFalse(signOnly.supports(JwsAlgorithm.ES256), "verify is not among key_ops");
  }

  @Test
  void jwkSetSkipsKeysItCannotUse() throws Exception {
    String json =
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"X9\"},{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"kid\":\"a\"},7,{\"kty\":\"dilithium\"}]}";
    JwkSet set = JwkSet.parse(json);
    assertEquals(1, set.keys().size());
    assertEquals(3, set.skipped());
    assertTrue(set.byKeyId("a").isPresent());
    assertThrows(JwkException.class, () -> JwkSet.parse("{\"kees\":[]}"));
  }
}
