package dev.headend.jwt;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPrivateKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JSON Web Key (RFC 7517/7518, RFC 8037 for Ed25519): a signing or verification key with its JWK
 * members. Immutable. Parsing checks what RFC 7518 requires of each key type (full-length EC
 * coordinates on the named curve, the Ed25519 encoding); {@link #supports} adds the per-algorithm
 * rules (HMAC keys at least as long as the hash, RSA moduli of at least 2048 bits).
 *
 * <pre>{@code
 * Jwk key = Jwk.generate(JwsAlgorithm.ES256);           // kid = RFC 7638 thumbprint
 * String jwks = JwkSet.of(key.toPublicJwk()).toJson();  // publish this
 * }</pre>
 */
public final class Jwk {
  /** Maximum JSON depth and member count accepted in a single JWK. */
  static final int MAX_DEPTH = 8;

  static final int MAX_MEMBERS = 256;

  /** Largest RSA modulus accepted: bigger keys only cost verifiers time. */
  static final int MAX_RSA_BITS = 16384;

  private static final BigInteger ED25519_P =
      BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

  private static final String[] EC_CURVES = {"P-256", "P-384", "P-521"};
  private static final String[] EC_JCA = {"secp256r1", "secp384r1", "secp521r1"};

  private final Map<String, Object> members;
  private final String kty;
  private final String crv;
  private final String kid;
  private final String alg;
  private final String use;
  private final List<String> keyOps;
  private final SecretKey secret;
  private final PublicKey publicKey;
  private final PrivateKey privateKey;
  private final int keyBits;

  /** The EC public key in Bouncy Castle's form, made on first verification. */
  private volatile org.bouncycastle.crypto.params.ECPublicKeyParameters bcPublicKey;

  /** One initialised {@code Mac} per thread and HMAC algorithm, so verifying never re-keys. */
  private final ThreadLocal<Mac[]> macs;

  private Jwk(Map<String, Object> members) throws JwkException {
    this.members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    this.kty = requiredString("kty");
    this.kid = optionalString("kid");
    this.alg = optionalString("alg");
    this.use = optionalString("use");
    this.keyOps = keyOps();
    SecretKey s = null;
    PublicKey pub = null;
    PrivateKey priv = null;
    String curve = null;
    int bits;
    try {
      switch (kty) {
        case "oct":
          {
            byte[] k = bytes("k", true);
            if (k.length == 0) {
              throw new JwkException("member \"k\" is empty");
            }
            s = new SecretKeySpec(k, "HMAC");
            bits = k.length * 8;
            break;
          }
        case "RSA":
          {
            if (members.containsKey("oth")) {
              throw new JwkException("multi-prime RSA keys (member \"oth\") are not supported");
            }
            BigInteger n = unsigned("n", true);
            BigInteger e = unsigned("e", true);
            if (n.signum() <= 0 || e.signum() <= 0 || !n.testBit(0) || e.compareTo(n) >= 0) {
              throw new JwkException("RSA members \"n\" and \"e\" do not describe a key");
            }
            if (n.bitLength() > MAX_RSA_BITS) {
              throw new JwkException(
                  "RSA modulus of " + n.bitLength() + " bits; the limit is " + MAX_RSA_BITS);
            }
            KeyFactory f = KeyFactory.getInstance("RSA");
            pub = f.generatePublic(new RSAPublicKeySpec(n, e));
            BigInteger d = unsigned("d", false);
            if (d != null) {
              BigInteger p = unsigned("p", false);
              BigInteger q = unsigned("q", false);
              BigInteger dp = unsigned("dp", false);
              BigInteger dq = unsigned("dq", false);
              BigInteger qi = unsigned("qi", false);
              for (BigInteger v : new BigInteger[] {d, p, q, dp, dq, qi}) {
                if (v != null && v.compareTo(n) >= 0) {
                  throw new JwkException("RSA private members must be smaller than \"n\"");
                }
              }
              boolean crt = p != null && q != null && dp != null && dq != null && qi != null;
              if (crt && !p.multiply(q).equals(n)) {
                throw new JwkException("RSA members \"p\" and \"q\" are not the factors of \"n\"");
              }
              // a private exponent must undo the public one: check (2^e)^d = 2 mod n
              BigInteger two = BigInteger.TWO;
              if (!two.modPow(e, n).modPow(d, n).equals(two.mod(n))) {
                throw new JwkException("RSA member \"d\" does not belong to \"n\", \"e\"");
              }
              priv =
                  crt
                      ? f.generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, qi))
                      : f.generatePrivate(new RSAPrivateKeySpec(n, d));
            }
            bits = n.bitLength();
            break;
          }
        case "EC":
          {
            curve = requiredString("crv");
            int c = Arrays.asList(EC_CURVES).indexOf(curve);
            if (c < 0) {
              throw new JwkException("EC curve \"" + curve + "\" is not supported");
            }
            ECParameterSpec params = ecParams(EC_JCA[c]);
            int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
            BigInteger x = new BigInteger(1, fixed("x", size, true));
            BigInteger y = new BigInteger(1, fixed("y", size, true));
            checkOnCurve(params, x, y, curve);
            KeyFactory f = KeyFactory.getInstance("EC");
            pub = f.generatePublic(new ECPublicKeySpec(new ECPoint(x, y), params));
            byte[] d = fixed("d", size, false);
            if (d != null) {
              BigInteger dv = new BigInteger(1, d);
              if (dv.signum() == 0 || dv.compareTo(params.getOrder()) >= 0) {
                throw new JwkException("EC member \"d\" is out of range");
              }
              if (!BcEcdsa.isPublicPointOf(curve, dv, x, y)) {
                throw new JwkException("EC member \"d\" does not belong to \"x\", \"y\"");
              }
              priv = f.generatePrivate(new ECPrivateKeySpec(dv, params));
            }
            bits = params.getCurve().getField().getFieldSize();
            break;
          }
        case "OKP":
          {
            curve = requiredString("crv");
            if (!curve.equals("Ed25519")) {
              throw new JwkException("OKP curve \"" + curve + "\" is not supported for signatures");
            }
            byte[] x = fixed("x", 32, true);
            KeyFactory f = KeyFactory.getInstance("Ed25519");
            pub = f.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, edPoint(x)));
            byte[] d = fixed("d", 32, false);
            if (d != null) {
              byte[] derived = new byte[32];
              org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(d, 0, derived, 0);
              if (!java.security.MessageDigest.isEqual(derived, x)) {
                throw new JwkException("OKP member \"d\" does not belong to \"x\"");
              }
              priv = f.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, d));
            }
            bits = 256;
            break;
          }
        default:
          throw new JwkException("key type \"" + kty + "\" is not supported");
      }
    } catch (GeneralSecurityException e) {
      throw new JwkException(kty + " key rejected by the JDK: " + e.getMessage(), e);
    }
    this.crv = curve;
    this.secret = s;
    this.publicKey = pub;
    this.privateKey = priv;
    this.keyBits = bits;
    this.macs = s == null ? null : ThreadLocal.withInitial(() -> new Mac[3]);
  }

  // ---- construction -------------------------------------------------------------------------

  /** Parses one JWK. */
  public static Jwk parse(String json) throws JwkException {
    try {
      return fromMembers(
          Json.parseObject(json.getBytes(StandardCharsets.UTF_8), MAX_DEPTH, MAX_MEMBERS));
    } catch (Json.JsonError e) {
      throw new JwkException("JWK is not a JSON object: " + e.getMessage());
    }
  }

  /** A key from already-parsed JWK members (as in a JWK Set). */
  public static Jwk fromMembers(Map<String, ?> members) throws JwkException {
    return new Jwk(new LinkedHashMap<>(members));
  }

  /** A symmetric ({@code oct}) key, for HS256/384/512. */
  public static Jwk secret(byte[] key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kty", "oct");
    m.put("k", B64.encode(key));
    return unchecked(m);
  }

  /** The public half of an RSA, EC (P-256/384/521) or Ed25519 key. */
  public static Jwk of(PublicKey key) {
    return unchecked(publicMembers(key));
  }

  /** A key pair: signs, and verifies. */
  public static Jwk of(KeyPair pair) {
    Map<String, Object> m = publicMembers(pair.getPublic());
    PrivateKey p = pair.getPrivate();
    if (p instanceof RSAPrivateCrtKey) {
      RSAPrivateCrtKey k = (RSAPrivateCrtKey) p;
      m.put("d", b64(k.getPrivateExponent()));
      m.put("p", b64(k.getPrimeP()));
      m.put("q", b64(k.getPrimeQ()));
      m.put("dp", b64(k.getPrimeExponentP()));
      m.put("dq", b64(k.getPrimeExponentQ()));
      m.put("qi", b64(k.getCrtCoefficient()));
    } else if (p instanceof RSAPrivateKey) {
      m.put("d", b64(((RSAPrivateKey) p).getPrivateExponent()));
    } else if (p instanceof ECPrivateKey) {
      ECPrivateKey k = (ECPrivateKey) p;
      int size = (k.getParams().getCurve().getField().getFieldSize() + 7) / 8;
      m.put("d", B64.encode(fixedBytes(k.getS(), size)));
    } else if (p instanceof EdECPrivateKey) {
      m.put(
          "d",
          B64.encode(
              ((EdECPrivateKey) p)
                  .getBytes()
                  .orElseThrow(() -> new IllegalArgumentException("Ed25519 key has no bytes"))));
    } else {
      throw new IllegalArgumentException("unsupported private key " + p.getAlgorithm());
    }
    return unchecked(m);
  }

  /**
   * A fresh random key for {@code alg}: a hash-length secret for HMAC, RSA 2048, the algorithm's
   * curve for EC, Ed25519 for EdDSA; pinned to {@code alg}, with its thumbprint as {@code kid}.
   */
  public static Jwk generate(JwsAlgorithm alg) {
    Jwk key;
    try {
      switch (alg.family()) {
        case HMAC:
          {
            byte[] k = new byte[alg.hashBytes];
            new SecureRandom().nextBytes(k);
            key = secret(k);
            break;
          }
        case RSA:
        case RSA_PSS:
          {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
            key = of(g.generateKeyPair());
            break;
          }
        case EC:
          {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            String crv = alg.curve().orElseThrow();
            g.initialize(new ECGenParameterSpec(EC_JCA[Arrays.asList(EC_CURVES).indexOf(crv)]));
            key = of(g.generateKeyPair());
            break;
          }
        default:
          key = of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate a " + alg + " key", e);
    }
    Jwk pinned = key.withAlgorithm(alg);
    return pinned.withKeyId(pinned.thumbprint());
  }

  /** This key with {@code kid} set (or removed, for null). */
  public Jwk withKeyId(String kid) {
    return with("kid", kid);
  }

  /** This key pinned to {@code alg} (or unpinned, for null). */
  public Jwk withAlgorithm(JwsAlgorithm alg) {
    return with("alg", alg == null ? null : alg.name());
  }

  /** This key with {@code use} set, e.g. {@code "sig"} (or removed, for null). */
  public Jwk withUse(String use) {
    return with("use", use);
  }

  private Jwk with(String name, String value) {
    Map<String, Object> m = new LinkedHashMap<>(members);
    if (value == null) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return unchecked(m);
  }

  /** This key without its private members (an HMAC key has no public half: it throws). */
  public Jwk toPublicJwk() {
    if (secret != null) {
      throw new IllegalStateException("a symmetric key has no public form");
    }
    Map<String, Object> m = new LinkedHashMap<>(members);
    for (String p : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
      m.remove(p);
    }
    return unchecked(m);
  }

  private static Jwk unchecked(Map<String, Object> m) {
    try {
      return new Jwk(m);
    } catch (JwkException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static Map<String, Object> publicMembers(PublicKey key) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (key instanceof RSAPublicKey) {
      RSAPublicKey k = (RSAPublicKey) key;
      m.put("kty", "RSA");
      m.put("n", b64(k.getModulus()));
      m.put("e", b64(k.getPublicExponent()));
    } else if (key instanceof ECPublicKey) {
      ECPublicKey k = (ECPublicKey) key;
      int bits = k.getParams().getCurve().getField().getFieldSize();
      int c = bits == 256 ? 0 : bits == 384 ? 1 : bits == 521 ? 2 : -1;
      if (c < 0) {
        throw new IllegalArgumentException("EC key on an unsupported curve (" + bits + " bits)");
      }
      int size = (bits + 7) / 8;
      m.put("kty", "EC");
      m.put("crv", EC_CURVES[c]);
      m.put("x", B64.encode(fixedBytes(k.getW().getAffineX(), size)));
      m.put("y", B64.encode(fixedBytes(k.getW().getAffineY(), size)));
    } else if (key instanceof EdECPublicKey) {
      EdECPublicKey k = (EdECPublicKey) key;
      if (!"Ed25519".equalsIgnoreCase(k.getParams().getName())) {
        throw new IllegalArgumentException("EdDSA curve " + k.getParams().getName());
      }
      byte[] y = fixedBytes(k.getPoint().getY(), 32);
      byte[] le = new byte[32];
      for (int i = 0; i < 32; i++) {
        le[i] = y[31 - i];
      }
      if (k.getPoint().isXOdd()) {
        le[31] |= (byte) 0x80;
      }
      m.put("kty", "OKP");
      m.put("crv", "Ed25519");
      m.put("x", B64.encode(le));
    } else {
      throw new IllegalArgumentException("unsupported public key " + key.getAlgorithm());
    }
    return m;
  }

  // ---- accessors ----------------------------------------------------------------------------

  /** {@code kty}: {@code oct}, {@code RSA}, {@code EC} or {@code OKP}. */
  public String keyType() {
    return kty;
  }

  /** {@code kid}, if present. */
  public Optional<String> keyId() {
    return Optional.ofNullable(kid);
  }

  /** The {@code alg} member as written (it may name a non-JWS algorithm), if present. */
  public Optional<String> algorithmName() {
    return Optional.ofNullable(alg);
  }

  /** The JWS algorithm this key is pinned to by its {@code alg} member, if it is one. */
  public Optional<JwsAlgorithm> algorithm() {
    return alg == null ? Optional.empty() : JwsAlgorithm.forName(alg);
  }

  /** {@code crv} for EC and OKP keys. */
  public Optional<String> curve() {
    return Optional.ofNullable(crv);
  }

  /** Whether this key can sign (has a private part or is a secret). */
  public boolean canSign() {
    return secret != null || privateKey != null;
  }

  /** Key size in bits (modulus for RSA, field for EC, secret length for oct). */
  public int sizeInBits() {
    return keyBits;
  }

  /** The JDK key that verifies: the public key, or the secret. */
  public Key verificationKey() {
    return secret != null ? secret : publicKey;
  }

  /** All members as parsed or built (includes private members if present). */
  public Map<String, Object> members() {
    return members;
  }

  /**
   * Whether this key may be used with {@code alg}: the key type and curve fit, the size meets RFC
   * 7518's minimum, and {@code alg}, {@code use} and {@code key_ops}, where present, allow it.
   */
  public boolean supports(JwsAlgorithm a) {
    return whyNot(a, false) == null;
  }

  /** Null if this key may verify (or sign) with {@code a}, else the reason it may not. */
  String whyNot(JwsAlgorithm a, boolean signing) {
    if (alg != null && !alg.equals(a.name())) {
      return "key is pinned to " + alg;
    }
    if (use != null && !use.equals("sig")) {
      return "key use is \"" + use + "\"";
    }
    if (keyOps != null && !keyOps.contains(signing ? "sign" : "verify")) {
      return "key_ops does not allow " + (signing ? "sign" : "verify");
    }
    if (signing && !canSign()) {
      return "key has no private part";
    }
    switch (a.family()) {
      case HMAC:
        if (secret == null) {
          return a + " needs an oct key, this is " + kty;
        }
        return keyBits < a.hashBytes * 8
            ? a + " needs a key of at least " + a.hashBytes * 8 + " bits, this has " + keyBits
            : null;
      case RSA:
      case RSA_PSS:
        if (!kty.equals("RSA")) {
          return a + " needs an RSA key, this is " + kty;
        }
        return keyBits < 2048 ? a + " needs at least 2048 bits, this has " + keyBits : null;
      case EC:
      case OKP:
        return a.curve().orElseThrow().equals(crv) ? null : a + " needs curve " + a.curve().get();
      default:
        throw new AssertionError(a);
    }
  }

  SecretKey secret() {
    return secret;
  }

  PublicKey publicKey() {
    return publicKey;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  org.bouncycastle.crypto.params.ECPublicKeyParameters bcPublicKey(JwsAlgorithm a) {
    org.bouncycastle.crypto.params.ECPublicKeyParameters p = bcPublicKey;
    if (p == null) {
      p = BcEcdsa.publicKey(a, (java.security.interfaces.ECPublicKey) publicKey);
      bcPublicKey = p;
    }
    return p;
  }

  /** This thread's {@code Mac} for {@code a}, initialised with this key. */
  Mac mac(JwsAlgorithm a) throws GeneralSecurityException {
    Mac[] cache = macs.get();
    int i = a.ordinal() - JwsAlgorithm.HS256.ordinal();
    Mac m = cache[i];
    if (m == null) {
      m = Mac.getInstance(a.jcaName);
      m.init(secret);
      cache[i] = m;
    }
    return m;
  }

  // ---- output -------------------------------------------------------------------------------

  /** The JWK as JSON, private members included if this key has them. */
  public String toJson() {
    return new String(Json.write(members), StandardCharsets.UTF_8);
  }

  /** The RFC 7638 thumbprint: base64url SHA-256 of the required members in canonical form. */
  public String thumbprint() {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (kty) {
      case "oct":
        m.put("k", members.get("k"));
        m.put("kty", kty);
        break;
      case "RSA":
        m.put("e", members.get("e"));
        m.put("kty", kty);
        m.put("n", members.get("n"));
        break;
      case "EC":
        m.put("crv", crv);
        m.put("kty", kty);
        m.put("x", members.get("x"));
        m.put("y", members.get("y"));
        break;
      default:
        m.put("crv", crv);
        m.put("kty", kty);
        m.put("x", members.get("x"));
    }
    try {
      return B64.encode(MessageDigest.getInstance("SHA-256").digest(Json.write(m)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Jwk && ((Jwk) o).members.equals(members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }

  /** Type, id, algorithm and thumbprint; never key material. */
  @Override
  public String toString() {
    return "Jwk{kty="
        + kty
        + (crv == null ? "" : ", crv=" + crv)
        + (kid == null ? "" : ", kid=" + kid)
        + (alg == null ? "" : ", alg=" + alg)
        + (canSign() ? ", private" : "")
        + "}";
  }

  // ---- member helpers -----------------------------------------------------------------------

  private String requiredString(String name) throws JwkException {
    String s = optionalString(name);
    if (s == null) {
      throw new JwkException("required member \"" + name + "\" is missing");
    }
    return s;
  }

  private String optionalString(String name) throws JwkException {
    Object v = members.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw new JwkException("member \"" + name + "\" must be a string");
    }
    return (String) v;
  }

  private List<String> keyOps() throws JwkException {
    Object v = members.get("key_ops");
    if (v == null) {
      return null;
    }
    if (!(v instanceof List)) {
      throw new JwkException("member \"key_ops\" must be an array of strings");
    }
    List<String> ops = new ArrayList<>();
    for (Object o : (List<?>) v) {
      if (!(o instanceof String) || ops.contains(o)) {
        throw new JwkException("member \"key_ops\" must be an array of distinct strings");
      }
      ops.add((String) o);
    }
    return Collections.unmodifiableList(ops);
  }

  private byte[] bytes(String name, boolean required) throws JwkException {
    String s = required ? requiredString(name) : optionalString(name);
    if (s == null) {
      return null;
    }
    try {
      return B64.decode(s);
    } catch (B64.BadBase64 e) {
      throw new JwkException("member \"" + name + "\": " + e.getMessage());
    }
  }

  private BigInteger unsigned(String name, boolean required) throws JwkException {
    byte[] b = bytes(name, required);
    if (b != null && b.length > 1 && b[0] == 0) {
      // RFC 7518 §2 Base64urlUInt: the minimum number of octets, so one key has one thumbprint
      throw new JwkException("member \"" + name + "\" has a leading zero octet");
    }
    return b == null ? null : new BigInteger(1, b);
  }

  private byte[] fixed(String name, int size, boolean required) throws JwkException {
    byte[] b = bytes(name, required);
    if (b != null && b.length != size) {
      throw new JwkException(
          "member \"" + name + "\" must be " + size + " bytes, it is " + b.length);
    }
    return b;
  }

  private static ECParameterSpec ecParams(String name) throws GeneralSecurityException {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec(name));
    return p.getParameterSpec(ECParameterSpec.class);
  }

  private static void checkOnCurve(ECParameterSpec params, BigInteger x, BigInteger y, String crv)
      throws JwkException {
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      throw new JwkException("EC point is not on " + crv + " (coordinate out of range)");
    }
    BigInteger lhs = y.multiply(y).mod(p);
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    if (!lhs.equals(rhs)) {
      throw new JwkException("EC point is not on " + crv);
    }
  }

  /** RFC 8032 §5.1.3 encoding: little-endian y with x's parity in the top bit. */
  private static EdECPoint edPoint(byte[] x) throws JwkException {
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = x[31 - i];
    }
    boolean xOdd = (be[0] & 0x80) != 0;
    be[0] &= 0x7f;
    BigInteger y = new BigInteger(1, be);
    if (y.compareTo(ED25519_P) >= 0) {
      // RFC 8032 §5.1.3: a non-canonical y would give the same key a second encoding
      throw new JwkException("OKP member \"x\" is not a canonical Ed25519 point encoding");
    }
    return new EdECPoint(xOdd, y);
  }

  static byte[] fixedBytes(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length == size) {
      return b;
    }
    byte[] out = new byte[size];
    if (b.length > size) {
      System.arraycopy(b, b.length - size, out, 0, size);
    } else {
      System.arraycopy(b, 0, out, size - b.length, b.length);
    }
    return out;
  }

  private static String b64(BigInteger v) {
    byte[] b = v.toByteArray();
    int skip = b.length > 1 && b[0] == 0 ? 1 : 0;
    return B64.encode(Arrays.copyOfRange(b, skip, b.length));
  }
}
