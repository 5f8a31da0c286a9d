package dev.headend.dns.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsTruncationTest {
  private static final Name NAME = Name.fromConstantString("big.example.test.");

  private static Message response(int answers, int additional, boolean edns) throws Exception {
    Message m = new Message(0x4242);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    m.getHeader().setFlag(Flags.RD);
    m.addRecord(Record.newRecord(NAME, Type.TXT, DClass.IN), Section.QUESTION);
    for (int i = 0; i < answers; i++) {
      m.addRecord(new TXTRecord(NAME, DClass.IN, 300, "x".repeat(200) + i), Section.ANSWER);
    }
    for (int i = 0; i < additional; i++) {
      m.addRecord(
          new ARecord(
              Name.fromString("h" + i + ".example.test."),
              DClass.IN,
              300,
              InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i})),
          Section.ADDITIONAL);
    }
    if (edns) {
      m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    return m;
  }

  @Test
  void aResponseThatFitsIsUntouched() throws Exception {
    Message m = response(1, 2, true);
    byte[] wire = DnsTruncation.toWire(m, 512);
    assertEquals(m.toWire().length, wire.length);
    assertFalse(new Message(wire).getHeader().getFlag(Flags.TC));
  }

  @Test
  void optionalAdditionalDataIsDroppedWithoutTc() throws Exception {
    Message m = response(2, 40, true);
    byte[] wire = DnsTruncation.toWire(m, 512);
    assertTrue(wire.length <= 512);
    Message out = new Message(wire);
    assertFalse(out.getHeader().getFlag(Flags.TC), "RFC 2181 §9: no TC for dropped extras");
    assertEquals(2, out.getSection(Section.ANSWER).size());
    assertNotNull(out.getOPT(), "OPT stays (RFC 6891 §7)");
    assertEquals(
        0, out.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.A).count());
  }

  @Test
  void requiredAdditionalDataSetsTc() throws Exception {
    Message out = new Message(DnsTruncation.toWire(response(2, 40, false), 512, true));
    assertTrue(out.getHeader().getFlag(Flags.TC));
    assertEquals(0, out.getSection(Section.ANSWER).size());
  }

  @Test
  void anAnswerTooBigSetsTcAndKeepsQuestionFlagsAndOpt() throws Exception {
    byte[] wire = DnsTruncation.toWire(response(10, 0, true), 512);
    Message out = new Message(wire);
    assertTrue(out.getHeader().getFlag(Flags.TC));
    assertTrue(out.getHeader().getFlag(Flags.AA));
    assertTrue(out.getHeader().getFlag(Flags.RD));
    assertEquals(0x4242, out.getHeader().getID());
    assertEquals(NAME, out.getQuestion().getName());
    assertEquals(0, out.getSection(Section.ANSWER).size());
    assertNotNull(out.getOPT());
  }

  @Test
  void aLimitBelowTheMinimumIsRefused() throws Exception {
    assertThrows(
        IllegalArgumentException.class, () -> DnsTruncation.toWire(response(10, 0, true), 20));
  }
}
