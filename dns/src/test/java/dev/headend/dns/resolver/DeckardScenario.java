package dev.headend.dns.resolver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A Deckard (unbound testbound) resolver scenario, parsed: the resolver's configuration, the
 * simulated servers (RANGE blocks of scripted answers), and the steps (client queries, expected
 * answers, time passing). The format is described in
 * ../shared/testdata/dns/deckard/scenario_guide.rst; this reads the subset those files use.
 */
final class DeckardScenario {
  final String file;
  final String description;
  final Map<String, String> config = new HashMap<>();
  final List<Range> ranges = new ArrayList<>();
  final List<Step> steps = new ArrayList<>();

  /** Scripted answers of one or more server addresses, valid for steps from..to. */
  static final class Range {
    final int from;
    final int to;
    final List<InetAddress> addresses = new ArrayList<>();
    final List<Entry> entries = new ArrayList<>();

    Range(int from, int to) {
      this.from = from;
      this.to = to;
    }
  }

  /** One step of the scenario. */
  record Step(int id, String type, long elapse, Entry entry) {}

  /** A message template with matching and adjusting rules. */
  static final class Entry {
    final Set<String> match = new HashSet<>();
    final Set<String> adjust = new HashSet<>();
    final Set<String> flags = new HashSet<>();
    int rcode = Rcode.NOERROR;
    final List<Record> question = new ArrayList<>();
    final List<Record> answer = new ArrayList<>();
    final List<Record> authority = new ArrayList<>();
    final List<Record> additional = new ArrayList<>();
    byte[] raw;
  }

  private DeckardScenario(String file, String description) {
    this.file = file;
    this.description = description;
  }

  static DeckardScenario parse(String file, String text) throws IOException {
    String[] lines = text.split("\n");
    int i = 0;
    Map<String, String> config = new HashMap<>();
    for (; i < lines.length && !lines[i].trim().equals("CONFIG_END"); i++) {
      String line = strip(lines[i]);
      int colon = line.indexOf(':');
      if (colon > 0) {
        config.put(line.substring(0, colon).trim(), line.substring(colon + 1).split("#")[0].trim());
      }
    }
    String description = "";
    for (i++; i < lines.length; i++) {
      if (lines[i].startsWith("SCENARIO_BEGIN")) {
        description = lines[i].substring("SCENARIO_BEGIN".length()).trim();
        break;
      }
    }
    DeckardScenario s = new DeckardScenario(file, description);
    s.config.putAll(config);
    Range range = null;
    Entry entry = null;
    int stepId = 0;
    String stepType = null;
    long elapse = 0;
    String section = null;
    StringBuilder raw = null;
    for (i++; i < lines.length; i++) {
      String line = strip(lines[i]);
      if (line.isEmpty()) {
        continue;
      }
      String[] words = line.split("\\s+");
      switch (words[0]) {
        case "RANGE_BEGIN" -> {
          range = new Range(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
          if (words.length > 3) {
            range.addresses.add(InetAddress.getByName(words[3])); // the address may come inline
          }
        }
        case "ADDRESS" -> range.addresses.add(InetAddress.getByName(words[1]));
        case "RANGE_END" -> {
          s.ranges.add(range);
          range = null;
        }
        case "STEP" -> {
          stepId = Integer.parseInt(words[1]);
          stepType = words[2];
          elapse = words.length > 4 && words[3].equals("ELAPSE") ? Long.parseLong(words[4]) : 0;
          if (stepType.equals("TIME_PASSES")) {
            s.steps.add(new Step(stepId, stepType, elapse, null));
          }
        }
        case "ENTRY_BEGIN" -> {
          entry = new Entry();
          section = null;
        }
        case "ENTRY_END" -> {
          if (raw != null) {
            entry.raw = hex(raw.toString());
            raw = null;
          }
          if (range != null) {
            range.entries.add(entry);
          } else if (stepType != null) {
            s.steps.add(new Step(stepId, stepType, elapse, entry));
          }
          entry = null;
        }
        case "MATCH" -> entry.match.addAll(lower(words));
        case "ADJUST" -> entry.adjust.addAll(lower(words));
        case "REPLY", "FLAGS" -> { // newer files write query flags as FLAGS
          for (int w = 1; w < words.length; w++) {
            int rcode = Rcode.value(words[w]);
            if (rcode >= 0) {
              entry.rcode = rcode;
            } else {
              entry.flags.add(words[w].toUpperCase(Locale.ROOT));
            }
          }
        }
        case "SECTION" -> section = words[1];
        case "RAW" -> raw = new StringBuilder();
        case "SCENARIO_END" -> {
          return s;
        }
        default -> {
          if (raw != null) {
            raw.append(line);
          } else if (entry != null && section != null) {
            addRecord(entry, section, line);
          }
        }
      }
    }
    return s;
  }

  private static void addRecord(Entry e, String section, String line) throws IOException {
    if (section.equals("QUESTION")) {
      String[] w = line.split("\\s+");
      int type = Type.value(w[w.length - 1]);
      int dclass = w.length > 2 ? DClass.value(w[1]) : DClass.IN;
      e.question.add(
          Record.newRecord(
              Name.fromString(w[0], Name.root), type, dclass < 0 ? DClass.IN : dclass));
      return;
    }
    try (Master m =
        new Master(
            new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), Name.root, 3600)) {
      Record r = m.nextRecord();
      if (r == null) {
        return;
      }
      switch (section) {
        case "ANSWER" -> e.answer.add(r);
        case "AUTHORITY" -> e.authority.add(r);
        case "ADDITIONAL" -> e.additional.add(r);
        default -> throw new IOException("unknown section " + section);
      }
    }
  }

  private static String strip(String line) {
    int semi = line.indexOf(';');
    return (semi >= 0 && !line.contains("\"") ? line.substring(0, semi) : line).trim();
  }

  private static List<String> lower(String[] words) {
    List<String> out = new ArrayList<>();
    for (int w = 1; w < words.length; w++) {
      out.add(words[w].toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static byte[] hex(String s) {
    String h = s.replaceAll("[^0-9a-fA-F]", "");
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
