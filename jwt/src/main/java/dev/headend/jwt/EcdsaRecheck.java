package dev.headend.jwt;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.math.ec.ECCurve;

/**
 * A second opinion, from Bouncy Castle, for the ECDSA signatures the JDK's SunEC wrongly refuses:
 * those where the x coordinate of the recomputed point is at least the group order n and must be
 * reduced mod n before it is compared with r (Wycheproof "k*G has a large x-coordinate"). That can
 * only happen when r &lt; p - n, which an honest signer hits with probability about 2^-128, so the
 * recheck runs only for such r and costs nothing on real traffic.
 */
final class EcdsaRecheck {
  private EcdsaRecheck() {}

  static boolean applies(ECPublicKey key, byte[] sig) {
    BigInteger n = key.getParams().getOrder();
    BigInteger p = ((ECFieldFp) key.getParams().getCurve().getField()).getP();
    int half = sig.length / 2;
    BigInteger r = new BigInteger(1, sig, 0, half);
    return r.compareTo(p.subtract(n)) < 0;
  }

  static boolean verify(JwsAlgorithm a, ECPublicKey key, byte[] input, int length, byte[] sig) {
    int half = sig.length / 2;
    BigInteger r = new BigInteger(1, sig, 0, half);
    BigInteger s = new BigInteger(1, sig, half, half);
    ECParameterSpec spec = EC5Util.convertSpec(key.getParams());
    ECCurve curve = spec.getCurve();
    ECDomainParameters domain =
        new ECDomainParameters(curve, spec.getG(), spec.getN(), spec.getH());
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, new ECPublicKeyParameters(EC5Util.convertPoint(curve, key.getW()), domain));
    byte[] digest;
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-" + a.hashBytes * 8);
      md.update(input, 0, length);
      digest = md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return signer.verifySignature(digest, r, s);
  }
}
