package io.moaiflow.swarmdb.health;

import io.moaiflow.swarmdb.internal.Schema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A description of an open database. This record is immutable and thread safe.
 *
 * @param path the database file, or {@code :memory:}
 * @param sqliteVersion the SQLite library version
 * @param schemaVersion the applied schema version ({@code PRAGMA user_version})
 * @param latestSchemaVersion the newest schema version this library knows
 * @param rowCounts table name to row count
 * @param indexes names of the explicit indexes, sorted
 * @param pragmas pragma name to value, as the library's connections see them
 * @param pageSize bytes per page
 * @param pageCount pages in the main file
 * @param freelistCount unused pages
 * @param files file sizes
 * @param history the flight recorder's size and budget
 */
public record DatabaseInfo(
    String path,
    String sqliteVersion,
    int schemaVersion,
    int latestSchemaVersion,
    Map<String, Long> rowCounts,
    List<String> indexes,
    Map<String, String> pragmas,
    long pageSize,
    long pageCount,
    long freelistCount,
    FileSizes files,
    HistoryInfo history) {

  /**
   * Copies the collections; see the record description for each component.
   *
   * @param path the database file
   * @param sqliteVersion the SQLite version
   * @param schemaVersion the applied schema version
   * @param latestSchemaVersion the newest schema version
   * @param rowCounts table name to row count
   * @param indexes the explicit indexes
   * @param pragmas pragma name to value
   * @param pageSize bytes per page
   * @param pageCount pages in the main file
   * @param freelistCount unused pages
   * @param files file sizes
   * @param history the flight recorder's size and budget
   */
  public DatabaseInfo {
    rowCounts = Collections.unmodifiableMap(new LinkedHashMap<>(rowCounts));
    indexes = List.copyOf(indexes);
    pragmas = Collections.unmodifiableMap(new LinkedHashMap<>(pragmas));
  }

  /**
   * The description as the JSON object that {@code swarmdb info --json} prints (and the Spring Boot
   * endpoint {@code /actuator/swarmdb} returns), in its field order.
   *
   * @return a new ordered map: {@code path}, {@code sqliteVersion}, {@code schemaVersion}, {@code
   *     latestSchemaVersion}, {@code rowCounts}, {@code indexCount}, {@code indexes}, {@code
   *     pragmas}, {@code pageSize}, {@code pageCount}, {@code freelistCount}, {@code files} ({@code
   *     mainBytes}, {@code walBytes}, {@code shmBytes}, {@code totalBytes}) and {@code history}
   *     ({@link HistoryInfo#toJsonMap()})
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("sqliteVersion", sqliteVersion);
    m.put("schemaVersion", schemaVersion);
    m.put("latestSchemaVersion", latestSchemaVersion);
    m.put("rowCounts", rowCounts);
    m.put("indexCount", indexes.size());
    m.put("indexes", indexes);
    m.put("pragmas", pragmas);
    m.put("pageSize", pageSize);
    m.put("pageCount", pageCount);
    m.put("freelistCount", freelistCount);
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("mainBytes", files.mainBytes());
    sizes.put("walBytes", files.walBytes());
    sizes.put("shmBytes", files.shmBytes());
    sizes.put("totalBytes", files.totalBytes());
    m.put("files", sizes);
    m.put("history", history.toJsonMap());
    return m;
  }

  /**
   * {@return the indexes of the schema this library ships (the same on SQLite and PostgreSQL) that
   * {@link #indexes()} lacks, sorted; empty when all are present} A query each of them backs then
   * scans its table.
   */
  public List<String> missingIndexes() {
    List<String> missing = new ArrayList<>(expected());
    missing.removeAll(indexes);
    return List.copyOf(missing);
  }

  /**
   * {@return the explicit indexes in {@link #indexes()} that the schema this library ships does not
   * have, sorted; empty when there are none}
   */
  public List<String> unexpectedIndexes() {
    List<String> extra = new ArrayList<>(indexes);
    extra.removeAll(expected());
    return extra.stream().sorted().toList();
  }

  private List<String> expected() {
    return "postgresql".equals(pragmas.get("backend")) ? Schema.POSTGRES_INDEXES : Schema.INDEXES;
  }
}
