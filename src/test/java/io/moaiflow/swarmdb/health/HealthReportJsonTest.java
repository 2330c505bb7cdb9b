package io.moaiflow.swarmdb.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON shape of a health report that the CLI and the ops endpoint print. */
class HealthReportJsonTest {
  private final HealthReport report =
      new HealthReport(
          false,
          "connected",
          true,
          1,
          1,
          4096,
          512,
          3,
          Instant.parse("2026-12-01T00:00:00Z"),
          List.of("disk nearly full"),
          Map.of(ErrorCode.DISK_FULL, 2L),
          1000,
          2000);

  @Test
  void fieldsComeInTheDocumentedOrderWithThePathAfterTheDatabase() {
    assertThat(report.toJsonMap("/data/swarm.db").keySet())
        .containsExactly(
            "status",
            "database",
            "path",
            "writable",
            "schemaVersion",
            "expectedSchemaVersion",
            "dbSizeBytes",
            "walSizeBytes",
            "checkMillis",
            "checkedAt",
            "recentWriteFailures",
            "usableBytes",
            "minFreeBytes",
            "problems");
    assertThat(report.toJsonMap(null)).doesNotContainKey("path").hasSize(13);
    assertThat(report.toJsonMap(null))
        .containsEntry("status", "unhealthy")
        .containsEntry("checkedAt", "2026-12-01T00:00:00Z")
        .containsEntry("dbSizeBytes", 4096L)
        .containsEntry("recentWriteFailures", Map.of(ErrorCode.DISK_FULL, 2L))
        .containsEntry("problems", List.of("disk nearly full"));
  }
}
