package io.moaiflow.swarmdb.spring.ai;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.vectorstore.filter.Filter;

/**
 * A Spring AI filter expression as a predicate over a document's metadata (as stored: JSON values).
 * Checked whole when built, so a bad expression fails before any work. The rules:
 *
 * <ul>
 *   <li>A key names a top-level metadata field (quotes around it, as the text parser keeps them,
 *       are removed). A missing field and a JSON null are the same: "absent".
 *   <li>{@code EQ}, {@code NE}, {@code IN}, {@code NIN}: numbers are equal by value ({@code 1 ==
 *       1.0}), strings and booleans by equality; values of different kinds are never equal. An
 *       absent field equals nothing, so {@code NE} and {@code NIN} match it.
 *   <li>{@code GT}, {@code GTE}, {@code LT}, {@code LTE}: numbers by value, strings by {@link
 *       String#compareTo}; a field of another kind, or absent, does not match. The value must be a
 *       number or a string.
 *   <li>{@code AND}, {@code OR}, {@code NOT} combine; {@code ISNULL} / {@code ISNOTNULL} test
 *       absence.
 * </ul>
 *
 * Values must be strings, numbers or booleans ({@code IN} / {@code NIN}: a list of them). Stateless
 * and thread safe.
 */
final class MetadataFilter {
  private MetadataFilter() {}

  /**
   * {@return the predicate of {@code expression}}
   *
   * @throws SwarmDbException INVALID_ARGUMENT for an expression that is not well formed or has a
   *     value of another type
   */
  static Predicate<Map<String, ?>> of(Filter.Expression expression) {
    return compile(expression);
  }

  private static Predicate<Map<String, ?>> compile(Filter.Operand operand) {
    if (operand instanceof Filter.Group g) {
      return compile(g.content());
    }
    if (!(operand instanceof Filter.Expression e)) {
      throw invalid("expected an expression but got " + describe(operand));
    }
    Filter.ExpressionType type = e.type();
    switch (type) {
      case AND, OR -> {
        Predicate<Map<String, ?>> left = compile(e.left());
        Predicate<Map<String, ?>> right = compile(required(e));
        return type == Filter.ExpressionType.AND ? left.and(right) : left.or(right);
      }
      case NOT -> {
        return compile(e.left()).negate();
      }
      case ISNULL, ISNOTNULL -> {
        String key = key(e);
        boolean absent = type == Filter.ExpressionType.ISNULL;
        return m -> (m.get(key) == null) == absent;
      }
      case IN, NIN -> {
        String key = key(e);
        if (!(value(e) instanceof List<?> list)) {
          throw invalid(type + " on '" + key + "' needs a list of values; got " + value(e));
        }
        List<Object> values = new ArrayList<>();
        for (Object v : list) {
          values.add(checked(type, key, v));
        }
        boolean in = type == Filter.ExpressionType.IN;
        return m -> values.stream().anyMatch(v -> equal(m.get(key), v)) == in;
      }
      case EQ, NE -> {
        String key = key(e);
        Object value = checked(type, key, value(e));
        boolean eq = type == Filter.ExpressionType.EQ;
        return m -> equal(m.get(key), value) == eq;
      }
      default -> {
        String key = key(e);
        Object value = checked(type, key, value(e));
        if (value instanceof Boolean) {
          throw invalid(type + " on '" + key + "' compares an order; a boolean has none");
        }
        return m -> {
          Integer c = order(m.get(key), value);
          return c != null && holds(type, c);
        };
      }
    }
  }

  private static boolean holds(Filter.ExpressionType type, int c) {
    return switch (type) {
      case GT -> c > 0;
      case GTE -> c >= 0;
      case LT -> c < 0;
      default -> c <= 0; // LTE: the only other type compile passes here
    };
  }

  private static boolean equal(@Nullable Object field, Object value) {
    Integer c = order(field, value);
    return c != null ? c == 0 : value.equals(field);
  }

  /** The order of a field against a number or string value, or null when they are not alike. */
  private static @Nullable Integer order(@Nullable Object field, Object value) {
    if (field instanceof Number f && value instanceof Number v) {
      return decimal(f).compareTo(decimal(v));
    }
    if (field instanceof String f && value instanceof String v) {
      return f.compareTo(v);
    }
    return null;
  }

  private static BigDecimal decimal(Number n) {
    return n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
  }

  private static String key(Filter.Expression e) {
    if (!(e.left() instanceof Filter.Key k)) {
      throw invalid(e.type() + " needs a metadata key on its left; got " + describe(e.left()));
    }
    String key = k.key();
    if (key.length() >= 2
        && ((key.startsWith("\"") && key.endsWith("\""))
            || (key.startsWith("'") && key.endsWith("'")))) {
      key = key.substring(1, key.length() - 1);
    }
    return key;
  }

  private static Object value(Filter.Expression e) {
    if (!(required(e) instanceof Filter.Value v)) {
      throw invalid(e.type() + " needs a value on its right; got " + describe(e.right()));
    }
    return v.value();
  }

  private static Filter.Operand required(Filter.Expression e) {
    Filter.Operand right = e.right();
    if (right == null) {
      throw invalid(e.type() + " needs a right operand");
    }
    return right;
  }

  private static Object checked(Filter.ExpressionType type, String key, @Nullable Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      if ((value instanceof Double d && !Double.isFinite(d))
          || (value instanceof Float f && !Float.isFinite(f))) {
        throw invalid(type + " on '" + key + "' has the value " + value + "; use a finite number");
      }
      return value;
    }
    throw invalid(
        type
            + " on '"
            + key
            + "' has a value of type "
            + (value == null ? "null" : value.getClass().getName())
            + "; metadata is stored as JSON, so compare with a string, number or boolean"
            + " (for null, use ISNULL)");
  }

  private static String describe(Filter.@Nullable Operand operand) {
    return operand == null ? "nothing" : operand.toString();
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "filter expression: " + message);
  }
}
