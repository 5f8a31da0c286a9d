package dev.headend.dns.wire;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Encodes a dnsjava response so that it fits a UDP size limit, the way RFC 2181 §9 and RFC 6891 §7
 * ask:
 *
 * <ol>
 *   <li>if the whole message fits, it is sent as it is;
 *   <li>otherwise additional-section records are dropped (except OPT, which stays) and, if the rest
 *       fits, the message goes out <em>without</em> TC — additional data is optional, unless the
 *       caller says it is required (referral glue, RFC 9471);
 *   <li>otherwise the header, question and OPT go out with TC set, telling the client to retry over
 *       TCP.
 * </ol>
 *
 * Records are never cut from the middle of the answer or authority sections: a client that sees TC
 * ignores partial data anyway (RFC 2181 §9).
 */
public final class DnsTruncation {
  private DnsTruncation() {}

  /** Encodes {@code response} to at most {@code maxSize} bytes; additional data is optional. */
  public static byte[] toWire(Message response, int maxSize) {
    return toWire(response, maxSize, false);
  }

  /**
   * Encodes {@code response} to at most {@code maxSize} bytes.
   *
   * @param additionalRequired whether dropping additional records must set TC (glue in a referral)
   * @throws IllegalArgumentException if even the truncated form cannot fit ({@code maxSize} below
   *     the header, question and OPT)
   */
  public static byte[] toWire(Message response, int maxSize, boolean additionalRequired) {
    byte[] full = response.toWire();
    if (full.length <= maxSize) {
      return full;
    }
    OPTRecord opt = response.getOPT();
    if (!additionalRequired && response.getHeader().getCount(Section.ADDITIONAL) > 0) {
      Message lean = response.clone();
      lean.removeAllRecords(Section.ADDITIONAL);
      if (opt != null) {
        lean.addRecord(opt, Section.ADDITIONAL);
      }
      byte[] bytes = lean.toWire();
      if (bytes.length <= maxSize) {
        return bytes;
      }
    }
    Message truncated = new Message(response.getHeader().getID());
    truncated.getHeader().setOpcode(response.getHeader().getOpcode());
    truncated.getHeader().setRcode(response.getHeader().getRcode() & 0xf);
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
      if (response.getHeader().getFlag(flag)) {
        truncated.getHeader().setFlag(flag);
      }
    }
    truncated.getHeader().setFlag(Flags.TC);
    for (Record q : response.getSection(Section.QUESTION)) {
      truncated.addRecord(q, Section.QUESTION);
    }
    if (opt != null) {
      truncated.addRecord(opt, Section.ADDITIONAL);
    }
    byte[] bytes = truncated.toWire();
    if (bytes.length > maxSize) {
      throw new IllegalArgumentException(
          "even a truncated response needs " + bytes.length + " bytes; limit " + maxSize);
    }
    return bytes;
  }
}
