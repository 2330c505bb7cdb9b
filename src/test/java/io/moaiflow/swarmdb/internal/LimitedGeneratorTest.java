package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.JsonLimits;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The write-side limits hold on every generator call a serializer may make, not only those the
 * collection serializers use: each start variant counts one level, each number form is measured.
 */
class LimitedGeneratorTest {

  /** A value that writes itself with the given calls. */
  private record Custom(Writes writes) implements JsonSerializable {
    @Override
    public void serialize(JsonGenerator g, SerializerProvider p) throws IOException {
      writes.to(g);
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider p, TypeSerializer t)
        throws IOException {
      writes.to(g);
    }
  }

  @FunctionalInterface
  private interface Writes {
    void to(JsonGenerator g) throws IOException;
  }

  private static SwarmDbException rejected(Writes w) {
    SwarmDbException e =
        catchThrowableOfType(SwarmDbException.class, () -> Json.write("value", new Custom(w)));
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    return e;
  }

  @Test
  @SuppressWarnings("deprecation") // writeStartArray(int) is a call a serializer may still make
  void everyStartVariantCountsOneLevel() {
    int limit = JsonLimits.MAX_DEPTH;
    for (int variant = 0; variant < 6; variant++) {
      int v = variant;
      Writes nest =
          g -> {
            for (int i = 0; i < limit; i++) {
              switch (v) {
                case 0 -> g.writeStartArray();
                case 1 -> g.writeStartArray(1);
                case 2 -> g.writeStartArray(null);
                case 3 -> g.writeStartArray(null, 1);
                case 4 -> {
                  g.writeStartObject();
                  g.writeFieldName(new SerializedString("k"));
                }
                default -> {
                  g.writeStartObject(null, 1);
                  g.writeFieldName("k");
                }
              }
            }
            g.writeNumber(1);
            for (int i = 0; i < limit; i++) {
              if (v < 4) {
                g.writeEndArray();
              } else {
                g.writeEndObject();
              }
            }
          };
      assertThat(Json.write("value", new Custom(nest))).hasSizeGreaterThan(2 * limit);
      Writes deeper =
          g -> {
            if (v < 4) {
              g.writeStartArray();
            } else {
              g.writeStartObject();
              g.writeFieldName("x");
            }
            nest.to(g);
          };
      assertThat(rejected(deeper).getMessage())
          .contains("nesting depth " + (limit + 1), "limit of " + limit);
    }
  }

  @Test
  void numbersWrittenAsTextAreMeasured() {
    String max = "1".repeat(JsonLimits.MAX_NUMBER_LENGTH);
    assertThat(Json.write("value", new Custom(g -> g.writeNumber(max)))).isEqualTo(max);
    char[] chars = ("x" + max + "1").toCharArray();
    assertThat(rejected(g -> g.writeNumber(chars, 1, chars.length - 1)).getMessage())
        .contains("1001 characters", "limit is 1000");
    assertThat(rejected(g -> g.writeNumber(max + "1")).getMessage()).contains("1001 characters");
    assertThat(Json.write("value", new Custom(g -> g.writeNumber(chars, 1, max.length()))))
        .isEqualTo(max);
  }
}
