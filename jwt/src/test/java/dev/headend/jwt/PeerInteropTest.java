package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSSignerFactory;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tokens made by nimbus-jose-jwt and jjwt verify with ours, and ours with theirs, for every
 * algorithm each supports (nimbus: all thirteen, Ed25519 through Tink; jjwt: all thirteen).
 */
class PeerInteropTest {
  static final Instant NOW = Instant.now();

  static JwtVerifier ours(Jwk key) {
    Jwk pub = key.keyType().equals("oct") ? key : key.toPublicJwk();
    return JwtVerifier.builder(JwkSet.of(pub)).issuer("peer").audience("api").build();
  }

  static JwtClaims claims() {
    return JwtClaims.builder()
        .issuer("peer")
        .subject("alice")
        .audience("api")
        .issuedAt(NOW)
        .expiresAt(NOW.plusSeconds(300))
        .claim("scope", "read write")
        .build();
  }

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void nimbusTokensVerifyWithOursAndOursWithNimbus(JwsAlgorithm alg) throws Exception {
    Jwk key = Jwk.generate(alg);
    JWK theirKey = JWK.parse(key.toJson());
    JWSAlgorithm theirAlg = JWSAlgorithm.parse(alg.name());

    // nimbus signs, we verify
    JWSSigner signer =
        alg == JwsAlgorithm.EdDSA
            ? new com.nimbusds.jose.crypto.Ed25519Signer((OctetKeyPair) theirKey)
            : new DefaultJWSSignerFactory().createJWSSigner(theirKey, theirAlg);
    SignedJWT theirs =
        new SignedJWT(
            new JWSHeader.Builder(theirAlg)
                .keyID(theirKey.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            new JWTClaimsSet.Builder()
                .issuer("peer")
                .subject("alice")
                .audience("api")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(300)))
                .claim("scope", "read write")
                .build());
    theirs.sign(signer);
    Jwt jwt = ours(key).verify(theirs.serialize());
    assertEquals("alice", jwt.claims().subject().orElseThrow());
    assertEquals("read write", jwt.claims().getString("scope").orElseThrow());

    // we sign, nimbus verifies
    String token = JwtSigner.of(key).sign(claims());
    SignedJWT parsed = SignedJWT.parse(token);
    JWK verifyKey = key.keyType().equals("oct") ? theirKey : theirKey.toPublicJWK();
    JWSVerifier verifier =
        alg == JwsAlgorithm.EdDSA
            ? new com.nimbusds.jose.crypto.Ed25519Verifier((OctetKeyPair) verifyKey)
            : new DefaultJWSVerifierFactory().createJWSVerifier(parsed.getHeader(), key(verifyKey));
    assertTrue(parsed.verify(verifier));
    assertEquals("alice", parsed.getJWTClaimsSet().getSubject());
    assertEquals(
        NOW.plusSeconds(300).getEpochSecond(),
        parsed.getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond());

    // and a token nimbus signed with another key is refused by ours
    Jwk other = Jwk.generate(alg).withKeyId(key.keyId().get());
    assertEquals(
        JwtException.Reason.BAD_SIGNATURE,
        assertThrows(JwtException.class, () -> ours(other).verify(theirs.serialize())).reason());
  }

  private static Key key(JWK k) throws Exception {
    if (k instanceof com.nimbusds.jose.jwk.OctetSequenceKey) {
      return ((com.nimbusds.jose.jwk.OctetSequenceKey) k).toSecretKey();
    }
    return ((com.nimbusds.jose.jwk.AsymmetricJWK) k).toPublicKey();
  }

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void jjwtTokensVerifyWithOursAndOursWithJjwt(JwsAlgorithm alg) throws Exception {
    Jwk key = Jwk.generate(alg);
    Key signKey;
    Key verifyKey;
    if (alg.family() == JwsAlgorithm.Family.HMAC) {
      signKey = Keys.hmacShaKeyFor(key.secret().getEncoded());
      verifyKey = signKey;
    } else {
      signKey = key.privateKey();
      verifyKey = key.publicKey();
    }
    @SuppressWarnings("unchecked")
    SecureDigestAlgorithm<Key, Key> theirAlg =
        (SecureDigestAlgorithm<Key, Key>) Jwts.SIG.get().forKey(alg.name());

    String theirs =
        Jwts.builder()
            .header()
            .keyId(key.keyId().get())
            .type("JWT")
            .and()
            .issuer("peer")
            .subject("alice")
            .audience()
            .add("api")
            .and()
            .issuedAt(Date.from(NOW))
            .expiration(Date.from(NOW.plusSeconds(300)))
            .claim("scope", "read write")
            .signWith(signKey, theirAlg)
            .compact();
    Jwt jwt = ours(key).verify(theirs);
    assertEquals(alg, jwt.algorithm());
    assertEquals("alice", jwt.claims().subject().orElseThrow());

    String token = JwtSigner.of(key).sign(claims());
    Claims parsed =
        (verifyKey instanceof PublicKey
                ? Jwts.parser().verifyWith((PublicKey) verifyKey)
                : Jwts.parser().verifyWith((javax.crypto.SecretKey) verifyKey))
            .build()
            .parseSignedClaims(token)
            .getPayload();
    assertEquals("alice", parsed.getSubject());
    assertEquals("read write", parsed.get("scope", String.class));
    assertTrue(signKey instanceof PrivateKey || alg.family() == JwsAlgorithm.Family.HMAC);
  }
}
