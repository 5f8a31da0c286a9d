package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class MailMessagePropertiesTest {

  @Property(tries = 500)
  void foldingThenParsingGivesTheValueBack(@ForAll("values") String value) throws Exception {
    HeaderField f = HeaderField.of("Subject", value);
    MailMessage m = MailMessage.parse(f.raw());
    assertEquals(Optional.of(value.stripLeading()), m.header("subject"));
    String[] lines = new String(f.raw(), StandardCharsets.UTF_8).split("\r\n");
    for (int i = 0; i < lines.length; i++) {
      // a line is longer than 78 only when it holds one word it cannot be folded in
      String text = i == 0 ? lines[i].substring("Subject: ".length()) : lines[i].substring(1);
      assertTrue(lines[i].length() <= 78 || !text.contains(" "), lines[i]);
    }
  }

  @Provide
  Arbitrary<String> values() {
    Arbitrary<String> word =
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(90);
    return word.list().ofMaxSize(30).map(words -> String.join(" ", words));
  }

  @Property(tries = 500)
  void arbitraryBytesParseOrRaiseTheTypedErrorAndKeepTheirBytes(@ForAll @Size(max = 400) byte[] b) {
    try {
      MailMessage m = MailMessage.parse(b);
      assertArrayEquals(b, m.bytes());
      assertTrue(m.bodyOffset() >= 0 && m.bodyOffset() <= b.length);
    } catch (MalformedMailException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= b.length, "offset " + e.offset());
    }
  }
}
