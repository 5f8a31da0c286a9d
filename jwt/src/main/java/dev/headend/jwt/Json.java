package dev.headend.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for JOSE on Jackson's streaming API: objects become unmodifiable insertion-ordered maps,
 * arrays unmodifiable lists, integers {@code Long} (or {@code BigInteger}), fractions {@code
 * Double}. Parsing enforces a depth and a member limit as it goes and refuses duplicate members, so
 * hostile input costs at most the bytes it has.
 */
final class Json {
  /** Caps that hold whatever limits a caller configures; theirs are checked first. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(1000)
                  .maxNumberLength(1000)
                  .maxStringLength(1 << 24)
                  .build())
          .build();

  private Json() {}

  /** Why a JSON text was refused. */
  enum Problem {
    MALFORMED,
    TOO_LARGE,
    DUPLICATE
  }

  /** A refused JSON text; {@link #offset} is the byte offset where the parser stopped, or -1. */
  static final class JsonError extends Exception {
    private static final long serialVersionUID = 1L;
    final Problem problem;
    final long offset;

    JsonError(Problem problem, String message, long offset) {
      super(message + (offset >= 0 ? " at byte " + offset : ""), null, false, false);
      this.problem = problem;
      this.offset = offset;
    }
  }

  /** Parses {@code data} as exactly one JSON object. */
  static Map<String, Object> parseObject(byte[] data, int maxDepth, int maxMembers)
      throws JsonError {
    int first = 0;
    while (first < data.length && isSpace(data[first])) {
      first++;
    }
    if (first == data.length || data[first] != '{') {
      throw new JsonError(Problem.MALFORMED, "not a JSON object", first);
    }
    // JSON here is UTF-8 (RFC 7519 §7.2, RFC 8259 §8.1). A raw NUL is never legal JSON, and
    // refusing it stops the parser from guessing UTF-16 or UTF-32 from the zero bytes.
    for (int i = first; i < data.length; i++) {
      if (data[i] == 0) {
        throw new JsonError(Problem.MALFORMED, "NUL byte (JSON must be UTF-8)", i);
      }
    }
    try (JsonParser p = FACTORY.createParser(data)) {
      p.nextToken();
      Reader r = new Reader(p, maxDepth, maxMembers);
      Map<String, Object> result = r.object(1);
      if (p.nextToken() != null) {
        throw new JsonError(Problem.MALFORMED, "content after the JSON object", offset(p));
      }
      return result;
    } catch (StreamConstraintsException e) {
      throw new JsonError(Problem.TOO_LARGE, e.getOriginalMessage(), -1);
    } catch (JsonProcessingException e) {
      throw new JsonError(
          Problem.MALFORMED,
          "bad JSON: " + e.getOriginalMessage(),
          e.getLocation() == null ? -1 : e.getLocation().getByteOffset());
    } catch (IOException e) {
      throw new JsonError(Problem.MALFORMED, "bad JSON: " + e.getMessage(), -1);
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static long offset(JsonParser p) {
    return p.currentTokenLocation().getByteOffset();
  }

  private static final class Reader {
    private final JsonParser p;
    private final int maxDepth;
    private int membersLeft;

    Reader(JsonParser p, int maxDepth, int maxMembers) {
      this.p = p;
      this.maxDepth = maxDepth;
      this.membersLeft = maxMembers;
    }

    private void count() throws JsonError {
      if (--membersLeft < 0) {
        throw new JsonError(Problem.TOO_LARGE, "more JSON members than allowed", offset(p));
      }
    }

    private void enter(int depth) throws JsonError {
      if (depth > maxDepth) {
        throw new JsonError(
            Problem.TOO_LARGE, "JSON nested deeper than " + maxDepth + " levels", offset(p));
      }
    }

    Map<String, Object> object(int depth) throws IOException, JsonError {
      enter(depth);
      LinkedHashMap<String, Object> map = new LinkedHashMap<>();
      String name;
      while ((name = p.nextFieldName()) != null) {
        count();
        p.nextToken();
        Object value = value(depth);
        if (map.containsKey(name)) {
          throw new JsonError(
              Problem.DUPLICATE, "member \"" + name + "\" appears twice", offset(p));
        }
        map.put(name, value);
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new JsonError(Problem.MALFORMED, "expected a member name", offset(p));
      }
      return Collections.unmodifiableMap(map);
    }

    List<Object> array(int depth) throws IOException, JsonError {
      enter(depth);
      ArrayList<Object> list = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        count();
        list.add(value(depth));
      }
      return Collections.unmodifiableList(list);
    }

    private Object value(int depth) throws IOException, JsonError {
      JsonToken t = p.currentToken();
      if (t == null) {
        throw new JsonError(Problem.MALFORMED, "unexpected end of JSON", offset(p));
      }
      switch (t) {
        case START_OBJECT:
          return object(depth + 1);
        case START_ARRAY:
          return array(depth + 1);
        case VALUE_STRING:
          return p.getText();
        case VALUE_NUMBER_INT:
          return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? p.getBigIntegerValue()
              : (Object) p.getLongValue();
        case VALUE_NUMBER_FLOAT:
          return p.getDoubleValue();
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return null;
        default:
          throw new JsonError(Problem.MALFORMED, "unexpected " + t, offset(p));
      }
    }
  }

  /** Writes a JSON object of strings, numbers, booleans, nulls, lists and maps. */
  static byte[] write(Map<String, ?> object) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = FACTORY.createGenerator(out)) {
      writeValue(g, object);
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger) {
      g.writeNumber((BigInteger) v);
    } else if (v instanceof BigDecimal) {
      g.writeNumber((BigDecimal) v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("JSON has no " + d);
      }
      g.writeNumber(d);
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!(e.getKey() instanceof String)) {
          throw new IllegalArgumentException("JSON member names are strings: " + e.getKey());
        }
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Collection) {
      g.writeStartArray();
      for (Object o : (Collection<?>) v) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException(
          "not a JSON value: "
              + v.getClass().getName()
              + " (use String, Number, Boolean, List, Map)");
    }
  }
}
