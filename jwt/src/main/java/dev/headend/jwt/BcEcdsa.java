package dev.headend.jwt;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * ECDSA verification on Bouncy Castle's specialised P-256/384/521 arithmetic rather than the JDK's
 * SunEC, for two reasons measured and tested here: SunEC on JDK 17 wrongly refuses the valid
 * signatures where the recomputed point's x coordinate is at least the group order n and must be
 * reduced before it is compared with r (Wycheproof "k*G has a large x-coordinate"), and Bouncy
 * Castle's fixed-curve code verifies several times faster (see the module README). Signing stays
 * with the JDK.
 */
final class BcEcdsa {
  private BcEcdsa() {}

  /** Whether d·G is the point (x, y) on the JWK curve {@code crv}. */
  static boolean isPublicPointOf(String crv, BigInteger d, BigInteger x, BigInteger y) {
    X9ECParameters x9 = CustomNamedCurves.getByName(jcaName(crv));
    org.bouncycastle.math.ec.ECPoint q = x9.getG().multiply(d).normalize();
    return q.getAffineXCoord().toBigInteger().equals(x)
        && q.getAffineYCoord().toBigInteger().equals(y);
  }

  private static String jcaName(String crv) {
    return crv.equals("P-256") ? "secp256r1" : crv.equals("P-384") ? "secp384r1" : "secp521r1";
  }

  /** The key in Bouncy Castle's form, on the curve's optimised implementation. */
  static ECPublicKeyParameters publicKey(JwsAlgorithm a, ECPublicKey key) {
    String name =
        a == JwsAlgorithm.ES256 ? "secp256r1" : a == JwsAlgorithm.ES384 ? "secp384r1" : "secp521r1";
    X9ECParameters x9 = CustomNamedCurves.getByName(name);
    ECDomainParameters domain =
        new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    return new ECPublicKeyParameters(
        x9.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY()), domain);
  }

  /** Verifies r||s (already checked for length and range) over {@code input[0, length)}. */
  static boolean verify(
      JwsAlgorithm a, ECPublicKeyParameters key, byte[] input, int length, byte[] sig) {
    int half = sig.length / 2;
    BigInteger r = new BigInteger(1, sig, 0, half);
    BigInteger s = new BigInteger(1, sig, half, half);
    byte[] digest;
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-" + a.hashBytes * 8);
      md.update(input, 0, length);
      digest = md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, key);
    return signer.verifySignature(digest, r, s);
  }
}
