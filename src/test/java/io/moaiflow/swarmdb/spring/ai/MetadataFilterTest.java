package io.moaiflow.swarmdb.spring.ai;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.ai.vectorstore.filter.FilterExpressionTextParser;

/** Spring AI filter expressions, from its own text parser and builder, over stored metadata. */
class MetadataFilterTest {
  static final FilterExpressionTextParser PARSER = new FilterExpressionTextParser();

  /** Metadata as SwarmDB reads it back: JSON values. */
  static final Map<String, Object> DOC =
      Map.of("genre", "drama", "year", 2020, "rating", 4.5, "draft", false, "tags", List.of("a"));

  static boolean matches(String expression, Map<String, ?> metadata) {
    return MetadataFilter.of(PARSER.parse(expression)).test(metadata);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '"', // the expressions quote with '
      value = {
        "genre == 'drama';true",
        "genre == 'comedy';false",
        "genre != 'comedy';true",
        "year == 2020;true",
        "year == 2020.0;true",
        "year > 2019;true",
        "year > 2020;false",
        "year >= 2020;true",
        "year < 2020;false",
        "year <= 2020;true",
        "rating > 4;true",
        "rating < 4.5;false",
        "genre > 'comedy';true",
        "genre < 'comedy';false",
        "draft == false;true",
        "draft != true;true",
        "genre in ['comedy', 'drama'];true",
        "genre nin ['comedy', 'drama'];false",
        "year in [2019, 2021];false",
        "year nin [2019, 2021];true",
        "genre == 'drama' && year > 2019;true",
        "genre == 'drama' && year > 2020;false",
        "genre == 'comedy' || year == 2020;true",
        "NOT(genre == 'drama');false",
        "NOT(genre == 'drama' && year > 2020);true",
        "(genre == 'comedy' || genre == 'drama') && rating >= 4.5;true",
        "'genre' == 'drama';true",
        "genre IS NULL;false",
        "missing IS NULL;true",
        "genre IS NOT NULL;true",
        // An absent field equals nothing: EQ, IN and the orders fail, NE and NIN hold.
        "missing == 'x';false",
        "missing != 'x';true",
        "missing in ['x'];false",
        "missing nin ['x'];true",
        "missing > 1;false",
        "missing < 1;false",
        // Values of another kind are never equal and have no order.
        "year == '2020';false",
        "year != '2020';true",
        "genre > 1;false",
        "genre < 1;false",
        "tags == 'a';false",
      })
  void parsedExpressions(String expression, boolean expected) {
    assertThat(matches(expression, DOC)).isEqualTo(expected);
  }

  @Test
  void builtExpressionsMatchTheSame() {
    FilterExpressionBuilder b = new FilterExpressionBuilder();
    assertThat(
            MetadataFilter.of(b.and(b.eq("genre", "drama"), b.gte("year", 2020L)).build())
                .test(DOC))
        .isTrue();
    assertThat(MetadataFilter.of(b.in("year", 2019, 2020).build()).test(DOC)).isTrue();
    assertThat(MetadataFilter.of(b.not(b.nin("genre", List.of("drama"))).build()).test(DOC))
        .isTrue();
    assertThat(MetadataFilter.of(b.group(b.or(b.isNull("x"), b.lt("year", 0))).build()).test(DOC))
        .isTrue();
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("genre", null);
    assertThat(MetadataFilter.of(b.isNull("genre").build()).test(withNull)).isTrue();
    assertThat(MetadataFilter.of(b.ne("genre", "drama").build()).test(withNull)).isTrue();
    // Large integers compare exactly, not through double.
    Map<String, Object> big = new LinkedHashMap<>();
    big.put("n", 9_007_199_254_740_993L);
    assertThat(MetadataFilter.of(b.gt("n", 9_007_199_254_740_992L).build()).test(big)).isTrue();
  }

  @Test
  void badExpressionsAreRefusedWhenBuilt() {
    FilterExpressionBuilder b = new FilterExpressionBuilder();
    assertInvalid(
        () -> MetadataFilter.of(b.gt("draft", true).build()), "GT on 'draft'", "boolean has none");
    assertInvalid(
        () -> MetadataFilter.of(b.eq("when", new Date(0)).build()),
        "EQ on 'when'",
        "java.util.Date",
        "string, number or boolean");
    assertInvalid(() -> MetadataFilter.of(b.eq("x", Double.NaN).build()), "finite number");
    assertInvalid(
        () ->
            MetadataFilter.of(
                new Filter.Expression(
                    Filter.ExpressionType.IN, new Filter.Key("x"), new Filter.Value("a"))),
        "IN on 'x' needs a list");
    assertInvalid(
        () ->
            MetadataFilter.of(
                new Filter.Expression(
                    Filter.ExpressionType.EQ, new Filter.Value("a"), new Filter.Value("a"))),
        "EQ needs a metadata key");
    assertInvalid(
        () ->
            MetadataFilter.of(
                new Filter.Expression(Filter.ExpressionType.EQ, new Filter.Key("a"), null)),
        "EQ needs a right operand");
    assertInvalid(
        () ->
            MetadataFilter.of(
                new Filter.Expression(
                    Filter.ExpressionType.EQ, new Filter.Key("a"), new Filter.Key("b"))),
        "EQ needs a value");
    assertInvalid(
        () ->
            MetadataFilter.of(
                new Filter.Expression(
                    Filter.ExpressionType.AND, new Filter.Key("a"), new Filter.Key("b"))),
        "expected an expression");
  }

  @Test
  void quotedKeysNameTheField() {
    for (String key : List.of("\"genre\"", "'genre'")) {
      assertThat(
              MetadataFilter.of(
                      new Filter.Expression(
                          Filter.ExpressionType.EQ, new Filter.Key(key), new Filter.Value("drama")))
                  .test(DOC))
          .as(key)
          .isTrue();
    }
  }

  /** A predicate is immutable and may be shared: the same answer on every call. */
  @Test
  void aPredicateIsReusable() {
    Predicate<Map<String, ?>> p = MetadataFilter.of(PARSER.parse("year in [2020]"));
    assertThat(p.test(DOC)).isTrue();
    assertThat(p.test(Map.of("year", 1))).isFalse();
    assertThat(p.test(DOC)).isTrue();
  }
}
