package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.DoubleNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3, the limits other than depth ({@link JsonLimitsPropertiesTest} covers depth): key
 * and number lengths at limit - 1, limit and limit + 1 on the write and the read side, non-finite
 * numbers, and a null element in appendAll. A rejected write is INVALID_ARGUMENT and stores
 * nothing; an accepted one reads back equal.
 */
class JsonLimitsTest extends OneSessionTest {
  int counter;

  JsonLimitsTest() {
    super("limits.db");
  }

  private static SwarmDbException invalid(Runnable call, String... message) {
    SwarmDbException e = catchThrowableOfType(SwarmDbException.class, call::run);
    assertThat(e).as("expected INVALID_ARGUMENT").isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains(message);
    return e;
  }

  /** Stores {@code value} in metadata and in memory; true when both accepted and read back. */
  private boolean storedEverywhere(Object value, String... rejection) {
    int n = ++counter;
    Map<String, Object> meta = Map.of("v", value);
    String id = "e" + n;
    AgentEvent e = new AgentEvent(0, id, "run", "a", null, null, Instant.EPOCH, meta);
    try {
      db.events().append(e);
    } catch (SwarmDbException ex) {
      assertThat(ex.code()).as(ex.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(ex.getMessage()).contains(rejection);
      assertThat(db.events().get(id)).isEmpty();
      invalid(() -> memory.put("t", "k" + n, value), rejection);
      assertThat(memory.entry("t", "k" + n)).isEmpty();
      invalid(() -> db.agents().register("a" + n, "w", null, meta), rejection);
      assertThat(db.agents().get("a" + n)).isEmpty();
      invalid(() -> db.sessions().start("s" + n, meta), rejection);
      assertThat(db.sessions().get("s" + n)).isEmpty();
      return false;
    }
    AgentEvent got = db.events().get(id).orElseThrow();
    assertThat(got.metadata()).isEqualTo(meta);
    assertThat(db.events().since(got.seq() - 1, 1)).containsExactly(got);
    memory.put("t", "k" + n, value);
    assertThat(memory.get("t", "k" + n, Object.class)).contains(value);
    db.agents().register("a" + n, "w", null, meta);
    assertThat(db.agents().get("a" + n).orElseThrow().metadata()).isEqualTo(meta);
    db.sessions().start("s" + n, meta);
    assertThat(db.sessions().get("s" + n).orElseThrow().metadata()).isEqualTo(meta);
    return true;
  }

  @Test
  void objectKeysUpToTheLimitRoundTripAndLongerOnesAreRejected() {
    int limit = JsonLimits.MAX_NAME_LENGTH;
    assertThat(storedEverywhere(Map.of("k".repeat(limit - 1), 1))).isTrue();
    assertThat(storedEverywhere(Map.of("k".repeat(limit), 1))).isTrue();
    assertThat(storedEverywhere(Map.of("k".repeat(limit + 1), 1), "50001", "50000")).isFalse();
    // a top-level metadata key too
    String id = "top";
    invalid(
        () ->
            db.events()
                .append(
                    new AgentEvent(
                        0,
                        id,
                        "run",
                        "a",
                        null,
                        null,
                        Instant.EPOCH,
                        Map.of("k".repeat(limit + 1), 1))),
        "metadata",
        "50001");
    assertThat(db.events().get(id)).isEmpty();
  }

  @Test
  void numbersUpToTheLimitRoundTripAndLongerOnesAreRejected() {
    int limit = JsonLimits.MAX_NUMBER_LENGTH;
    assertThat(storedEverywhere(new BigInteger("9".repeat(limit - 1)))).isTrue();
    assertThat(storedEverywhere(new BigInteger("9".repeat(limit)))).isTrue();
    assertThat(storedEverywhere(new BigInteger("9".repeat(limit + 1)), "1001", "1000")).isFalse();
    assertThat(storedEverywhere(new BigInteger("-" + "9".repeat(limit - 1)))).isTrue();
    assertThat(storedEverywhere(new BigInteger("-" + "9".repeat(limit)), "1001")).isFalse();
    // a decimal beyond double would read back as Infinity
    assertThat(storedEverywhere(new BigDecimal("1E+309"), "1E+309", "range of double")).isFalse();
  }

  @Test
  void nonFiniteNumbersAreRejectedNotStoredAsStrings() {
    for (Object v :
        List.<Object>of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            DoubleNode.valueOf(Double.NaN),
            List.of(1, Double.NaN),
            Map.of("deep", Map.of("x", Double.NEGATIVE_INFINITY)))) {
      assertThat(storedEverywhere(v, "has no JSON form")).as(String.valueOf(v)).isFalse();
      invalid(() -> memory.putAll("t", Map.of("nan", v), null), "has no JSON form");
      assertThat(memory.entry("t", "nan")).isEmpty();
    }
    db.agents().register("agent", "w");
    invalid(
        () -> db.agents().transition("agent", AgentStatus.RUNNING, Map.of("x", Double.NaN)),
        "has no JSON form");
    assertThat(db.agents().get("agent").orElseThrow().status()).isEqualTo(AgentStatus.SPAWNED);
    // finite extremes are numbers and stay numbers
    assertThat(storedEverywhere(Double.MAX_VALUE)).isTrue();
    assertThat(storedEverywhere(-Double.MIN_VALUE)).isTrue();
  }

  @Test
  void aNullEventInAppendAllIsInvalidAndNothingIsWritten() {
    List<AgentEvent> batch = new ArrayList<>();
    batch.add(AgentEvent.of("run", "a", null, Map.of()));
    batch.add(AgentEvent.of("run", "b", null, Map.of()));
    batch.add(null);
    invalid(() -> db.events().appendAll(batch), "null event at index 2 of 3");
    assertThat(db.events().count()).isZero();
  }
}
