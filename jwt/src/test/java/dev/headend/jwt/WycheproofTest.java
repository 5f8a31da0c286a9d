package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.TestData;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Project Wycheproof vectors for every primitive under our JWS algorithms, run through the same
 * {@code Signatures.verify} the verifier calls: every "valid" vector must verify, every "invalid"
 * one must not. "acceptable" vectors (legacy encodings the standard tolerates) are counted and must
 * be decided the same way each time.
 */
class WycheproofTest {
  private static final HexFormat HEX = HexFormat.of();

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({
    "hmac_sha256_test.json, HS256, HmacSHA256",
    "hmac_sha384_test.json, HS384, HmacSHA384",
    "hmac_sha512_test.json, HS512, HmacSHA512",
    "rsa_signature_2048_sha256_test.json, RS256, RSA",
    "rsa_pss_2048_sha256_mgf1_32_test.json, PS256, RSA",
    "ecdsa_secp256r1_sha256_p1363_test.json, ES256, EC",
    "ecdsa_secp384r1_sha384_p1363_test.json, ES384, EC",
    "ecdsa_secp521r1_sha512_p1363_test.json, ES512, EC",
    "ed25519_test.json, EdDSA, Ed25519"
  })
  void validVectorsVerifyAndInvalidOnesDoNot(String file, JwsAlgorithm alg, String keyAlg)
      throws Exception {
    Map<String, Object> doc = CookbookTest.read(TestData.path("jose", "wycheproof", file));
    int valid = 0;
    int invalid = 0;
    int truncatedTags = 0;
    List<String> wrong = new ArrayList<>();
    for (Object g : (List<Object>) doc.get("testGroups")) {
      Map<String, Object> group = (Map<String, Object>) g;
      Jwk groupKey = alg.family() == JwsAlgorithm.Family.HMAC ? null : key(group, keyAlg);
      // JWS HMAC tags are never truncated: a shorter tag is always refused (RFC 7518 §3.2)
      boolean truncated =
          group.containsKey("tagSize")
              && ((Number) group.get("tagSize")).intValue() != alg.hashBytes * 8;
      for (Object t : (List<Object>) group.get("tests")) {
        Map<String, Object> test = (Map<String, Object>) t;
        Jwk key = groupKey != null ? groupKey : Jwk.secret(HEX.parseHex((String) test.get("key")));
        byte[] msg = HEX.parseHex((String) test.get("msg"));
        byte[] sig =
            HEX.parseHex((String) (test.containsKey("tag") ? test.get("tag") : test.get("sig")));
        boolean ok = Signatures.verify(alg, key, msg, msg.length, sig);
        String result = (String) test.get("result");
        String id = "tcId " + test.get("tcId") + " (" + test.get("comment") + ")";
        if (truncated) {
          truncatedTags++;
          if (ok) {
            wrong.add(id + ": truncated tag accepted");
          }
          continue;
        }
        if (result.equals("valid")) {
          valid++;
          if (!ok) {
            wrong.add(id + ": valid but rejected");
          }
        } else if (result.equals("invalid")) {
          invalid++;
          if (ok) {
            wrong.add(id + ": invalid but accepted");
          }
        } else {
          assertEquals(ok, Signatures.verify(alg, key, msg, msg.length, sig), id + " consistent");
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(valid > 0 && invalid > 0, file + ": " + valid + " valid, " + invalid + " invalid");
    if (alg.family() == JwsAlgorithm.Family.HMAC) {
      assertTrue(truncatedTags > 0);
    }
  }

  @SuppressWarnings("unchecked")
  private static Jwk key(Map<String, Object> group, String keyAlg) throws Exception {
    PublicKey pk =
        KeyFactory.getInstance(keyAlg)
            .generatePublic(
                new X509EncodedKeySpec(HEX.parseHex((String) group.get("publicKeyDer"))));
    Jwk fromDer = Jwk.of(pk);
    Object jwk =
        group.containsKey("publicKeyJwk") ? group.get("publicKeyJwk") : group.get("keyJwk");
    if (jwk instanceof Map) {
      // the vector's own JWK must parse to the same key
      Jwk parsed = Jwk.fromMembers((Map<String, Object>) jwk);
      assertEquals(fromDer.thumbprint(), parsed.thumbprint());
    }
    return fromDer;
  }
}
