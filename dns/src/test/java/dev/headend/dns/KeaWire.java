package dev.headend.dns;

import dev.headend.testkit.TestData;
import java.io.ByteArrayOutputStream;

/**
 * Reads the Kea wire vectors in ../shared/testdata/dns/kea-wire: hex text, '#' comments to the end
 * of the line, whitespace ignored (see that folder's SOURCES.md).
 */
public final class KeaWire {
  private KeaWire() {}

  /** The bytes of vector {@code name}. */
  public static byte[] bytes(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder hex = new StringBuilder();
    for (String line : TestData.text("dns", "kea-wire", name).split("\n")) {
      int hash = line.indexOf('#');
      hex.append((hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", ""));
    }
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException(name + " has an odd number of hex digits");
    }
    for (int i = 0; i < hex.length(); i += 2) {
      out.write(Integer.parseInt(hex.substring(i, i + 2), 16));
    }
    return out.toByteArray();
  }
}
