package dev.headend.dns.server;

import dev.headend.dns.wire.DnsQuery;
import java.util.Iterator;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * An outgoing AXFR (RFC 5936): the SOA, every other record, the SOA again, packed into messages of
 * about 16 KiB, made one at a time as the connection drains. Every message carries the query's ID
 * and the AA bit; only the first carries the question (§2.2.1).
 */
final class ZoneTransfer {
  private static final int TARGET_SIZE = 16 * 1024;

  private final Zone zone;
  private final Iterator<Record> records;
  private final int id;
  private final Record question;
  private boolean finalSoaSent;
  private int sentRecords;
  private int sentMessages;

  ZoneTransfer(Zone zone, DnsQuery query) {
    this.zone = zone;
    List<Record> all = zone.records(); // the SOA first
    this.records = all.iterator();
    this.id = query.id();
    this.question = Record.newRecord(query.name(), query.qtype(), query.qclass());
  }

  /** The next message's wire form, or null when the transfer is complete. */
  byte[] next() {
    if (finalSoaSent) {
      return null;
    }
    Message m = new Message(id);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    if (sentMessages == 0) {
      m.addRecord(question, Section.QUESTION);
    }
    int size = 12;
    while (size < TARGET_SIZE) {
      Record r;
      if (records.hasNext()) {
        r = records.next();
      } else {
        r = zone.soa();
        finalSoaSent = true;
      }
      m.addRecord(r, Section.ANSWER);
      sentRecords++;
      size += r.toWire(Section.ANSWER).length; // uncompressed: an upper bound
      if (finalSoaSent) {
        break;
      }
    }
    sentMessages++;
    return m.toWire();
  }

  Zone zone() {
    return zone;
  }

  int records() {
    return sentRecords;
  }

  int messages() {
    return sentMessages;
  }
}
