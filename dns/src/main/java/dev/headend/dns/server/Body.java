package dev.headend.dns.server;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A precomputed response in wire form, minus header and question: the answer, authority and
 * additional records, ready to be copied behind any query whose name leads here.
 *
 * <p>Three kinds of name appear in it. Records owned by the query name are written as a pointer to
 * offset 12, where every response's question name starts, whatever its length. Other names are
 * written out once and later occurrences compressed against them (RFC 1035 §4.1.4) with pointers
 * stored relative to the body; {@link #writeTo} adds the body's real offset when copying. So one
 * body serves a wildcard or an NXDOMAIN for every query name.
 *
 * <p>Record ends are kept so that a response can be cut at a record boundary to fit a UDP size.
 */
final class Body {
  /** Largest body-relative pointer target that still fits 14 bits behind any question. */
  private static final int MAX_POINTER_TARGET = 0x3fff - (12 + 255 + 4);

  final byte[] bytes;
  final int[] fixups; // ascending positions of body-relative pointers
  final int[] recordEnds; // body-relative end of each record, in section order
  final int answers;
  final int authorities;
  final int additionals;
  final int requiredAdditionals; // the first additionals that must fit (in-domain glue)
  final int rcode;
  final boolean authoritative;

  private Body(Builder b) {
    this.bytes = Arrays.copyOf(b.out, b.length);
    this.fixups = b.fixups.stream().mapToInt(Integer::intValue).toArray();
    this.recordEnds = b.recordEnds.stream().mapToInt(Integer::intValue).toArray();
    this.answers = b.answerCount;
    this.authorities = b.authorityCount;
    this.additionals = b.additionalCount;
    this.requiredAdditionals = b.requiredCount;
    this.rcode = b.rcode;
    this.authoritative = b.authoritative;
  }

  int records() {
    return recordEnds.length;
  }

  /** End of the first {@code n} records (0 for none). */
  int endOf(int n) {
    return n == 0 ? 0 : recordEnds[n - 1];
  }

  /**
   * Copies the first {@code end} bytes into {@code out} at its position, where the body starts at
   * {@code bodyStart} bytes from the message start {@code messageStart}, fixing up pointers.
   */
  void writeTo(ByteBuffer out, int messageStart, int bodyStart, int end) {
    int at = out.position();
    out.put(bytes, 0, end);
    for (int pos : fixups) {
      if (pos >= end) {
        break;
      }
      int target = (bytes[pos] & 0x3f) << 8 | bytes[pos + 1] & 0xff;
      out.putShort(at + pos, (short) (0xc000 | (bodyStart + target)));
    }
    assert out.position() - messageStart == bodyStart + end;
  }

  static Builder builder(int rcode, boolean authoritative) {
    return new Builder(rcode, authoritative);
  }

  /** Collects records per section, then encodes them in section order. */
  static final class Builder {
    private record Entry(Record record, boolean ownedByQuery) {}

    private final int rcode;
    private final boolean authoritative;
    private final List<Entry> answer = new ArrayList<>();
    private final List<Entry> authority = new ArrayList<>();
    private final List<Entry> additional = new ArrayList<>();
    private int requiredCount;
    private final Map<Name, Integer> names = new HashMap<>(); // case-insensitive keys
    private final List<Integer> fixups = new ArrayList<>();
    private final List<Integer> recordEnds = new ArrayList<>();
    private byte[] out = new byte[512];
    private int length;
    private int answerCount;
    private int authorityCount;
    private int additionalCount;

    private Builder(int rcode, boolean authoritative) {
      this.rcode = rcode;
      this.authoritative = authoritative;
    }

    /** Adds answer records; {@code ownedByQuery} writes their owner as the query name. */
    Builder answer(Iterable<Record> records, boolean ownedByQuery) {
      records.forEach(r -> answer.add(new Entry(r, ownedByQuery)));
      return this;
    }

    Builder authority(Iterable<Record> records) {
      records.forEach(r -> authority.add(new Entry(r, false)));
      return this;
    }

    /** Adds additional records; required ones must come before optional ones. */
    Builder additional(Iterable<Record> records, boolean required) {
      for (Record r : records) {
        if (required && requiredCount != additional.size()) {
          throw new IllegalStateException("required additional data after optional data");
        }
        additional.add(new Entry(r, false));
        if (required) {
          requiredCount++;
        }
      }
      return this;
    }

    /** Whether a record equal to {@code r} is already in any section. */
    boolean contains(Record r) {
      for (List<Entry> section : List.of(answer, authority, additional)) {
        for (Entry e : section) {
          if (e.record.equals(r)) {
            return true;
          }
        }
      }
      return false;
    }

    Body build() {
      answerCount = write(answer);
      authorityCount = write(authority);
      additionalCount = write(additional);
      return new Body(this);
    }

    private int write(List<Entry> entries) {
      for (Entry e : entries) {
        writeRecord(e.record, e.ownedByQuery);
      }
      return entries.size();
    }

    private void writeRecord(Record r, boolean ownedByQuery) {
      if (ownedByQuery) {
        u16(0xc00c); // the question name, always at offset 12
      } else {
        writeName(r.getName());
      }
      u16(r.getType());
      u16(r.getDClass());
      u32(r.getTTL());
      int rdlength = length;
      u16(0);
      switch (r.getType()) {
        case Type.NS, Type.CNAME, Type.PTR -> writeName(target(r));
        case Type.MX -> {
          u16(((MXRecord) r).getPriority());
          writeName(((MXRecord) r).getTarget());
        }
        case Type.SOA -> {
          SOARecord soa = (SOARecord) r;
          writeName(soa.getHost());
          writeName(soa.getAdmin());
          u32(soa.getSerial());
          u32(soa.getRefresh());
          u32(soa.getRetry());
          u32(soa.getExpire());
          u32(soa.getMinimum());
        }
        default -> { // names in other types are never compressed (RFC 3597 §4)
          byte[] rr = r.toWire(Section.ANSWER);
          int rdataStart = r.getName().length() + 10;
          put(rr, rdataStart, rr.length - rdataStart);
        }
      }
      int n = length - rdlength - 2;
      out[rdlength] = (byte) (n >>> 8);
      out[rdlength + 1] = (byte) n;
      recordEnds.add(length);
    }

    private static Name target(Record r) {
      if (r instanceof NSRecord ns) {
        return ns.getTarget();
      }
      if (r instanceof CNAMERecord cname) {
        return cname.getTarget();
      }
      return ((PTRRecord) r).getTarget();
    }

    /** Writes a name, compressed against names already in the body. */
    private void writeName(Name name) {
      int labels = name.labels();
      for (int i = 0; i < labels - 1; i++) {
        Name suffix = i == 0 ? name : new Name(name, i);
        Integer at = names.get(suffix);
        if (at != null) {
          fixups.add(length);
          u16(0xc000 | at);
          return;
        }
        if (length <= MAX_POINTER_TARGET) {
          names.put(suffix, length);
        }
        byte[] label = name.getLabel(i);
        put(label, 0, label.length);
      }
      put(new byte[] {0}, 0, 1);
    }

    private void u16(int v) {
      ensure(2);
      out[length++] = (byte) (v >>> 8);
      out[length++] = (byte) v;
    }

    private void u32(long v) {
      u16((int) (v >>> 16) & 0xffff);
      u16((int) v & 0xffff);
    }

    private void put(byte[] b, int offset, int n) {
      ensure(n);
      System.arraycopy(b, offset, out, length, n);
      length += n;
    }

    private void ensure(int n) {
      if (length + n > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, length + n));
      }
    }
  }
}
