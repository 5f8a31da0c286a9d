package dev.headend.jwt;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import javax.crypto.Mac;

/**
 * The signature primitives under JWS. Verification checks the shape of a signature before the JDK
 * sees it: exact lengths for every algorithm and, for ECDSA, {@code 0 < r, s < n}, which is what
 * CVE-2022-21449 ("psychic signatures") skipped. A failed check is a plain {@code false}.
 */
final class Signatures {
  private static final ThreadLocal<Signature[]> SIGNATURES =
      ThreadLocal.withInitial(() -> new Signature[JwsAlgorithm.values().length]);

  private Signatures() {}

  static byte[] sign(JwsAlgorithm a, Jwk key, byte[] input, int length)
      throws GeneralSecurityException {
    if (a.family() == JwsAlgorithm.Family.HMAC) {
      Mac mac = key.mac(a);
      mac.update(input, 0, length);
      return mac.doFinal();
    }
    Signature s = signature(a);
    s.initSign(key.privateKey());
    s.update(input, 0, length);
    return s.sign();
  }

  static boolean verify(JwsAlgorithm a, Jwk key, byte[] input, int length, byte[] sig) {
    try {
      switch (a.family()) {
        case HMAC:
          {
            if (sig.length != a.hashBytes) {
              return false;
            }
            Mac mac = key.mac(a);
            mac.update(input, 0, length);
            return MessageDigest.isEqual(mac.doFinal(), sig);
          }
        case RSA:
        case RSA_PSS:
          if (sig.length != (((RSAPublicKey) key.publicKey()).getModulus().bitLength() + 7) / 8) {
            return false;
          }
          break;
        case EC:
          return ecdsaInRange((ECPublicKey) key.publicKey(), sig)
              && BcEcdsa.verify(a, key.bcPublicKey(a), input, length, sig);
        case OKP:
          if (sig.length != 64) {
            return false;
          }
          break;
        default:
          throw new AssertionError(a);
      }
      Signature s = signature(a);
      s.initVerify(key.publicKey());
      s.update(input, 0, length);
      return s.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      // a signature the provider cannot even parse is a signature that does not verify
      return false;
    }
  }

  /** r||s must be exactly twice the order's length, with both halves in [1, n-1]. */
  static boolean ecdsaInRange(ECPublicKey key, byte[] sig) {
    BigInteger n = key.getParams().getOrder();
    int half = (n.bitLength() + 7) / 8;
    if (sig.length != 2 * half) {
      return false;
    }
    BigInteger r = new BigInteger(1, sig, 0, half);
    BigInteger s = new BigInteger(1, sig, half, half);
    return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
  }

  private static Signature signature(JwsAlgorithm a) throws GeneralSecurityException {
    Signature[] cache = SIGNATURES.get();
    Signature s = cache[a.ordinal()];
    if (s == null) {
      s = Signature.getInstance(a.jcaName);
      if (a.family() == JwsAlgorithm.Family.RSA_PSS) {
        String hash = "SHA-" + a.hashBytes * 8;
        s.setParameter(
            new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), a.hashBytes, 1));
      }
      cache[a.ordinal()] = s;
    }
    return s;
  }
}
