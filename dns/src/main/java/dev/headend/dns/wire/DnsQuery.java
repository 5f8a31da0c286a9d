package dev.headend.dns.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * What a server needs from a DNS query, read straight from the datagram without building a dnsjava
 * {@code Message}: the header, the first question, and the EDNS OPT record (RFC 6891).
 *
 * <p>An instance is a reusable scratch object for one thread: {@link #read} overwrites it and
 * allocates nothing on success. The question name is copied (at most 255 bytes), so the datagram
 * may be reused as soon as {@code read} returns; the caller's buffer position and limit are not
 * changed. If {@code read} fails after the 12-byte header, {@link #headerRead()} is true and the
 * header fields are valid, so a server can still answer FORMERR.
 *
 * <p>Checked: header length; label lengths and types (no compression pointer in the first question
 * name, which can only point backwards into the header); the 255-octet name limit; every record of
 * every section fits in the message; at most one OPT record, only in the additional section, owned
 * by the root name. Trailing bytes after the last counted record are ignored.
 *
 * <pre>{@code
 * DnsQuery q = new DnsQuery();
 * q.read(datagram);
 * if (q.questionCount() == 1 && q.qtype() == Type.A) { ... q.name() ... }
 * }</pre>
 */
public final class DnsQuery {
  /** Length of the DNS header. */
  public static final int HEADER_LENGTH = 12;

  /** The smallest response size every client accepts (RFC 1035 §4.2.1). */
  public static final int CLASSIC_UDP_SIZE = 512;

  private static final int FLAG_QR = 0x8000;
  private static final int FLAG_RD = 0x0100;
  private static final int FLAG_CD = 0x0010;
  private static final int EDNS_DO = 0x8000;

  private final byte[] qname = new byte[255];
  private int length;
  private boolean headerRead;
  private int id;
  private int flags;
  private int questionCount;
  private int answerCount;
  private int authorityCount;
  private int additionalCount;
  private int qnameLength;
  private int qtype;
  private int qclass;
  private boolean edns;
  private int udpPayloadSize;
  private int ednsVersion;
  private int ednsExtendedRcode;
  private boolean dnssecOk;

  /** An empty query object, to be filled by {@link #read}. */
  public DnsQuery() {}

  /** Reads {@code message} (position to limit) into this object; a new one, or a reused one. */
  public static DnsQuery parse(ByteBuffer message) throws MalformedDnsMessageException {
    DnsQuery q = new DnsQuery();
    q.read(message);
    return q;
  }

  /**
   * Reads {@code message} from its position to its limit, replacing what this object held.
   *
   * @throws MalformedDnsMessageException saying what is wrong and at which byte
   */
  public void read(ByteBuffer message) throws MalformedDnsMessageException {
    headerRead = false;
    qnameLength = 0;
    qtype = 0;
    qclass = 0;
    edns = false;
    udpPayloadSize = 0;
    ednsVersion = 0;
    ednsExtendedRcode = 0;
    dnssecOk = false;
    int base = message.position();
    length = message.limit() - base;
    if (length < HEADER_LENGTH) {
      throw new MalformedDnsMessageException(
          "DNS header needs 12 bytes, the message has " + length, 0);
    }
    id = u16(message, base);
    flags = u16(message, base + 2);
    questionCount = u16(message, base + 4);
    answerCount = u16(message, base + 6);
    authorityCount = u16(message, base + 8);
    additionalCount = u16(message, base + 10);
    headerRead = true;

    int pos = HEADER_LENGTH;
    for (int q = 0; q < questionCount; q++) {
      pos = q == 0 ? readQname(message, base, pos) : skipName(message, base, pos, "question name");
      need(pos, 4, "question type and class");
      if (q == 0) {
        qtype = u16(message, base + pos);
        qclass = u16(message, base + pos + 2);
      }
      pos += 4;
    }
    for (int r = 0; r < answerCount + authorityCount; r++) {
      int start = pos;
      pos = skipName(message, base, pos, "record owner");
      need(pos, 10, "record header");
      if (u16(message, base + pos) == Type.OPT) {
        throw new MalformedDnsMessageException("OPT record outside the additional section", start);
      }
      pos = skipRdata(message, base, pos);
    }
    for (int r = 0; r < additionalCount; r++) {
      int start = pos;
      pos = skipName(message, base, pos, "record owner");
      need(pos, 10, "record header");
      if (u16(message, base + pos) == Type.OPT) {
        if (edns) {
          throw new MalformedDnsMessageException("second OPT record", start);
        }
        if (pos - start != 1) {
          throw new MalformedDnsMessageException("OPT record owner is not the root name", start);
        }
        edns = true;
        udpPayloadSize = u16(message, base + pos + 2);
        ednsExtendedRcode = message.get(base + pos + 4) & 0xff;
        ednsVersion = message.get(base + pos + 5) & 0xff;
        dnssecOk = (u16(message, base + pos + 6) & EDNS_DO) != 0;
      }
      pos = skipRdata(message, base, pos);
    }
  }

  // ---- header -------------------------------------------------------------------------------

  /** Whether the 12-byte header was read (true even when the rest was malformed). */
  public boolean headerRead() {
    return headerRead;
  }

  /** Length of the message in bytes. */
  public int length() {
    return length;
  }

  /** The message ID. */
  public int id() {
    return id;
  }

  /** The 16 flag bits of the header (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode). */
  public int flags() {
    return flags;
  }

  /** Whether QR is set, meaning this is a response, not a query. */
  public boolean isResponse() {
    return (flags & FLAG_QR) != 0;
  }

  /** The opcode (0 QUERY, 4 NOTIFY, 5 UPDATE...). */
  public int opcode() {
    return flags >>> 11 & 0xf;
  }

  /** Whether RD (recursion desired) is set. */
  public boolean recursionDesired() {
    return (flags & FLAG_RD) != 0;
  }

  /** Whether CD (checking disabled) is set. */
  public boolean checkingDisabled() {
    return (flags & FLAG_CD) != 0;
  }

  /** QDCOUNT. */
  public int questionCount() {
    return questionCount;
  }

  /** ANCOUNT. */
  public int answerCount() {
    return answerCount;
  }

  /** NSCOUNT. */
  public int authorityCount() {
    return authorityCount;
  }

  /** ARCOUNT. */
  public int additionalCount() {
    return additionalCount;
  }

  // ---- question -----------------------------------------------------------------------------

  /** Whether a first question was read. */
  public boolean hasQuestion() {
    return qnameLength > 0;
  }

  /** Wire length of the first question's name (including the root label), or 0. */
  public int qnameLength() {
    return qnameLength;
  }

  /** Copies the first question's name in wire form, as sent (case kept), and returns its length. */
  public int qname(byte[] dst, int offset) {
    System.arraycopy(qname, 0, dst, offset, qnameLength);
    return qnameLength;
  }

  /** The first question's type. */
  public int qtype() {
    return qtype;
  }

  /** The first question's class. */
  public int qclass() {
    return qclass;
  }

  /** Writes the first question (name as sent, type, class) at the buffer's position. */
  public void writeQuestion(ByteBuffer out) {
    out.put(qname, 0, qnameLength).putShort((short) qtype).putShort((short) qclass);
  }

  /** Length of the first question on the wire (name, type, class). */
  public int questionLength() {
    return qnameLength + 4;
  }

  /**
   * The first question's name as a dnsjava {@link Name} (allocates; for the slow path).
   *
   * @throws IllegalStateException if there is no question
   */
  public Name name() {
    if (qnameLength == 0) {
      throw new IllegalStateException("the query has no question");
    }
    try {
      return new Name(Arrays.copyOf(qname, qnameLength));
    } catch (IOException e) {
      throw new IllegalStateException("a name that read cleanly failed to rebuild", e);
    }
  }

  // ---- EDNS ---------------------------------------------------------------------------------

  /** Whether the query has an OPT record. */
  public boolean hasEdns() {
    return edns;
  }

  /** The requester's UDP payload size from OPT (RFC 6891 §6.2.3), or 0 without EDNS. */
  public int udpPayloadSize() {
    return udpPayloadSize;
  }

  /** The EDNS version (0 is the only one defined). */
  public int ednsVersion() {
    return ednsVersion;
  }

  /** The upper 8 bits of the extended RCODE in the query's OPT (should be 0). */
  public int ednsExtendedRcode() {
    return ednsExtendedRcode;
  }

  /** The DO bit (RFC 3225): DNSSEC records are wanted; it must be echoed in the response. */
  public boolean dnssecOk() {
    return dnssecOk;
  }

  /**
   * The largest response this requester accepts over UDP: 512 without EDNS, else its payload size
   * (values below 512 count as 512, RFC 6891 §6.2.5), capped by {@code serverLimit}.
   */
  public int maxUdpResponse(int serverLimit) {
    int requested = edns ? Math.max(CLASSIC_UDP_SIZE, udpPayloadSize) : CLASSIC_UDP_SIZE;
    return Math.min(requested, Math.max(CLASSIC_UDP_SIZE, serverLimit));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("DnsQuery[id=").append(id);
    if (hasQuestion()) {
      b.append(' ')
          .append(name())
          .append(' ')
          .append(Type.string(qtype))
          .append(' ')
          .append(DClass.string(qclass));
    }
    if (edns) {
      b.append(" edns=").append(ednsVersion).append('/').append(udpPayloadSize);
      if (dnssecOk) {
        b.append("/DO");
      }
    }
    return b.append(']').toString();
  }

  // ---- reading ------------------------------------------------------------------------------

  private int readQname(ByteBuffer m, int base, int pos) throws MalformedDnsMessageException {
    int start = pos;
    int n = 0;
    while (true) {
      need(pos, 1, "question name label");
      int len = m.get(base + pos) & 0xff;
      if ((len & 0xc0) == 0xc0) {
        throw new MalformedDnsMessageException(
            "compression pointer in the first question name", pos);
      }
      if ((len & 0xc0) != 0) {
        throw new MalformedDnsMessageException(
            "unsupported label type 0x" + Integer.toHexString(len & 0xc0), pos);
      }
      if (n + 1 + len > 255) {
        throw new MalformedDnsMessageException("question name exceeds 255 octets", start);
      }
      need(pos, 1 + len, "question name label");
      qname[n++] = (byte) len;
      m.get(base + pos + 1, qname, n, len);
      n += len;
      pos += 1 + len;
      if (len == 0) {
        qnameLength = n;
        return pos;
      }
    }
  }

  private int skipName(ByteBuffer m, int base, int pos, String what)
      throws MalformedDnsMessageException {
    int start = pos;
    int wire = 0;
    while (true) {
      need(pos, 1, what);
      int len = m.get(base + pos) & 0xff;
      if ((len & 0xc0) == 0xc0) {
        need(pos, 2, what + " compression pointer");
        return pos + 2; // a pointer ends the name here
      }
      if ((len & 0xc0) != 0) {
        throw new MalformedDnsMessageException(
            "unsupported label type 0x" + Integer.toHexString(len & 0xc0) + " in " + what, pos);
      }
      wire += 1 + len;
      if (wire > 255) {
        throw new MalformedDnsMessageException(what + " exceeds 255 octets", start);
      }
      need(pos, 1 + len, what);
      pos += 1 + len;
      if (len == 0) {
        return pos;
      }
    }
  }

  /** At a record's type field: skips type, class, TTL, RDLENGTH and RDATA. */
  private int skipRdata(ByteBuffer m, int base, int pos) throws MalformedDnsMessageException {
    int rdlength = u16(m, base + pos + 8);
    need(pos + 10, rdlength, "RDATA of " + rdlength + " bytes");
    return pos + 10 + rdlength;
  }

  private void need(int pos, int n, String what) throws MalformedDnsMessageException {
    if (length - pos < n) {
      throw new MalformedDnsMessageException(
          "truncated " + what + ": needs " + n + " bytes, " + Math.max(0, length - pos) + " left",
          Math.min(pos, length));
    }
  }

  private static int u16(ByteBuffer m, int index) {
    return (m.get(index) & 0xff) << 8 | m.get(index + 1) & 0xff;
  }
}
