package io.moaiflow.swarmdb.spring;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.metrics.SwarmDbMetrics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration of SwarmDB, listed in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}: a {@link
 * SwarmDB} bean built from the {@link SwarmDbProperties swarmdb.* properties} (unless the
 * application defines its own), closed when the context closes, and, each only when its library is
 * on the class path:
 *
 * <ul>
 *   <li>Actuator health ({@code spring-boot-health}): {@link SwarmDbHealthIndicator}, the {@code
 *       swarmdb} health component; {@code management.health.swarmdb.enabled=false} turns it off.
 *   <li>Micrometer: a {@link SwarmDbMetrics} bean, which Spring Boot's metrics auto-configuration
 *       binds to the application's {@code MeterRegistry} beans, as it does every {@link
 *       MeterBinder} bean.
 *   <li>Actuator endpoints ({@code spring-boot-actuator}): {@link SwarmDbEndpoint}, {@code
 *       /actuator/swarmdb} once exposed ({@code management.endpoints.web.exposure.include}).
 * </ul>
 *
 * <p>Each bean backs off when the application defines one of its type. Spring creates and uses this
 * class on its own threads during startup; it keeps no state.
 */
@AutoConfiguration
@ConditionalOnClass(SwarmDB.class)
@EnableConfigurationProperties(SwarmDbProperties.class)
public class SwarmDbAutoConfiguration {

  /** Created by Spring. */
  public SwarmDbAutoConfiguration() {}

  /**
   * The database, opened from the properties.
   *
   * @param properties the {@code swarmdb.*} properties
   * @param dataSource the application's DataSource, used only with {@code
   *     swarmdb.use-application-datasource=true}
   * @return the open database; Spring closes it with the context
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for properties that do not fit
   *     together or are out of range, with SwarmDB's message; any error of {@link SwarmDB#open}
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SwarmDB swarmDB(SwarmDbProperties properties, ObjectProvider<DataSource> dataSource) {
    SwarmDbConfig config = config(properties, dataSource::getIfUnique);
    return properties.isReadOnly() ? SwarmDB.openReadOnly(config) : SwarmDB.open(config);
  }

  /** The configuration the properties describe, validated by {@link SwarmDbConfig.Builder}. */
  static SwarmDbConfig config(SwarmDbProperties p, Supplier<@Nullable DataSource> dataSource) {
    SwarmDbConfig.Builder b =
        switch (p.getBackend()) {
          case SQLITE -> sqlite(p);
          case POSTGRESQL -> postgresql(p, dataSource);
        };
    PropertyMapper map = PropertyMapper.get();
    map.from(p::getSynchronous).to(b::synchronous);
    map.from(p::getBusyTimeout).to(b::busyTimeout);
    map.from(p::getReadPoolSize).to(b::readPoolSize);
    map.from(p::getMaxBatchSize).to(b::maxBatchSize);
    map.from(p::getMaxBatchWait).to(b::maxBatchWait);
    map.from(p::getWriteQueueCapacity).to(b::writeQueueCapacity);
    map.from(p::getWriteTimeout).to(b::writeTimeout);
    map.from(p::getMigrate).to(b::migrate);
    map.from(p::getMinFreeSpaceBytes).to(b::minFreeSpaceBytes);
    map.from(p::getHistoryBudgetBytes).to(b::historyBudgetBytes);
    map.from(p::getVectorIndexBytes).to(b::vectorIndexBytes);
    return b.build();
  }

  private static SwarmDbConfig.Builder sqlite(SwarmDbProperties p) {
    SwarmDbProperties.Postgresql pg = p.getPostgresql();
    if (pg.getUrl() != null || pg.getUsername() != null || pg.getPassword() != null) {
      throw invalid(
          "swarmdb.postgresql.* is set but swarmdb.backend is sqlite; set"
              + " swarmdb.backend=postgresql, or remove the swarmdb.postgresql properties");
    }
    if (p.isUseApplicationDatasource()) {
      throw invalid(
          "swarmdb.use-application-datasource=true needs swarmdb.backend=postgresql (SwarmDB uses"
              + " a DataSource only for PostgreSQL); set it, or remove"
              + " swarmdb.use-application-datasource");
    }
    String path = p.getPath();
    if (path == null) {
      return SwarmDbConfig.builder(SwarmDbConfig.defaultPath());
    }
    try {
      return SwarmDbConfig.builder(Path.of(path));
    } catch (InvalidPathException e) {
      throw invalid("swarmdb.path '" + path + "' is not a file path: " + e.getReason());
    }
  }

  private static SwarmDbConfig.Builder postgresql(
      SwarmDbProperties p, Supplier<@Nullable DataSource> dataSource) {
    if (p.getPath() != null) {
      throw invalid(
          "swarmdb.path is set but swarmdb.backend is postgresql; remove swarmdb.path, or set"
              + " swarmdb.backend=sqlite");
    }
    SwarmDbProperties.Postgresql pg = p.getPostgresql();
    String url = pg.getUrl();
    if (p.isUseApplicationDatasource()) {
      if (url != null || pg.getUsername() != null || pg.getPassword() != null) {
        throw invalid(
            "swarmdb.use-application-datasource=true and swarmdb.postgresql.* are both set; keep"
                + " one way to reach PostgreSQL");
      }
      DataSource ds = dataSource.get();
      if (ds == null) {
        throw invalid(
            "swarmdb.use-application-datasource=true but the application has no single DataSource"
                + " bean; define one (spring.datasource.url=jdbc:postgresql://...), or set"
                + " swarmdb.postgresql.url instead");
      }
      return SwarmDbConfig.dataSource(ds);
    }
    if (url == null) {
      throw invalid(
          "swarmdb.backend=postgresql needs swarmdb.postgresql.url"
              + " (jdbc:postgresql://HOST:5432/DATABASE) or"
              + " swarmdb.use-application-datasource=true");
    }
    url = withParameter(url, "user", pg.getUsername(), "swarmdb.postgresql.username");
    url = withParameter(url, "password", pg.getPassword(), "swarmdb.postgresql.password");
    return SwarmDbConfig.postgres(url);
  }

  /** The URL with {@code name=value} added (URL-encoded, as the driver decodes it). */
  private static String withParameter(
      String url, String name, @Nullable String value, String property) {
    if (value == null) {
      return url;
    }
    if (url.toLowerCase(Locale.ROOT).matches(".*[?&]" + name + "=.*")) {
      throw invalid(
          property
              + " is set but swarmdb.postgresql.url already has a "
              + name
              + " parameter; keep one of them");
    }
    return url
        + (url.contains("?") ? "&" : "?")
        + name
        + "="
        + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, "invalid configuration: " + message);
  }

  /** The health component, when Actuator's health module is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("swarmdb")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SwarmDbHealthIndicator swarmdbHealthIndicator(SwarmDB db) {
      return new SwarmDbHealthIndicator(db);
    }
  }

  /** The meter binder, when Micrometer is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class MetricsConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    SwarmDbMetrics swarmDbMetrics(SwarmDB db) {
      return new SwarmDbMetrics(db);
    }
  }

  /** The {@code swarmdb} endpoint, when Actuator's endpoint module is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SwarmDbEndpoint swarmDbEndpoint(SwarmDB db) {
      return new SwarmDbEndpoint(db);
    }
  }
}
