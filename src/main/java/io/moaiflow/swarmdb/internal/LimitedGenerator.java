package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import io.moaiflow.swarmdb.JsonLimits;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A generator that refuses, while writing, anything the library's parser would refuse when reading
 * it back, so a write never stores a document its reads fail on: nesting deeper than {@link
 * JsonLimits#MAX_DEPTH} counted as the parser counts it (Jackson's own write check lets an object
 * one level deeper than an array through), names longer than {@link JsonLimits#MAX_NAME_LENGTH},
 * numbers longer than {@link JsonLimits#MAX_NUMBER_LENGTH}, and non-finite numbers (which Jackson
 * would otherwise write as the strings {@code "NaN"} and {@code "Infinity"}). Not thread safe, like
 * every generator; one is made per document.
 */
final class LimitedGenerator extends JsonGeneratorDelegate {
  private final int maxDepth;
  private int depth;

  LimitedGenerator(JsonGenerator g, int maxDepth) {
    super(g, false); // copy methods go through this class's checks
    this.maxDepth = maxDepth;
  }

  private void enter() throws IOException {
    if (depth + 1 > maxDepth) {
      throw new JsonGenerationException(
          "nesting depth " + (depth + 1) + " exceeds the limit of " + maxDepth + " levels", this);
    }
    depth++;
  }

  @Override
  public void writeStartArray() throws IOException {
    enter();
    super.writeStartArray();
  }

  @Override
  @Deprecated
  public void writeStartArray(int size) throws IOException {
    enter();
    super.writeStartArray(size);
  }

  @Override
  public void writeStartArray(Object forValue) throws IOException {
    enter();
    super.writeStartArray(forValue);
  }

  @Override
  public void writeStartArray(Object forValue, int size) throws IOException {
    enter();
    super.writeStartArray(forValue, size);
  }

  @Override
  public void writeEndArray() throws IOException {
    super.writeEndArray();
    depth--;
  }

  @Override
  public void writeStartObject() throws IOException {
    enter();
    super.writeStartObject();
  }

  @Override
  public void writeStartObject(Object forValue) throws IOException {
    enter();
    super.writeStartObject(forValue);
  }

  @Override
  public void writeStartObject(Object forValue, int size) throws IOException {
    enter();
    super.writeStartObject(forValue, size);
  }

  @Override
  public void writeEndObject() throws IOException {
    super.writeEndObject();
    depth--;
  }

  private void checkLength(String what, String text, String as, int limit) throws IOException {
    if (text.length() > limit) {
      throw new JsonGenerationException(
          what + " is " + text.length() + " characters long" + as + "; the limit is " + limit,
          this);
    }
  }

  private void checkName(String name) throws IOException {
    checkLength("an object key", name, "", JsonLimits.MAX_NAME_LENGTH);
  }

  private void checkNumber(String text) throws IOException {
    checkLength("a number", text, " as JSON", JsonLimits.MAX_NUMBER_LENGTH);
  }

  @Override
  public void writeFieldName(String name) throws IOException {
    checkName(name);
    super.writeFieldName(name);
  }

  @Override
  public void writeFieldName(SerializableString name) throws IOException {
    checkName(name.getValue());
    super.writeFieldName(name);
  }

  private void notFinite(Object value) throws IOException {
    throw new JsonGenerationException(
        "the number " + value + " has no JSON form; store a finite number, or null", this);
  }

  @Override
  public void writeNumber(double v) throws IOException {
    if (!Double.isFinite(v)) {
      notFinite(v);
    }
    super.writeNumber(v);
  }

  @Override
  public void writeNumber(float v) throws IOException {
    if (!Float.isFinite(v)) {
      notFinite(v);
    }
    super.writeNumber(v);
  }

  @Override
  public void writeNumber(BigInteger v) throws IOException {
    checkNumber(v.toString());
    super.writeNumber(v);
  }

  @Override
  public void writeNumber(BigDecimal v) throws IOException {
    checkNumber(v.toString());
    if (!Double.isFinite(v.doubleValue())) {
      throw new JsonGenerationException(
          "the number "
              + Checks.printable(v.toString())
              + " is beyond the range of double and would read back as infinity; store it as a"
              + " string",
          this);
    }
    super.writeNumber(v);
  }

  @Override
  public void writeNumber(String encodedValue) throws IOException {
    checkNumber(encodedValue);
    super.writeNumber(encodedValue);
  }

  @Override
  public void writeNumber(char[] encodedValueBuffer, int offset, int len) throws IOException {
    checkNumber(new String(encodedValueBuffer, offset, len));
    super.writeNumber(encodedValueBuffer, offset, len);
  }
}
