package dev.headend.dns.server;

import dev.headend.dns.wire.DnsQuery;
import java.nio.ByteBuffer;
import org.xbill.DNS.Type;

/**
 * Assembles responses in the caller's buffer: a header built from the query, the query's own
 * question (so the name is echoed exactly as sent, RFC 4343), a precomputed {@link Body} cut at a
 * record boundary to fit, and an OPT record when the query had one (RFC 6891 §7).
 */
final class ResponseWriter {
  static final int RCODE_BADVERS = 16;
  private static final int QR = 0x8000;
  private static final int AA = 0x0400;
  private static final int TC = 0x0200;
  private static final int RD = 0x0100;
  private static final int CD = 0x0010;
  private static final int OPT_LENGTH = 11;

  private ResponseWriter() {}

  /**
   * Writes the response to {@code q} carrying {@code body}, at most {@code maxSize} bytes.
   *
   * @return whether it was truncated (TC set)
   */
  static boolean write(DnsQuery q, Body body, ByteBuffer out, int maxSize, int payloadSize) {
    int start = out.position();
    int optLength = q.hasEdns() ? OPT_LENGTH : 0;
    int bodyStart = DnsQuery.HEADER_LENGTH + q.questionLength();
    int room = maxSize - bodyStart - optLength;
    int answers = body.answers;
    int authorities = body.authorities;
    int additionals = body.additionals;
    int end = body.bytes.length;
    boolean truncated = false;
    if (end > room) {
      int mandatory = answers + authorities + body.requiredAdditionals;
      if (body.endOf(mandatory) > room) {
        truncated = true;
        answers = 0;
        authorities = 0;
        additionals = 0;
        end = 0;
      } else {
        int k = mandatory;
        while (k < body.records() && body.endOf(k + 1) <= room) {
          k++;
        }
        additionals = k - answers - authorities;
        end = body.endOf(k);
      }
    }
    int flags =
        QR
            | q.opcode() << 11
            | (body.authoritative ? AA : 0)
            | (truncated ? TC : 0)
            | (q.flags() & (RD | CD))
            | (body.rcode & 0xf);
    header(out, q.id(), flags, 1, answers, authorities, additionals + (optLength > 0 ? 1 : 0));
    q.writeQuestion(out);
    body.writeTo(out, start, bodyStart, end);
    if (optLength > 0) {
      opt(out, payloadSize, body.rcode >>> 4, q.dnssecOk());
    }
    return truncated;
  }

  /**
   * Writes an error response with no records: the question echoed when it was read, and OPT when
   * the query had one. RCODEs above 15 (BADVERS) go partly into the OPT record.
   */
  static void writeError(
      DnsQuery q, int rcode, boolean echoQuestion, ByteBuffer out, int payloadSize) {
    boolean question = echoQuestion && q.hasQuestion();
    boolean opt = q.hasEdns() || rcode > 15;
    int flags = QR | q.opcode() << 11 | (q.flags() & (RD | CD)) | (rcode & 0xf);
    header(out, q.id(), flags, question ? 1 : 0, 0, 0, opt ? 1 : 0);
    if (question) {
      q.writeQuestion(out);
    }
    if (opt) {
      opt(out, payloadSize, rcode >>> 4, q.dnssecOk());
    }
  }

  private static void header(ByteBuffer out, int id, int flags, int qd, int an, int ns, int ar) {
    out.putShort((short) id)
        .putShort((short) flags)
        .putShort((short) qd)
        .putShort((short) an)
        .putShort((short) ns)
        .putShort((short) ar);
  }

  /** An OPT record: root owner, our payload size, extended RCODE, version 0, DO echoed. */
  private static void opt(ByteBuffer out, int payloadSize, int extendedRcode, boolean dnssecOk) {
    out.put((byte) 0)
        .putShort((short) Type.OPT)
        .putShort((short) payloadSize)
        .put((byte) extendedRcode)
        .put((byte) 0)
        .putShort((short) (dnssecOk ? 0x8000 : 0))
        .putShort((short) 0);
  }
}
