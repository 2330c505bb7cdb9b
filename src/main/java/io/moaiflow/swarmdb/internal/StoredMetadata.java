package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Caller metadata checked and serialised before any work is queued, with the map as queries will
 * read it back, so a write returns what a later read returns. Immutable and thread safe.
 */
record StoredMetadata(String json, Map<String, @Nullable Object> stored) {

  static StoredMetadata of(ObjectMapper mapper, Map<String, ? extends @Nullable Object> metadata) {
    Map<String, @Nullable Object> given = Checks.metadata(metadata);
    String json = Json.writeMetadata(mapper, given);
    return new StoredMetadata(json, Json.asStored(given, json));
  }
}
