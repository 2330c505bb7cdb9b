package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.spring.SwarmDbAutoConfiguration;
import io.moaiflow.swarmdb.spring.SwarmDbHealthIndicator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Spring Boot health component while appends really fail with DISK_FULL on a full tmpfs: DOWN
 * with the failures in its details, UP again after the next successful append. Needs root for the
 * mount: skipped with a message otherwise.
 */
@Tag("reliability")
class SpringHealthWhileWritesFailTest {
  @TempDir Path dir;

  @Test
  void downWhileAppendsFailUpOnceTheyWork() throws Exception {
    try (Tmpfs fs = Tmpfs.mountAsRoot(dir, "2m", "the Spring health test")) {
      Path filler = fs.fill("filler.bin", 1024 * 1024);
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SwarmDbAutoConfiguration.class))
          .withPropertyValues(
              "swarmdb.path=" + fs.dir().resolve("full.db"), "swarmdb.min-free-space-bytes=0")
          .run(
              ctx -> {
                SwarmDB swarm = ctx.getBean(SwarmDB.class);
                SwarmDbHealthIndicator indicator = ctx.getBean(SwarmDbHealthIndicator.class);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

                SwarmDbException failure = DiskFullHealthTest.appendUntilFull(swarm);
                assertThat(failure.code()).isEqualTo(ErrorCode.DISK_FULL);
                Health full = indicator.health();
                assertThat(full.getStatus()).as(full.toString()).isEqualTo(Status.DOWN);
                assertThat(full.getDetails()).containsEntry("status", "unhealthy");
                assertThat(full.getDetails().get("recentWriteFailures").toString())
                    .contains("DISK_FULL");
                assertThat(full.getDetails().get("problems").toString())
                    .contains("writes are failing");

                Files.delete(filler);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
                swarm.events().append(DiskFullHealthTest.event("after-free"));
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
              });
    }
  }
}
