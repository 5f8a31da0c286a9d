package dev.headend.dhcp.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lays out a new message from a {@link DhcpMessage.Builder}: fixed header, magic cookie, options
 * split into instances of at most 255 bytes (RFC 3396 §5) and placed in the options field, then in
 * {@code file}, then in {@code sname} when the options field is full (RFC 2131 §4.1), END in each
 * field used, and zero padding to the 300-byte BOOTP minimum.
 */
final class MessageWriter {
  private static final int TYPE = 53;
  private static final int RELAY_AGENT_INFO = 82;
  private static final int MAX_INSTANCE = 255;

  private MessageWriter() {}

  /**
   * One instance: {@code length} bytes of {@code value} from {@code from}, in field {@code area}.
   */
  private record Instance(int code, byte[] value, int from, int length, int area) {
    Instance(int code, byte[] value, int from, int length) {
      this(code, value, from, length, 0);
    }

    int size() {
      return 2 + length;
    }
  }

  static byte[] write(DhcpMessage.Builder b) {
    if (b.vendorArea != null) {
      if (!b.options.isEmpty()) {
        throw new IllegalStateException(
            "a plain BOOTP message (bootpVendorArea) cannot carry DHCP options");
      }
      int length =
          Math.max(DhcpCodec.BOOTP_MIN_LENGTH, DhcpCodec.HEADER_LENGTH + b.vendorArea.length);
      checkLength(length);
      byte[] w = new byte[length];
      header(b, w);
      System.arraycopy(b.vendorArea, 0, w, DhcpCodec.HEADER_LENGTH, b.vendorArea.length);
      return w;
    }

    List<Instance> instances = instances(b.options);
    int optionsRoom = b.maxLength - DhcpCodec.OFF_OPTIONS - 1; // END always goes in
    int needed = 0;
    for (Instance in : instances) {
      needed += in.size();
    }
    int overload = 0;
    if (needed > optionsRoom) {
      int[] room = {
        optionsRoom - 3, // option 52 takes 3 bytes
        isBlank(b.file) ? DhcpCodec.FILE_LENGTH - 1 : -1,
        isBlank(b.sname) ? DhcpCodec.SNAME_LENGTH - 1 : -1
      };
      instances = place(instances, room, needed, b.maxLength);
      for (Instance in : instances) {
        overload |= in.area(); // 1 file, 2 sname
      }
    }

    int used = overload != 0 ? 3 : 0;
    for (Instance in : instances) {
      if (in.area() == 0) {
        used += in.size();
      }
    }
    int length = Math.max(DhcpCodec.BOOTP_MIN_LENGTH, DhcpCodec.OFF_OPTIONS + used + 1);
    checkLength(length);
    byte[] w = new byte[length];
    header(b, w);
    w[236] = 0x63;
    w[237] = (byte) 0x82;
    w[238] = 0x53;
    w[239] = 0x63;

    int p = DhcpCodec.OFF_OPTIONS;
    boolean overloadWritten = overload == 0;
    for (Instance in : instances) {
      if (in.area() != 0) {
        continue;
      }
      if (!overloadWritten && in.code() != TYPE) {
        p = writeOverload(w, p, overload);
        overloadWritten = true;
      }
      p = put(w, p, in);
    }
    if (!overloadWritten) {
      p = writeOverload(w, p, overload);
    }
    w[p] = (byte) DhcpCodec.OPTION_END; // zeros (pads) follow up to the minimum length
    if ((overload & 1) != 0) {
      fill(w, DhcpCodec.OFF_FILE, instances, 1);
    }
    if ((overload & 2) != 0) {
      fill(w, DhcpCodec.OFF_SNAME, instances, 2);
    }
    return w;
  }

  /**
   * Places instances in the options field, file and sname ({@code room} bytes free in each, -1 if
   * unusable). RFC 3396 only orders the instances of one option (options field, then file, then
   * sname), so each instance goes into the first field, not before its option's previous instance,
   * that holds it whole; one that fits in no such field is split, filling the fields in order (RFC
   * 3396 §4).
   */
  private static List<Instance> place(List<Instance> instances, int[] room, int needed, int max) {
    List<Instance> placed = new ArrayList<>();
    int a = 0;
    int previousCode = -1;
    for (Instance in : instances) {
      if (in.code() != previousCode) {
        a = 0;
        previousCode = in.code();
      }
      int from = in.from();
      int left = in.length();
      while (true) {
        int f = a;
        while (f < 3 && room[f] < 2 + left) {
          f++;
        }
        if (f < 3) {
          placed.add(new Instance(in.code(), in.value(), from, left, f));
          room[f] -= 2 + left;
          a = f;
          break;
        }
        while (a < 3 && room[a] < 3) {
          a++;
        }
        if (a == 3) {
          throw new IllegalStateException(
              "options need "
                  + needed
                  + " bytes and do not fit in a message of at most "
                  + max
                  + " bytes, even overloading "
                  + (room[1] < 0 ? "" : "file ")
                  + (room[2] < 0 ? "" : "sname ")
                  + "(option "
                  + in.code()
                  + " is left over)");
        }
        int part = room[a] - 2;
        placed.add(new Instance(in.code(), in.value(), from, part, a));
        room[a] = 0;
        from += part;
        left -= part;
        a++;
      }
    }
    return placed;
  }

  /** The instances in layout order: 53 first, 82 last, the rest as set; long values split. */
  private static List<Instance> instances(Map<Integer, byte[]> options) {
    List<Integer> order = new ArrayList<>(options.size());
    if (options.containsKey(TYPE)) {
      order.add(TYPE);
    }
    for (int code : options.keySet()) {
      if (code != TYPE && code != RELAY_AGENT_INFO) {
        order.add(code);
      }
    }
    if (options.containsKey(RELAY_AGENT_INFO)) {
      order.add(RELAY_AGENT_INFO);
    }
    List<Instance> out = new ArrayList<>();
    for (int code : order) {
      byte[] v = options.get(code);
      if (v.length == 0) {
        out.add(new Instance(code, v, 0, 0));
      }
      for (int from = 0; from < v.length; from += MAX_INSTANCE) {
        out.add(new Instance(code, v, from, Math.min(MAX_INSTANCE, v.length - from)));
      }
    }
    return out;
  }

  private static void fill(byte[] w, int at, List<Instance> instances, int which) {
    int p = at;
    for (Instance in : instances) {
      if (in.area() == which) {
        p = put(w, p, in);
      }
    }
    w[p] = (byte) DhcpCodec.OPTION_END; // the rest of the field stays zero (pads)
  }

  private static int put(byte[] w, int p, Instance in) {
    w[p] = (byte) in.code();
    w[p + 1] = (byte) in.length();
    System.arraycopy(in.value(), in.from(), w, p + 2, in.length());
    return p + in.size();
  }

  private static int writeOverload(byte[] w, int p, int overload) {
    w[p] = (byte) DhcpCodec.OPTION_OVERLOAD;
    w[p + 1] = 1;
    w[p + 2] = (byte) overload;
    return p + 3;
  }

  private static void header(DhcpMessage.Builder b, byte[] w) {
    w[0] = (byte) b.op;
    w[1] = (byte) b.htype;
    w[2] = (byte) b.hlen;
    w[3] = (byte) b.hops;
    putInt(w, 4, b.xid);
    w[8] = (byte) (b.secs >> 8);
    w[9] = (byte) b.secs;
    w[10] = (byte) (b.flags >> 8);
    w[11] = (byte) b.flags;
    putInt(w, 12, b.ciaddr.value());
    putInt(w, 16, b.yiaddr.value());
    putInt(w, 20, b.siaddr.value());
    putInt(w, 24, b.giaddr.value());
    System.arraycopy(b.chaddr, 0, w, 28, 16);
    System.arraycopy(b.sname, 0, w, DhcpCodec.OFF_SNAME, DhcpCodec.SNAME_LENGTH);
    System.arraycopy(b.file, 0, w, DhcpCodec.OFF_FILE, DhcpCodec.FILE_LENGTH);
  }

  private static void putInt(byte[] w, int at, int v) {
    w[at] = (byte) (v >>> 24);
    w[at + 1] = (byte) (v >>> 16);
    w[at + 2] = (byte) (v >>> 8);
    w[at + 3] = (byte) v;
  }

  private static boolean isBlank(byte[] field) {
    for (byte x : field) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static void checkLength(int length) {
    if (length > DhcpCodec.MAX_LENGTH) {
      throw new IllegalStateException(
          "message of " + length + " bytes exceeds " + DhcpCodec.MAX_LENGTH);
    }
  }
}
