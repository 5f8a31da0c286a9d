package dev.headend.benchmarks.jwt;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.headend.jwt.Jwk;
import dev.headend.jwt.JwkSet;
import dev.headend.jwt.JwsAlgorithm;
import dev.headend.jwt.Jwt;
import dev.headend.jwt.JwtClaims;
import dev.headend.jwt.JwtSigner;
import dev.headend.jwt.JwtVerifier;
import dev.headend.jwt.UnverifiedJwt;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same token and key through headend-jwt, nimbus-jose-jwt, jjwt, auth0 java-jwt and jose4j, in
 * one run: HS256 sign and verify, ES256 and RS256 verify, and decoding without verification. Each
 * library verifies the identical token string with its usual API (verifier objects built once);
 * headend's verifier also checks iss, aud and exp, as does jose4j's consumer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtBenchmark {
  static final String ISSUER = "https://id.example.net";

  JwtClaims claims;
  JWTClaimsSet nimbusClaims;
  String hsToken;
  String esToken;
  String rsToken;

  JwtSigner headendHsSigner;
  JwtVerifier headendHs;
  JwtVerifier headendEs;
  JwtVerifier headendRs;

  MACSigner nimbusHsSigner;
  JWSHeader nimbusHsHeader;
  JWSVerifier nimbusHs;
  JWSVerifier nimbusEs;
  JWSVerifier nimbusRs;

  SecretKey jjwtHsKey;
  JwtParser jjwtHs;
  JwtParser jjwtEs;
  JwtParser jjwtRs;

  Algorithm auth0HsAlg;
  JWTVerifier auth0Hs;
  JWTVerifier auth0Es;
  JWTVerifier auth0Rs;

  HmacKey jose4jHsKey;
  JwtConsumer jose4jHs;
  JwtConsumer jose4jEs;
  JwtConsumer jose4jRs;
  JwtConsumer jose4jDecode;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Instant now = Instant.now();
    Instant exp = now.plusSeconds(10L * 365 * 86_400);
    claims =
        JwtClaims.builder()
            .issuer(ISSUER)
            .subject("alice")
            .audience("api")
            .issuedAt(now)
            .expiresAt(exp)
            .id("4f1g23a12aa")
            .claim("scope", "openid profile email")
            .build();
    nimbusClaims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject("alice")
            .audience("api")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(exp))
            .jwtID("4f1g23a12aa")
            .claim("scope", "openid profile email")
            .build();

    Jwk hs = Jwk.generate(JwsAlgorithm.HS256);
    Jwk es = Jwk.generate(JwsAlgorithm.ES256);
    Jwk rs = Jwk.generate(JwsAlgorithm.RS256);
    byte[] secret = hs.verificationKey().getEncoded();
    PublicKey esKey = (PublicKey) es.toPublicJwk().verificationKey();
    PublicKey rsKey = (PublicKey) rs.toPublicJwk().verificationKey();

    headendHsSigner = JwtSigner.of(hs);
    hsToken = headendHsSigner.sign(claims);
    esToken = JwtSigner.of(es).sign(claims);
    rsToken = JwtSigner.of(rs).sign(claims);
    headendHs = headend(JwkSet.of(hs));
    headendEs = headend(JwkSet.of(es.toPublicJwk()));
    headendRs = headend(JwkSet.of(rs.toPublicJwk()));

    nimbusHsSigner = new MACSigner(secret);
    nimbusHsHeader =
        new JWSHeader.Builder(JWSAlgorithm.HS256)
            .type(JOSEObjectType.JWT)
            .keyID(hs.keyId().orElseThrow())
            .build();
    nimbusHs = new MACVerifier(secret);
    nimbusEs = new ECDSAVerifier((ECPublicKey) esKey);
    nimbusRs = new RSASSAVerifier((RSAPublicKey) rsKey);

    jjwtHsKey = Keys.hmacShaKeyFor(secret);
    jjwtHs = Jwts.parser().verifyWith(jjwtHsKey).build();
    jjwtEs = Jwts.parser().verifyWith(esKey).build();
    jjwtRs = Jwts.parser().verifyWith(rsKey).build();

    auth0HsAlg = Algorithm.HMAC256(secret);
    auth0Hs = JWT.require(auth0HsAlg).build();
    auth0Es = JWT.require(Algorithm.ECDSA256((ECPublicKey) esKey, null)).build();
    auth0Rs = JWT.require(Algorithm.RSA256((RSAPublicKey) rsKey, null)).build();

    jose4jHsKey = new HmacKey(secret);
    jose4jHs = jose4j(jose4jHsKey, AlgorithmIdentifiers.HMAC_SHA256);
    jose4jEs = jose4j(esKey, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
    jose4jRs = jose4j(rsKey, AlgorithmIdentifiers.RSA_USING_SHA256);
    jose4jDecode =
        new JwtConsumerBuilder()
            .setSkipAllValidators()
            .setDisableRequireSignature()
            .setSkipSignatureVerification()
            .build();

    // every library must accept every token before anything is timed
    checkAll();
  }

  private void checkAll() {
    try {
      Object[] results = {
        hsVerifyHeadend(),
        esVerifyHeadend(),
        rsVerifyHeadend(),
        hsVerifyNimbus(),
        esVerifyNimbus(),
        rsVerifyNimbus(),
        hsVerifyJjwt(),
        esVerifyJjwt(),
        rsVerifyJjwt(),
        hsVerifyAuth0(),
        esVerifyAuth0(),
        rsVerifyAuth0(),
        hsVerifyJose4j(),
        esVerifyJose4j(),
        rsVerifyJose4j(),
        decodeHeadend(),
        decodeNimbus(),
        decodeAuth0(),
        decodeJose4j()
      };
      for (Object r : results) {
        if (r == null) {
          throw new IllegalStateException("a library returned nothing");
        }
      }
      for (String t :
          new String[] {
            hsSignHeadend(), hsSignNimbus(), hsSignJjwt(), hsSignAuth0(), hsSignJose4j()
          }) {
        if (headendHs.verify(t).claims().subject().isEmpty()) {
          throw new IllegalStateException("signed token lost its subject");
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("benchmark setup: " + e, e);
    }
  }

  private static JwtVerifier headend(JwkSet keys) {
    return JwtVerifier.builder(keys).issuer(ISSUER).audience("api").build();
  }

  private static JwtConsumer jose4j(Key key, String alg) {
    return new JwtConsumerBuilder()
        .setVerificationKey(key)
        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg)
        .setExpectedIssuer(ISSUER)
        .setExpectedAudience("api")
        .setRequireExpirationTime()
        .build();
  }

  // ---- HS256 verify ----

  @Benchmark
  public Jwt hsVerifyHeadend() throws Exception {
    return headendHs.verify(hsToken);
  }

  @Benchmark
  public JWTClaimsSet hsVerifyNimbus() throws Exception {
    return nimbusVerify(hsToken, nimbusHs);
  }

  @Benchmark
  public Claims hsVerifyJjwt() {
    return jjwtHs.parseSignedClaims(hsToken).getPayload();
  }

  @Benchmark
  public DecodedJWT hsVerifyAuth0() {
    return auth0Hs.verify(hsToken);
  }

  @Benchmark
  public Object hsVerifyJose4j() throws Exception {
    return jose4jHs.processToClaims(hsToken);
  }

  // ---- ES256 verify ----

  @Benchmark
  public Jwt esVerifyHeadend() throws Exception {
    return headendEs.verify(esToken);
  }

  @Benchmark
  public JWTClaimsSet esVerifyNimbus() throws Exception {
    return nimbusVerify(esToken, nimbusEs);
  }

  @Benchmark
  public Claims esVerifyJjwt() {
    return jjwtEs.parseSignedClaims(esToken).getPayload();
  }

  @Benchmark
  public DecodedJWT esVerifyAuth0() {
    return auth0Es.verify(esToken);
  }

  @Benchmark
  public Object esVerifyJose4j() throws Exception {
    return jose4jEs.processToClaims(esToken);
  }

  // ---- RS256 verify ----

  @Benchmark
  public Jwt rsVerifyHeadend() throws Exception {
    return headendRs.verify(rsToken);
  }

  @Benchmark
  public JWTClaimsSet rsVerifyNimbus() throws Exception {
    return nimbusVerify(rsToken, nimbusRs);
  }

  @Benchmark
  public Claims rsVerifyJjwt() {
    return jjwtRs.parseSignedClaims(rsToken).getPayload();
  }

  @Benchmark
  public DecodedJWT rsVerifyAuth0() {
    return auth0Rs.verify(rsToken);
  }

  @Benchmark
  public Object rsVerifyJose4j() throws Exception {
    return jose4jRs.processToClaims(rsToken);
  }

  private static JWTClaimsSet nimbusVerify(String token, JWSVerifier verifier) throws Exception {
    SignedJWT jwt = SignedJWT.parse(token);
    if (!jwt.verify(verifier)) {
      throw new IllegalStateException("nimbus refused the token");
    }
    return jwt.getJWTClaimsSet();
  }

  // ---- HS256 sign ----

  @Benchmark
  public String hsSignHeadend() {
    return headendHsSigner.sign(claims);
  }

  @Benchmark
  public String hsSignNimbus() throws Exception {
    SignedJWT jwt = new SignedJWT(nimbusHsHeader, nimbusClaims);
    jwt.sign(nimbusHsSigner);
    return jwt.serialize();
  }

  @Benchmark
  public String hsSignJjwt() {
    return Jwts.builder()
        .header()
        .type("JWT")
        .and()
        .claims(claims.asMap())
        .signWith(jjwtHsKey, Jwts.SIG.HS256)
        .compact();
  }

  @Benchmark
  public String hsSignAuth0() {
    return JWT.create().withPayload(claims.asMap()).sign(auth0HsAlg);
  }

  @Benchmark
  public String hsSignJose4j() throws Exception {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
    jws.setHeader("typ", "JWT");
    jws.setKey(jose4jHsKey);
    return jws.getCompactSerialization();
  }

  // ---- decode without verifying ----

  @Benchmark
  public UnverifiedJwt decodeHeadend() throws Exception {
    return UnverifiedJwt.decode(hsToken);
  }

  @Benchmark
  public JWTClaimsSet decodeNimbus() throws Exception {
    return SignedJWT.parse(hsToken).getJWTClaimsSet();
  }

  @Benchmark
  public DecodedJWT decodeAuth0() {
    return JWT.decode(hsToken);
  }

  @Benchmark
  public Object decodeJose4j() throws Exception {
    return jose4jDecode.processToClaims(hsToken);
  }
}
